//===- FuseElementwise.cpp - seqc-fuse-elementwise --------------*- C++ -*-===//
//
// Implements `seqc-fuse-elementwise`: upstream's elementwise fusion patterns,
// applied to every op but the linalg ops marked `seqc.in_place` (whose
// destinations were chosen for buffer reuse). Producers marked
// `seqc.keep_order` (loop order chosen for their reads: the FFT scatters
// iterate the transform's layout and write through a permutation) are not
// fused into consumers, which would run them in the consumer's order.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"
#include "seqc/Utils/AttrNames.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace seqc {
#define GEN_PASS_DEF_SEQCFUSEELEMENTWISEPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

namespace {
struct SeqcFuseElementwisePass
    : seqc::impl::SeqcFuseElementwisePassBase<SeqcFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // As linalg-fuse-elementwise-ops: fuse only producers with one use, so
    // that nothing is computed twice.
    linalg::ControlFusionFn control = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return producer && producer->hasOneUse() && !attrs::isInPlace(producer) &&
             !attrs::isKeepOrder(producer);
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));

    // Every op except the marked ones and what they contain.
    SmallVector<Operation *> ops;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (attrs::isInPlace(op))
        return WalkResult::skip();
      if (op != getOperation())
        ops.push_back(op);
      return WalkResult::advance();
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(ops, frozen, config)))
      signalPassFailure();
  }
};
} // namespace
