//===- OnnxImportInternal.h - Shared by the importer's files ----*- C++ -*-===//

#ifndef SEQC_LIB_IMPORT_ONNXIMPORTINTERNAL_H
#define SEQC_LIB_IMPORT_ONNXIMPORTINTERNAL_H

#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace seqc::detail {

/// Runs ONNX shape inference in place; false (with a message) if it threw.
bool runOnnxShapeInference(onnx::ModelProto &model, std::string &error);

/// Checks a default-domain node against its ONNX schema (input and output
/// counts, required attributes and their kinds) before anything else reads
/// it; false with a message otherwise.
bool verifyNode(const onnx::NodeProto &node, int opset, std::string &error);

/// The ONNX schema of `op` in the default domain at `version`, or null.
const onnx::OpSchema *lookupSchema(const std::string &op, int version);

/// The ai.seqc custom-operator domain (lib/Import/SeqcOps.cpp): registers its
/// schemas with ONNX once; whether a node belongs to it; builds its op.
void registerSeqcSchemas();
bool isSeqcDomain(const std::string &domain);
bool isSeqcOp(const std::string &opType);
mlir::LogicalResult
buildSeqcOp(mlir::OpBuilder &b, mlir::Location loc, const onnx::NodeProto &node,
            mlir::ArrayRef<mlir::Value> operands,
            mlir::ArrayRef<mlir::Type> resultTypes,
            mlir::SmallVectorImpl<mlir::Value> &results,
            llvm::function_ref<mlir::InFlightDiagnostic()> error);
} // namespace seqc::detail

#endif // SEQC_LIB_IMPORT_ONNXIMPORTINTERNAL_H
