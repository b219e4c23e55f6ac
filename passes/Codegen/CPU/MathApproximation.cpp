//===- MathApproximation.cpp - seqc-math-approximation ----------*- C++ -*-===//
//
// Implements `seqc-math-approximation`: f32 transcendental functions become
// polynomial arith code so that the loops around them vectorize (a libm call
// per element is the main cost of softmax and GELU otherwise).
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace seqc {
#define GEN_PASS_DEF_SEQCMATHAPPROXIMATIONPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;

namespace {
struct SeqcMathApproximationPass
    : seqc::impl::SeqcMathApproximationPassBase<SeqcMathApproximationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Functions whose approximations have full-range argument reduction and
    // stay within a few ulp in f32. sin/cos are left to libm: their
    // reduction loses accuracy for large arguments.
    auto wanted = [](StringRef name) {
      return llvm::StringSwitch<bool>(name)
          .Cases({"math.exp", "math.expm1", "math.log", "math.log1p"}, true)
          .Cases({"math.log2", "math.erf", "math.erfc", "math.tanh"}, true)
          .Default(false);
    };
    populateMathPolynomialApproximationPatterns(patterns, wanted);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
