//===- SelectImpl.cpp - seq-select-impl -------------------------*- C++ -*-===//
//
// Implements `seq-select-impl`: the algorithm choice for every seq op that
// has none, from a cost model.
//
// long_conv: the direct sum costs about L*K multiply-adds per channel (half
// that, causal, when K ~ L; the estimate keeps L*K); the FFT path costs
// three complex transforms of length N = 2^ceil(log2(L+K-1)) per channel
// (5 N log2 N flops each; two when the kernel spectrum is a compile-time
// constant) plus the spectral product. The two rates below are the
// sustained GFLOP/s of each generated path on this machine, one thread, as
// measured by bench/calibrate_long_conv.py (it prints them; the method is in
// its header). Only their ratio matters.
//
//===----------------------------------------------------------------------===//

#include "ConstantData.h"
#include "FFTBuilder.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "llvm/Support/MathExtras.h"

namespace seqc {
#define GEN_PASS_DEF_SEQSELECTIMPLPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

// Sustained rates (GFLOP/s, 1 thread) of the direct and FFT lowerings, from
// `bench/calibrate_long_conv.py` (its 16 default (L, K) pairs, C = 256,
// median of 5 runs; 2026-11-30 09:15 on the 2-core development VM, output
// in bench/results/calibrate_long_conv.txt). With them the model picks the
// faster measured path on all 16 pairs and puts the crossover at
// K* = 45 (L = 1K), 52 (4K), 60 (16K), 67 (64K), 83 (1M). A run just before
// gave 4.04 / 10.31. (Before the FFT lowering's real-transform rewrite the
// same script measured 3.09 / 3.55, crossover K* ~ 100-150.) One rate per
// path hides the size effects: the direct sum runs ~7 GFLOP/s at K = 16,
// ~3.3 at K >= 256; the FFT ~9 at N = 2^17 against ~11 at N = 2^15.
static constexpr double kDirectGflops = 3.96;
static constexpr double kFftGflops = 10.43;

/// Estimated seconds per channel of each long_conv algorithm.
static seq::ImplKind chooseLongConv(seq::LongConvOp op) {
  auto xt = llvm::cast<RankedTensorType>(op.getX().getType());
  auto kt = llvm::cast<RankedTensorType>(op.getKernel().getType());
  int64_t k = kt.getDimSize(1);
  if (ShapedType::isDynamic(k))
    return seq::ImplKind::fft; // a kernel as long as the input, typically
  int64_t l = xt.getDimSize(2);
  if (ShapedType::isDynamic(l))
    l = k; // long-convolution kernels are as long as the sequence
  double n = double(llvm::PowerOf2Ceil(uint64_t(l + k - 1)));
  double direct = 2.0 * double(l) * double(k) / kDirectGflops;
  bool constKernel = readF32Constant(op.getKernel()).has_value();
  double transforms = constKernel ? 2.0 : 3.0;
  double fft = (transforms * 5.0 * n * std::log2(n) + 6.0 * n) / kFftGflops;
  return fft < direct ? seq::ImplKind::fft : seq::ImplKind::direct;
}

/// fft, rfft, irfft: mixed radix for static lengths with small prime
/// factors, Bluestein otherwise (large primes, lengths known at run time).
static seq::ImplKind chooseFFT(Value input, int64_t axis,
                               std::optional<uint64_t> length, bool c2r) {
  auto it = llvm::cast<RankedTensorType>(input.getType());
  int64_t n = ShapedType::kDynamic;
  if (length)
    n = int64_t(*length);
  else if (!it.isDynamicDim(axis))
    n = c2r ? 2 * (it.getDimSize(axis) - 1) : it.getDimSize(axis);
  if (!ShapedType::isDynamic(n) && n >= 1 && fft::isSmooth(n))
    return seq::ImplKind::mixed_radix;
  return seq::ImplKind::bluestein;
}

namespace {
struct SeqSelectImplPass
    : seqc::impl::SeqSelectImplPassBase<SeqSelectImplPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    getOperation()->walk([&](Operation *op) {
      if (!llvm::isa_and_present<seq::SeqDialect>(op->getDialect()) ||
          op->hasAttr("impl"))
        return;
      seq::ImplKind kind = seq::ImplKind::reference;
      if (auto conv = llvm::dyn_cast<seq::LongConvOp>(op))
        kind = chooseLongConv(conv);
      else if (auto f = llvm::dyn_cast<seq::FFTOp>(op))
        kind = chooseFFT(f.getInput(), f.getAxis(), f.getLength(), false);
      else if (auto f = llvm::dyn_cast<seq::RFFTOp>(op))
        kind = chooseFFT(f.getInput(), f.getAxis(), f.getLength(), false);
      else if (auto f = llvm::dyn_cast<seq::IRFFTOp>(op))
        kind = chooseFFT(f.getInput(), f.getAxis(), f.getLength(), true);
      op->setAttr("impl", seq::ImplKindAttr::get(ctx, kind));
    });
  }
};
} // namespace
