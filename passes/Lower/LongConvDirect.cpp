//===- LongConvDirect.cpp - long_conv impl = direct, vectorized -*- C++ -*-===//
//
// Part of `seq-lower-long-conv`: seq.long_conv with impl = direct becomes a
// register-blocked direct sum written with vector ops on tensors.
//
// With the input padded on the left by K-1-s (s = 0 causal, (K-1)/2
// centred) and the kernel read backwards, every output is a correlation:
//
//   y[b,c,t] = bias[c] + sum_{j<K} k[c,K-1-j] * xp[b,c,t+j]
//
// Each (b, c) row is one task of an scf.forall. Within a row, blocks of
// kVectors x lanes outputs (lanes: f32 per vector register of the target,
// seqc::targetVectorLanes) are kept in kVectors vector accumulators while
// the tap loop runs: per tap one scalar load (broadcast) and kVectors
// unaligned vector loads of xp feed kVectors FMAs, so the loop is bound by
// loads, not by the FMA latency (8 independent chains). The input is also
// padded on the right up to a whole number of blocks, so no read or write
// needs a mask; the outputs past L are computed and dropped.
//
// The reference lowering (passes/Lower/Reference/Conv.cpp) reads x with bounds
// checks per element and does not vectorize: ~4 GFLOP/s against this path's
// tens (bench/calibrate_long_conv.py measures both).
//
//===----------------------------------------------------------------------===//

#include "Lower/LongConv.h"
#include "Lower/Reference/Utils.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Utils/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;

