//===- ModelReader.h - Reading ONNX models and their tensors ----*- C++ -*-===//

#ifndef SEQC_LIB_IMPORT_MODELREADER_H
#define SEQC_LIB_IMPORT_MODELREADER_H

#include "OnnxImportInternal.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace seqc::detail {

/// Parses the model at `path` ("-" = stdin). Returns an error message.
std::optional<std::string> readModel(llvm::StringRef path,
                                     onnx::ModelProto &model);
std::optional<std::string> parseModelBytes(llvm::StringRef bytes,
                                           onnx::ModelProto &model);
std::optional<std::string> checkIsModel(const onnx::ModelProto &model);

/// The MLIR element type of an ONNX data type, or null if unsupported.
mlir::Type elementType(mlir::MLIRContext *ctx, int32_t dtype);
std::string dtypeName(int32_t dtype);

struct TensorContext {
  llvm::StringRef baseDir;
  size_t resourceThreshold;
};

/// Converts a TensorProto (inline or external) to an attribute, taking over
/// its raw_data buffer. Sets `error` and fails on any inconsistency.
mlir::FailureOr<mlir::ElementsAttr> convertTensor(mlir::MLIRContext *ctx,
                                                  onnx::TensorProto &t,
                                                  const TensorContext &tc,
                                                  std::string &error);

} // namespace seqc::detail

#endif // SEQC_LIB_IMPORT_MODELREADER_H
