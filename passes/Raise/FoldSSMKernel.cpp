//===- FoldSSMKernel.cpp - seq-fold-ssm-kernel ------------------*- C++ -*-===//
//
// Implements `seq-fold-ssm-kernel`: a `seq.ssm_kernel` whose parameters
// (A, B, C, log_dt) and length are compile-time constants is evaluated here,
// in double precision, and replaced by the constant kernel. This is an SSM
// in convolution mode with nothing left to compute at run time but the
// convolution: a `seq.long_conv` fed by the kernel sees a constant, so its
// FFT lowering computes the kernel's spectrum at compile time as well.
//
// The evaluation is the op's definition (see SeqOps.td):
//
//   dt = exp(log_dt[c]),  dA = dt A[c,n]
//   zoh:       Abar = exp(dA),                  Bbar = (exp(dA) - 1) / A B
//   bilinear:  Abar = (1 + dA/2) / (1 - dA/2),  Bbar = dt B / (1 - dA/2)
//   K[c,l] = 2 Re(sum_n C[c,n] Bbar[c,n] Abar[c,n]^l)
//
// with (exp(dA) - 1) / A evaluated as dt expm1(dA) / dA (no cancellation
// for small |dA|; dt, its limit, at dA = 0). Abar^l runs by repeated
// multiplication, restarted from exp(l log Abar) every kAnchor steps so that
// the rounding error stays that of a few dozen products.
//
//===----------------------------------------------------------------------===//

#include "seqc/Utils/ConstantData.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>
#include <complex>

namespace seqc {
#define GEN_PASS_DEF_SEQFOLDSSMKERNELPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

using Complex = std::complex<double>;

/// Steps of the power recurrence between two exact restarts.
static constexpr int64_t kAnchor = 64;

/// exp(z) - 1 without cancellation when |z| is small:
/// e^x cos y - 1 = expm1(x) cos y - 2 sin^2(y/2).
static Complex expm1(Complex z) {
  double x = z.real(), y = z.imag(), s = std::sin(0.5 * y);
  return {std::expm1(x) * std::cos(y) - 2.0 * s * s, std::exp(x) * std::sin(y)};
}

/// K (channels x length, row-major) from the SSM parameters (channels x
/// state, row-major) and log_dt (channels).
static std::vector<double>
evaluateKernel(ArrayRef<Complex> a, ArrayRef<Complex> b, ArrayRef<Complex> c,
               ArrayRef<double> logDt, int64_t channels, int64_t state,
               int64_t length, bool zoh) {
  std::vector<double> k(size_t(channels * length), 0.0);
  for (int64_t ch = 0; ch < channels; ++ch) {
    double dt = std::exp(logDt[ch]);
    double *row = k.data() + ch * length;
    for (int64_t n = 0; n < state; ++n) {
      int64_t i = ch * state + n;
      Complex dA = dt * a[i];
      Complex aBar, bBar, logABar;
      if (zoh) {
        aBar = std::exp(dA);
        logABar = dA; // exp(l dA) = exp(dA)^l for every integer l
        bBar = (dA == Complex(0.0) ? Complex(dt) : dt * expm1(dA) / dA) * b[i];
      } else {
        Complex den = 1.0 - 0.5 * dA;
        aBar = (1.0 + 0.5 * dA) / den;
        logABar = std::log(aBar);
        bBar = dt * b[i] / den;
      }
      // Twice the real part of w Abar^l, summed into the row.
      Complex w = 2.0 * c[i] * bBar, power;
      for (int64_t l = 0; l < length; ++l) {
        if (l % kAnchor == 0)
          power = l == 0 ? Complex(1.0) : std::exp(double(l) * logABar);
        else
          power *= aBar;
        row[l] += (w * power).real();
      }
    }
  }
  return k;
}

/// The elements of `values` as a dense attribute of `type` (f32 or f64).
static DenseElementsAttr toAttr(RankedTensorType type,
                                const std::vector<double> &values) {
  if (type.getElementType().isF64())
    return DenseElementsAttr::get(type, ArrayRef<double>(values));
  std::vector<float> narrow(values.begin(), values.end());
  return DenseElementsAttr::get(type, ArrayRef<float>(narrow));
}

namespace {

/// seq.ssm_kernel with constant operands -> arith.constant.
struct FoldConstantSSMKernel : OpRewritePattern<seq::SSMKernelOp> {
  FoldConstantSSMKernel(MLIRContext *ctx, int64_t maxElements)
      : OpRewritePattern(ctx), maxElements(maxElements) {}

