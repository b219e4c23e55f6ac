//===- Passes.h - seqc conversion passes ------------------------*- C++ -*-===//

#ifndef SEQC_CONVERSION_PASSES_H
#define SEQC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
} // namespace mlir

namespace seqc {

#define GEN_PASS_DECL
#include "seqc/Conversion/Passes.h.inc"

/// onnx -> linalg/tensor/arith/math patterns, by family.
void populateOnnxControlFlowToScfPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxConvToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxDetectionToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxIndexingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxLossToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxMatMulToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxNormalizationToLinalgPatterns(
    mlir::RewritePatternSet &patterns);
void populateOnnxPadToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxPoolingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxQuantizationToLinalgPatterns(
    mlir::RewritePatternSet &patterns);
void populateOnnxRecurrentToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxResizeToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxSignalToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxTensorToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateOnnxToLinalgPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "seqc/Conversion/Passes.h.inc"

} // namespace seqc

#endif // SEQC_CONVERSION_PASSES_H
