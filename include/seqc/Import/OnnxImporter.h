//===- OnnxImporter.h - ONNX model to the onnx dialect ----------*- C++ -*-===//
//
// Reads an ONNX ModelProto (protobuf), runs ONNX's shape inference, and builds
// `func.func @main_graph` in the onnx dialect. Failures are reported as one
// error naming the file and the node, never as a crash.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_IMPORT_ONNXIMPORTER_H
#define SEQC_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>

namespace seqc {

struct OnnxImportOptions {
  /// Run ONNX's C++ shape inference before importing.
  bool shapeInference = true;
  /// Tensors of at least this many bytes become dense resources (weights);
  /// smaller ones are dense attributes printed inline.
  size_t resourceThreshold = 1024;
};

/// Imports the model at `path` ("-" reads standard input). External data is
/// looked up beside the model. Returns null after emitting an error.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext *ctx, llvm::StringRef path,
                const OnnxImportOptions &options = {});

/// Imports a model held in memory. `displayName` names it in diagnostics;
/// `baseDir` is the folder external data may come from ("" forbids external
/// data).
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModelFromBytes(mlir::MLIRContext *ctx, llvm::StringRef bytes,
                         llvm::StringRef displayName, llvm::StringRef baseDir,
                         const OnnxImportOptions &options = {});

/// Registers the dialects the importer produces.
void registerOnnxImportDialects(mlir::DialectRegistry &registry);

} // namespace seqc

#endif // SEQC_IMPORT_ONNXIMPORTER_H
