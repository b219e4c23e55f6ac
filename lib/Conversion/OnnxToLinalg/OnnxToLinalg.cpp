//===- OnnxToLinalg.cpp - convert-onnx-to-linalg ----------------*- C++ -*-===//
//
// Implements `convert-onnx-to-linalg`: applies the pattern families of this
// folder (Conv, Detection, Elementwise, Indexing, Loss, MatMul,
// Normalization, Pooling, Recurrent, Reduction, Resize, Signal, Tensor) once
// to every onnx op, then reports every op left over at its node's location.
//
//===----------------------------------------------------------------------===//

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace seqc {
#define GEN_PASS_DEF_CONVERTONNXTOLINALGPASS
#include "seqc/Conversion/Passes.h.inc"
} // namespace seqc

using namespace mlir;

void seqc::populateOnnxToLinalgPatterns(RewritePatternSet &patterns) {
  populateOnnxConvToLinalgPatterns(patterns);
  populateOnnxDetectionToLinalgPatterns(patterns);
  populateOnnxElementwiseToLinalgPatterns(patterns);
  populateOnnxIndexingToLinalgPatterns(patterns);
  populateOnnxLossToLinalgPatterns(patterns);
  populateOnnxMatMulToLinalgPatterns(patterns);
  populateOnnxNormalizationToLinalgPatterns(patterns);
  populateOnnxPadToLinalgPatterns(patterns);
  populateOnnxPoolingToLinalgPatterns(patterns);
  populateOnnxRecurrentToLinalgPatterns(patterns);
  populateOnnxReductionToLinalgPatterns(patterns);
  populateOnnxResizeToLinalgPatterns(patterns);
  populateOnnxSignalToLinalgPatterns(patterns);
  populateOnnxTensorToLinalgPatterns(patterns);
}

namespace {
struct ConvertOnnxToLinalgPass
    : seqc::impl::ConvertOnnxToLinalgPassBase<ConvertOnnxToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    seqc::populateOnnxToLinalgPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    // Absent optional inputs are dead once their users are lowered.
    getOperation()->walk([](seqc::onnxir::NoValueOp op) {
      if (op->use_empty())
        op->erase();
    });
    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (!llvm::isa_and_present<seqc::onnxir::OnnxDialect>(op->getDialect()) ||
          llvm::isa<seqc::onnxir::NoValueOp, seqc::onnxir::YieldOp>(op))
        return;
      op->emitError() << "'" << op->getName()
                      << "' cannot be lowered to linalg (yet) in this form";
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
