//===- SelectImpl.cpp - seq-select-impl -------------------------*- C++ -*-===//
//
// Implements `seq-select-impl`: the algorithm choice for every token mixer
// (ImplInterface) that has none. Generic over the interface: each allowed
// algorithm's estimated work over its rate in the cost model
// (seqc/Transforms/CostModel.h); the smallest time wins, ties going to the
// algorithm listed first.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/CostModel.h"

#include "seqc/Transforms/Passes.h"
#include "seqc/Utils/ConstantData.h"

namespace seqc {
#define GEN_PASS_DEF_SEQSELECTIMPLPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

std::optional<double> CostModel::rate(Operation *op, seq::ImplKind kind) const {
  using seq::ImplKind;
  if (llvm::isa<seq::LongConvOp>(op)) {
    switch (kind) {
    case ImplKind::direct:
      return longConvDirect;
    case ImplKind::fft:
      return longConvFFT;
    case ImplKind::overlap_save:
      return longConvOverlapSave;
    default:
      return std::nullopt;
    }
  }
  if (llvm::isa<seq::FFTOp, seq::RFFTOp, seq::IRFFTOp>(op) &&
      (kind == ImplKind::mixed_radix || kind == ImplKind::bluestein))
    return fft;
  return std::nullopt;
}

/// Whether `v` is known at compile time (its work can be folded).
static bool isCompileTimeConstant(Value v) {
  return readF32Constant(v).has_value();
}

seq::ImplKind seqc::chooseImpl(seq::ImplInterface op, const CostModel &model) {
  seq::ImplKind best = seq::ImplKind::reference;
  std::optional<double> bestTime;
  for (seq::ImplKind kind : op.getAllowedImpls()) {
    std::optional<double> rate = model.rate(op, kind);
    if (!rate)
      continue;
    std::optional<seq::ImplWork> work =
        op.estimateWork(kind, isCompileTimeConstant);
    if (!work)
      continue;
    double time = work->flops / *rate;
    if (!bestTime || time < *bestTime) {
      best = kind;
      bestTime = time;
    }
  }
  return best;
}

namespace {
struct SeqSelectImplPass
    : seqc::impl::SeqSelectImplPassBase<SeqSelectImplPass> {
  using SeqSelectImplPassBase::SeqSelectImplPassBase;

  void runOnOperation() override {
    CostModel model;
    model.longConvDirect = longConvDirectGflops;
    model.longConvFFT = longConvFFTGflops;
    model.longConvOverlapSave = longConvOverlapSaveGflops;
    model.fft = fftGflops;
    getOperation()->walk([&](seq::ImplInterface op) {
      if (!op.getImplKind())
        op.setImplKind(chooseImpl(op, model));
    });
  }
};
} // namespace