  LogicalResult matchAndRewrite(seq::SSMKernelOp op,
                                PatternRewriter &rw) const override {
    auto kt = llvm::cast<RankedTensorType>(op.getType());
    Type ft = kt.getElementType();
    if (!ft.isF32() && !ft.isF64())
      return rw.notifyMatchFailure(op, "kernel is neither f32 nor f64");
    int64_t length = kt.getDimSize(1);
    if (ShapedType::isDynamic(length)) {
      APInt value;
      if (!matchPattern(op.getLength(), m_ConstantInt(&value)))
        return rw.notifyMatchFailure(op, "length is not a constant");
      length = value.getSExtValue();
    }
    std::optional<std::vector<Complex>> a = readComplexConstant(op.getA());
    std::optional<std::vector<Complex>> b = readComplexConstant(op.getB());
    std::optional<std::vector<Complex>> c = readComplexConstant(op.getC());
    std::optional<std::vector<double>> logDt = readRealConstant(op.getLogDt());
    if (!a || !b || !c || !logDt)
      return rw.notifyMatchFailure(op, "parameters are not constants");
    // The constants' (static) shapes; the verifier made them agree.
    int64_t channels = int64_t(logDt->size());
    if (channels == 0 || a->size() % channels || a->size() != b->size() ||
        a->size() != c->size())
      return rw.notifyMatchFailure(op, "parameter sizes disagree");
    int64_t state = int64_t(a->size()) / channels;
    if (length < 0 || channels * length > maxElements)
      return rw.notifyMatchFailure(op, "kernel too large to fold");

    std::vector<double> k =
        evaluateKernel(*a, *b, *c, *logDt, channels, state, length,
                       op.getDiscretization() == seq::Discretization::zoh);
    auto staticType = RankedTensorType::get({channels, length}, ft);
    Value folded =
        arith::ConstantOp::create(rw, op.getLoc(), toAttr(staticType, k));
    if (staticType != kt)
      folded = tensor::CastOp::create(rw, op.getLoc(), kt, folded);
    rw.replaceOp(op, folded);
    return success();
  }

  int64_t maxElements;
};

struct SeqFoldSSMKernelPass
    : seqc::impl::SeqFoldSSMKernelPassBase<SeqFoldSSMKernelPass> {
  using SeqFoldSSMKernelPassBase::SeqFoldSSMKernelPassBase;

  void runOnOperation() override {
    // The producers of the parameters: those the folds leave dead go too.
    SetVector<Operation *> producers;
    getOperation()->walk([&](seq::SSMKernelOp op) {
      for (Value v : op->getOperands())
        if (Operation *def = v.getDefiningOp())
          producers.insert(def);
    });
    RewritePatternSet patterns(&getContext());
    populateSeqFoldSSMKernelPatterns(patterns, maxElements);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    while (!producers.empty()) {
      Operation *def = producers.pop_back_val();
      if (!def->use_empty() ||
          !llvm::isa<arith::ConstantOp, tensor::CastOp>(def))
        continue;
      for (Value v : def->getOperands())
        if (Operation *up = v.getDefiningOp())
          producers.insert(up);
      def->erase();
    }
  }
};

} // namespace

void seqc::populateSeqFoldSSMKernelPatterns(RewritePatternSet &patterns,
                                            int64_t maxElements) {
  patterns.add<FoldConstantSSMKernel>(patterns.getContext(), maxElements);
}
