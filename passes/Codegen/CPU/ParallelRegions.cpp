//===- ParallelRegions.cpp - seqc-parallel-regions --------------*- C++ -*-===//
//
// Implements `seqc-parallel-regions`: decides which scf.parallel loops run on
// threads. Lowering linalg to parallel loops marks every parallel dimension
// of every op, including ops nested in the sequential loops of a scan and
// ops over a handful of elements; opening an OpenMP region for each would
// cost more than it saves. Only the outermost parallel loop of a nest with
// enough work stays parallel; the others become scf.for nests.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace seqc {
#define GEN_PASS_DEF_SEQCPARALLELREGIONSPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;

/// Static trip count of each loop in `op`'s nest multiplied together, or
/// nullopt if one of them is dynamic.
static std::optional<int64_t> staticWork(scf::ParallelOp par) {
  int64_t work = 1;
  bool dynamic = false;
  auto tripCount = [&](Value lb, Value ub, Value step) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0) {
      dynamic = true;
      return;
    }
    // Saturating: a deep nest (an FFT task's stage loops) overflowed int64
    // and read as no work, which serialized the task loop.
    int64_t trips = std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
    constexpr int64_t kCap = int64_t(1) << 40;
    work = trips == 0 ? 0 : (work > kCap / trips ? kCap : work * trips);
  };
  par->walk([&](Operation *op) {
    if (auto p = dyn_cast<scf::ParallelOp>(op))
      for (auto [l, u, s] :
           llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep()))
        tripCount(l, u, s);
    else if (auto f = dyn_cast<scf::ForOp>(op))
      tripCount(f.getLowerBound(), f.getUpperBound(), f.getStep());
  });
  if (dynamic)
    return std::nullopt;
  return work;
}

/// Replaces a parallel loop without reductions by an scf.for nest, except
/// for its first `keep` dims, which stay an scf.parallel around the nest.
static void serialize(IRRewriter &rewriter, scf::ParallelOp par,
                      unsigned keep = 0) {
  if (par.getNumLoops() <= keep)
    return;
  rewriter.setInsertionPoint(par);
  SmallVector<Value> ivs;
  Block *body = nullptr;
  Location loc = par.getLoc();
  if (keep) {
    auto outer = scf::ParallelOp::create(
        rewriter, loc, par.getLowerBound().take_front(keep),
        par.getUpperBound().take_front(keep), par.getStep().take_front(keep));
    llvm::append_range(ivs, outer.getInductionVars());
    body = outer.getBody();
    rewriter.setInsertionPoint(body->getTerminator());
  }
  for (unsigned d = keep; d < par.getNumLoops(); ++d) {
    auto loop = scf::ForOp::create(rewriter, loc, par.getLowerBound()[d],
                                   par.getUpperBound()[d], par.getStep()[d]);
    ivs.push_back(loop.getInductionVar());
    body = loop.getBody();
    rewriter.setInsertionPoint(body->getTerminator());
  }
  Block &parBody = par.getRegion().front();
  rewriter.eraseOp(parBody.getTerminator()); // scf.reduce without operands
  rewriter.inlineBlockBefore(&parBody, body->getTerminator(), ivs);
  rewriter.eraseOp(par);
}

namespace {
struct SeqcParallelRegionsPass
    : seqc::impl::SeqcParallelRegionsPassBase<SeqcParallelRegionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<scf::ParallelOp, unsigned>> toSerialize;
    getOperation()->walk([&](scf::ParallelOp par) {
      if (par.getNumResults())
        return; // reductions: left to convert-scf-to-openmp
      bool nested = par->getParentOfType<LoopLikeOpInterface>() != nullptr;
      std::optional<int64_t> work = staticWork(par);
      // Only the first dim is shared among threads: the OpenMP lowering
      // collapses a multi-dim loop into one index space, and recovering the
      // indices with divisions in the innermost loop defeats vectorization.
      unsigned keep = nested || (work && *work < minIterations) ? 0 : 1;
      toSerialize.push_back({par, keep});
    });
    IRRewriter rewriter(&getContext());
    // Blocks are moved, not cloned: the order does not matter.
    for (auto [par, keep] : toSerialize)
      serialize(rewriter, par, keep);
  }
};
} // namespace
