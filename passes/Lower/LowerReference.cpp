//===- LowerReference.cpp - seq-lower-reference -----------------*- C++ -*-===//
//
// Implements `seq-lower-reference`: every seq op becomes the plain loops of
// its definition. The patterns live in Reference/, one file per op family.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace seqc {
#define GEN_PASS_DEF_SEQLOWERREFERENCEPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;

void seqc::populateSeqReferenceLoweringPatterns(RewritePatternSet &patterns) {
  populateReferenceAttentionPatterns(patterns);
  populateReferenceScanPatterns(patterns);
  populateReferenceConvPatterns(patterns);
  populateReferenceFFTPatterns(patterns);
}

namespace {
struct SeqLowerReferencePass
    : seqc::impl::SeqLowerReferencePassBase<SeqLowerReferencePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    seqc::populateSeqReferenceLoweringPatterns(patterns);
    // Each op is rewritten once and its replacement holds no seq ops, so a
    // single walk suffices.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    // Anything left is an op without a reference lowering: a bug.
    WalkResult res = getOperation()->walk([&](Operation *op) {
      if (llvm::isa_and_present<seqc::seq::SeqDialect>(op->getDialect())) {
        op->emitOpError("has no reference lowering");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (res.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
