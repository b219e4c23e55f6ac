//===- SelectImpl.cpp - seq-select-impl -------------------------*- C++ -*-===//
//
// Implements `seq-select-impl`: the algorithm choice for every seq op that
// has none, from a cost model.
//
// long_conv: three algorithms, each with a flop count per channel —
//   direct:        2 L K (the vectorized sum, passes/Lower/LongConvDirect.cpp)
//   fft:           three complex transforms of length N = 2^ceil(log2(L+K-1))
//                  (5 N log2 N flops each; two when the kernel's spectrum is a
//                  compile-time constant) plus the spectral product
//   overlap_save:  L / (n - K + 1) blocks of n points (passes/Lower/LongConv.h),
//                  two transforms and a product each; only when K is static
//                  and n < N
// — and a sustained rate (GFLOP/s, one thread) of each generated path on
// this machine, measured by bench/calibrate_long_conv.py (it prints them;
// the method is in its header). The smallest flops / rate wins.
//
//===----------------------------------------------------------------------===//

#include "seqc/Utils/ConstantData.h"
#include "Lower/FFTBuilder.h"
#include "Lower/LongConv.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "llvm/Support/MathExtras.h"

namespace seqc {
#define GEN_PASS_DEF_SEQSELECTIMPLPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

// Sustained rates (GFLOP/s, 1 thread) of the three lowerings, from
// `bench/calibrate_long_conv.py` (its 12 default (L, K) pairs, C = 256,
// median of 5 runs; 2026-11-30 12:29 on the 2-core development VM, output
// in bench/results/calibrate_long_conv.txt). The model agrees with the
// faster measured path on 9 of the 12 pairs and is within 1.12x on the
// other 3; the crossover from the direct sum is K* ~ 200-280, overlap-save
// then wins until K ~ L/8, the single FFT beyond. (Before the fix of
// buffers leaked from scf.forall bodies -- every call page-faulted its FFT
// planes afresh -- the same script measured FFT paths at 4-10 GFLOP/s.)
static constexpr double kDirectGflops = 109.67;
static constexpr double kFftGflops = 45.24;
static constexpr double kOverlapSaveGflops = 33.91;

/// The algorithm with the smallest estimated time per channel.
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
  seq::ImplKind best = fft < direct ? seq::ImplKind::fft
                                    : seq::ImplKind::direct;
  double bestTime = std::min(fft, direct);
  int64_t block = overlapSaveLength(k);
  if (block > 0 && double(block) < n) {
    double os = double(l) * overlapSaveFlopsPerOutput(k, block) /
                kOverlapSaveGflops;
    if (os < bestTime)
      best = seq::ImplKind::overlap_save;
  }
  return best;
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
