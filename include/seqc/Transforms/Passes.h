//===- Passes.h - seqc rewrite passes ---------------------------*- C++ -*-===//
//
// Declarations of the seqc passes (generated from Passes.td) and of the
// pattern sets they are built from, so pipelines and other passes can reuse
// the patterns.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_PASSES_H
#define SEQC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include "seqc/Transforms/CostModel.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace seqc {

#define GEN_PASS_DECL
#include "seqc/Transforms/Passes.h.inc"

/// Reference lowerings, one pattern set per op family.
void populateReferenceAttentionPatterns(mlir::RewritePatternSet &patterns);
void populateReferenceScanPatterns(mlir::RewritePatternSet &patterns);
void populateReferenceConvPatterns(mlir::RewritePatternSet &patterns);
void populateReferenceFFTPatterns(mlir::RewritePatternSet &patterns);
/// All of the above.
void populateSeqReferenceLoweringPatterns(mlir::RewritePatternSet &patterns);

/// seq.ssm_kernel with constant parameters -> its kernel as a constant
/// (kernels of at most `maxElements` elements).
void populateSeqFoldSSMKernelPatterns(mlir::RewritePatternSet &patterns,
                                      int64_t maxElements);

/// Part of seq-raise-onnx: the FFT convolution written with ONNX DFT ops,
/// Re IDFT(DFT(x) * DFT(k)) (full spectra, or onesided ones with their
/// Hermitian extension), -> causal seq.long_conv
/// (passes/Raise/RaiseFFTConv.cpp). Benefit 2, rooted at the real-part
/// extraction, so it fires before the DFT ops themselves are raised.
void populateRaiseFFTConvPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "seqc/Transforms/Passes.h.inc"

} // namespace seqc

#endif // SEQC_TRANSFORMS_PASSES_H