namespace {

/// Vectors per block: independent accumulators (FMA chains) per tap loop.
constexpr int64_t kVectors = 8;

/// What the tasks of one direct sum share.
struct DirectPlan {
  /// f32 lanes per vector (the target's vector width) and outputs per
  /// block (lanes x kVectors).
  int64_t lanes, block;
  VectorType vt;
  /// C, K, K - 1 and L rounded up to whole blocks (Lr).
  Value cDim, kDim, km1, lr;
  /// x padded by K-1-s on the left and up to Lr + K - 1 on the right.
  Value xp;
  Value zero;
};

/// The shape computations and the padded input of the direct sum of `op`.
DirectPlan planDirect(seq::LongConvOp op, PatternRewriter &rw) {
  Location loc = op.getLoc();
  Value x = op.getX(), k = op.getKernel();
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  Type ft = xt.getElementType();
  auto c = [&](int64_t v) { return indexConst(rw, loc, v); };
  DirectPlan p;
  p.lanes = targetVectorLanes(op, ft.getIntOrFloatBitWidth());
  p.block = p.lanes * kVectors;
  p.vt = VectorType::get({p.lanes}, ft);
  p.cDim = dimValue(rw, loc, x, 1);
  Value lDim = dimValue(rw, loc, x, 2);
  p.kDim = dimValue(rw, loc, k, 1);
  p.km1 = arith::SubIOp::create(rw, loc, p.kDim, c(1));
  Value shift = c(0);
  if (op.getMode() == seq::ConvMode::centered)
    shift = arith::DivUIOp::create(rw, loc, p.km1, c(2));
  // Lr = L rounded up to whole blocks.
  p.lr = arith::MulIOp::create(
      rw, loc,
      arith::DivUIOp::create(
          rw, loc, arith::AddIOp::create(rw, loc, lDim, c(p.block - 1)),
          c(p.block)),
      c(p.block));
  Value left = arith::SubIOp::create(rw, loc, p.km1, shift);
  Value right = arith::AddIOp::create(
      rw, loc, arith::SubIOp::create(rw, loc, p.lr, lDim), shift);
  p.zero = floatConst(rw, loc, ft, 0.0);
  OpFoldResult z = rw.getIndexAttr(0);
  auto padded = tensor::PadOp::create(
      rw, loc,
      RankedTensorType::get(
          {xt.getDimSize(0), xt.getDimSize(1), ShapedType::kDynamic}, ft),
      x, ArrayRef<OpFoldResult>{z, z, left},
      ArrayRef<OpFoldResult>{z, z, right}, p.zero);
  p.xp = padded.getResult();
  return p;
}

/// One block of outputs t0 .. t0 + block of a row: kVectors accumulators
/// (starting at the bias `b0v`) over the tap loop, each tap one broadcast
/// of k[ci, K-1-j] and kVectors unaligned loads of xrow at t0 + j + u
/// lanes; the accumulators are written into `y` (the row's outputs).
Value directBlock(OpBuilder &b, Location l, const DirectPlan &p, Value k,
                  Value ci, Value xrow, Value b0v, Value t0, Value y) {
  bool inBounds[] = {true};
  SmallVector<Value> acc0(kVectors, b0v);
  auto taps = scf::ForOp::create(
      b, l, indexConst(b, l, 0), p.kDim, indexConst(b, l, 1), acc0,
      [&](OpBuilder &b, Location l, Value j, ValueRange acc) {
        Value tap = tensor::ExtractOp::create(
            b, l, k, ValueRange{ci, arith::SubIOp::create(b, l, p.km1, j)});
        Value w = vector::BroadcastOp::create(b, l, p.vt, tap);
        Value base = arith::AddIOp::create(b, l, t0, j);
        SmallVector<Value> next;
        for (int64_t u = 0; u < kVectors; ++u) {
          Value at =
              arith::AddIOp::create(b, l, base, indexConst(b, l, u * p.lanes));
          Value xv =
              vector::TransferReadOp::create(b, l, p.vt, xrow, ValueRange{at},
                                             p.zero, ArrayRef<bool>(inBounds));
          next.push_back(vector::FMAOp::create(b, l, xv, w, acc[u]));
        }
        scf::YieldOp::create(b, l, next);
      });
  for (int64_t u = 0; u < kVectors; ++u) {
    Value at = arith::AddIOp::create(b, l, t0, indexConst(b, l, u * p.lanes));
    y = vector::TransferWriteOp::create(b, l, taps.getResult(u), y,
                                        ValueRange{at},
                                        ArrayRef<bool>(inBounds))
            .getResult();
  }
  return y;
}

/// The body of the forall task for (b, c) row r: the row's padded input and
/// outputs, block by block, inserted into the shared result.
void directRowTask(PatternRewriter &rw, Location loc, const DirectPlan &p,
                   scf::ForallOp forall, Value k, Value bias) {
  OpBuilder::InsertionGuard guard(rw);
  rw.setInsertionPoint(forall.getTerminator());
  OpFoldResult z = rw.getIndexAttr(0), one = rw.getIndexAttr(1);
  auto rowType =
      RankedTensorType::get({ShapedType::kDynamic}, p.vt.getElementType());
  Value r = forall.getInductionVar(0);
  Value bi = arith::DivUIOp::create(rw, loc, r, p.cDim);
  Value ci = arith::RemUIOp::create(rw, loc, r, p.cDim);
  Value xpLen = dimValue(rw, loc, p.xp, 2);
  Value xrow = tensor::ExtractSliceOp::create(
      rw, loc, rowType, p.xp, ArrayRef<OpFoldResult>{bi, ci, z},
      ArrayRef<OpFoldResult>{one, one, xpLen},
      ArrayRef<OpFoldResult>{one, one, one});
  Value shared = forall.getRegionIterArgs()[0];
  Value yrow = tensor::ExtractSliceOp::create(
      rw, loc, rowType, shared, ArrayRef<OpFoldResult>{bi, ci, z},
      ArrayRef<OpFoldResult>{one, one, p.lr},
      ArrayRef<OpFoldResult>{one, one, one});
  Value b0 = p.zero;
  if (bias)
    b0 = tensor::ExtractOp::create(rw, loc, bias, ValueRange{ci});
  Value b0v = vector::BroadcastOp::create(rw, loc, p.vt, b0);
  auto blocks = scf::ForOp::create(
      rw, loc, indexConst(rw, loc, 0), p.lr, indexConst(rw, loc, p.block),
      ValueRange{yrow},
      [&](OpBuilder &b, Location l, Value t0, ValueRange iter) {
        scf::YieldOp::create(
            b, l, directBlock(b, l, p, k, ci, xrow, b0v, t0, iter[0]));
      });
  rw.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(rw, loc, blocks.getResult(0), shared,
                                        ArrayRef<OpFoldResult>{bi, ci, z},
                                        ArrayRef<OpFoldResult>{one, one, p.lr},
                                        ArrayRef<OpFoldResult>{one, one, one});
}

struct LongConvToDirect : OpRewritePattern<seq::LongConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(seq::LongConvOp op,
                                PatternRewriter &rw) const override {
    auto impl = op.getImpl();
    if (!impl || *impl != seq::ImplKind::direct)
      return rw.notifyMatchFailure(op, "not impl = direct");
    Location loc = op.getLoc();
    Value x = op.getX();
    auto xt = llvm::cast<RankedTensorType>(x.getType());
    Type ft = xt.getElementType();
    if (!ft.isF32())
      return rw.notifyMatchFailure(op, "f32 only");
    Value bDim = dimValue(rw, loc, x, 0);
    DirectPlan p = planDirect(op, rw);

    // One task per (b, c) row.
    Value rows = arith::MulIOp::create(rw, loc, bDim, p.cDim);
    SmallVector<Value> dyn;
    if (xt.isDynamicDim(0))
      dyn.push_back(bDim);
    if (xt.isDynamicDim(1))
      dyn.push_back(p.cDim);
    dyn.push_back(p.lr);
    auto outType = RankedTensorType::get(
        {xt.getDimSize(0), xt.getDimSize(1), ShapedType::kDynamic}, ft);
    Value init = tensor::EmptyOp::create(rw, loc, outType, dyn);
    auto forall = scf::ForallOp::create(rw, loc, ArrayRef<OpFoldResult>{rows},
                                        ValueRange{init}, std::nullopt);
    directRowTask(rw, loc, p, forall, op.getKernel(), op.getBias());

    // Drop the block padding.
    OpFoldResult z = rw.getIndexAttr(0), one = rw.getIndexAttr(1);
    SmallVector<OpFoldResult> sizes = sizesOf(rw, loc, x);
    Value y = tensor::ExtractSliceOp::create(
        rw, loc, forall.getResult(0), ArrayRef<OpFoldResult>{z, z, z}, sizes,
        ArrayRef<OpFoldResult>{one, one, one});
    if (y.getType() != op.getType())
      y = tensor::CastOp::create(rw, loc, op.getType(), y);
    rw.replaceOp(op, y);
    return success();
  }
};
} // namespace

void seqc::populateLongConvDirectPatterns(RewritePatternSet &patterns) {
  patterns.add<LongConvToDirect>(patterns.getContext());
}
