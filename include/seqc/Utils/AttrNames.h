//===- AttrNames.h - seqc's discardable attributes --------------*- C++ -*-===//
//
// The attributes seqc attaches to ops and functions outside any op's ODS
// definition, each named once here with accessors. The `onnx.*` ones record
// the ONNX model's names and metadata (set by the importer, read by the
// driver and the library writer); the `seqc.*` ones are hints between
// passes.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_UTILS_ATTRNAMES_H
#define SEQC_UTILS_ATTRNAMES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringRef.h"

namespace seqc::attrs {

/// Argument/result attribute: the ONNX graph input/output name.
inline constexpr llvm::StringLiteral kOnnxName = "onnx.name";
/// Argument attribute: the ONNX symbolic dim names (dim_param) per dim.
inline constexpr llvm::StringLiteral kOnnxDimParams = "onnx.dim_params";
/// Module attributes: the model's opset imports, IR version and producer.
inline constexpr llvm::StringLiteral kOnnxOpsetImport = "onnx.opset_import";
inline constexpr llvm::StringLiteral kOnnxIrVersion = "onnx.ir_version";
inline constexpr llvm::StringLiteral kOnnxProducer = "onnx.producer";

/// Unit attribute on a linalg op built to write over its input's buffer
/// (the FFT stages reuse the planes their predecessor read):
/// seqc-fuse-elementwise must not give it a fresh destination.
inline constexpr llvm::StringLiteral kInPlace = "seqc.in_place";
/// Unit attribute on a linalg op whose iteration order was chosen for its
/// memory layout (FFT scatters): not fused into its consumers.
inline constexpr llvm::StringLiteral kKeepOrder = "seqc.keep_order";
/// Unit attributes on an onnx.Scan imported from opset 8: a leading batch
/// axis, and a first operand holding sequence_lens.
inline constexpr llvm::StringLiteral kScan8Batch = "seqc.scan8_batch";
inline constexpr llvm::StringLiteral kScan8SequenceLens =
    "seqc.scan8_sequence_lens";

/// Sets the unit attribute `name` on `op`.
inline void mark(mlir::Operation *op, llvm::StringRef name) {
  op->setAttr(name, mlir::UnitAttr::get(op->getContext()));
}

inline void markInPlace(mlir::Operation *op) { mark(op, kInPlace); }
inline bool isInPlace(mlir::Operation *op) { return op->hasAttr(kInPlace); }
inline void markKeepOrder(mlir::Operation *op) { mark(op, kKeepOrder); }
inline bool isKeepOrder(mlir::Operation *op) { return op->hasAttr(kKeepOrder); }

} // namespace seqc::attrs

#endif // SEQC_UTILS_ATTRNAMES_H
