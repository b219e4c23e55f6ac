//===- OpsetAdapter.h - Older opsets to the dialect's form ------*- C++ -*-===//
//
// The onnx dialect holds each operator in its newest form. Nodes written
// against older opsets are adapted while they are imported: attributes that
// later became inputs are turned into constant inputs, removed attributes
// whose value is the newer behaviour are dropped, Softmax-family ops
// before opset 13 (which flatten to 2-D at `axis`) are wrapped in
// Flatten/Reshape, binary ops before opset 7 (`broadcast`, `axis`) get
// their second operand unsqueezed to numpy's right alignment, and PRelu
// before opset 7 its per-channel slope unsqueezed to [C, 1, ..., 1].
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_IMPORT_OPSETADAPTER_H
#define SEQC_LIB_IMPORT_OPSETADAPTER_H

#include "OnnxImportInternal.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <vector>

namespace seqc::detail {

/// A constant input made from an attribute.
struct AdaptedInput {
  enum Kind { I64s, F32s, ScalarLikeInput0 } kind;
  llvm::SmallVector<int64_t> ints;
  llvm::SmallVector<float> floats;
  double scalar = 0;
};

struct AdaptedNode {
  /// Constant inputs to place at the given operand positions.
  std::vector<std::pair<int, AdaptedInput>> extraInputs;
  /// Attributes turned into inputs or dropped.
  llvm::StringSet<> consumedAttrs;
  /// Runs after the op is created (e.g. to wrap it); may rebind outputs.
  std::function<mlir::LogicalResult(
      mlir::OpBuilder &, mlir::Location, mlir::Operation *,
      llvm::StringMap<mlir::Value> &, const onnx::NodeProto &)>
      finish;
};

/// Decides how node `n` of a model at `opset` maps to the newest form.
/// `inputFormAttr` names the attribute the dialect declares as an input.
mlir::LogicalResult
adaptToNewestOpset(onnx::NodeProto &n, int64_t opset,
                   llvm::StringRef inputFormAttr, AdaptedNode &out,
                   llvm::function_ref<mlir::InFlightDiagnostic()> error);

/// Builds the constant for an adapted input.
mlir::Value materializeAdaptedInput(mlir::OpBuilder &b, mlir::Location loc,
                                    const AdaptedInput &in,
                                    llvm::ArrayRef<mlir::Value> operands);

} // namespace seqc::detail

#endif // SEQC_LIB_IMPORT_OPSETADAPTER_H
