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
// kVectors x kLanes outputs are kept in kVectors vector accumulators while
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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;

namespace {

/// f32 lanes per vector (one AVX-512 register) and vectors per block.
constexpr int64_t kLanes = 16;
constexpr int64_t kVectors = 8;
constexpr int64_t kBlock = kLanes * kVectors;

struct LongConvToDirect : OpRewritePattern<seq::LongConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(seq::LongConvOp op,
                                PatternRewriter &rw) const override {
    auto impl = op.getImpl();
    if (!impl || *impl != seq::ImplKind::direct)
      return rw.notifyMatchFailure(op, "not impl = direct");
    Location loc = op.getLoc();
    Value x = op.getX(), k = op.getKernel(), bias = op.getBias();
    auto xt = llvm::cast<RankedTensorType>(x.getType());
    Type ft = xt.getElementType();
    if (!ft.isF32())
      return rw.notifyMatchFailure(op, "f32 only");
    auto c = [&](int64_t v) { return indexConst(rw, loc, v); };

    Value bDim = dimValue(rw, loc, x, 0), cDim = dimValue(rw, loc, x, 1);
    Value lDim = dimValue(rw, loc, x, 2), kDim = dimValue(rw, loc, k, 1);
    Value km1 = arith::SubIOp::create(rw, loc, kDim, c(1));
    Value shift = c(0);
    if (op.getMode() == seq::ConvMode::centered)
      shift = arith::DivUIOp::create(rw, loc, km1, c(2));
    // Lr = L rounded up to whole blocks.
    Value lr = arith::MulIOp::create(
        rw, loc,
        arith::DivUIOp::create(
            rw, loc, arith::AddIOp::create(rw, loc, lDim, c(kBlock - 1)),
            c(kBlock)),
        c(kBlock));
    Value left = arith::SubIOp::create(rw, loc, km1, shift);
    Value right = arith::AddIOp::create(
        rw, loc, arith::SubIOp::create(rw, loc, lr, lDim), shift);
    Value zero = floatConst(rw, loc, ft, 0.0);
    OpFoldResult z = rw.getIndexAttr(0), one = rw.getIndexAttr(1);
    auto padded = tensor::PadOp::create(
        rw, loc, RankedTensorType::get({xt.getDimSize(0), xt.getDimSize(1),
                                        ShapedType::kDynamic},
                                       ft),
        x, ArrayRef<OpFoldResult>{z, z, left},
        ArrayRef<OpFoldResult>{z, z, right}, zero);
    Value xp = padded.getResult();

    // One task per (b, c) row.
    Value rows = arith::MulIOp::create(rw, loc, bDim, cDim);
    SmallVector<Value> dyn;
    if (xt.isDynamicDim(0))
      dyn.push_back(bDim);
    if (xt.isDynamicDim(1))
      dyn.push_back(cDim);
    dyn.push_back(lr);
    auto outType = RankedTensorType::get(
        {xt.getDimSize(0), xt.getDimSize(1), ShapedType::kDynamic}, ft);
    Value init = tensor::EmptyOp::create(rw, loc, outType, dyn);

    auto vt = VectorType::get({kLanes}, ft);
    auto rowType = RankedTensorType::get({ShapedType::kDynamic}, ft);
    auto forall = scf::ForallOp::create(
        rw, loc, ArrayRef<OpFoldResult>{rows}, ValueRange{init},
        std::nullopt);
    {
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPoint(forall.getTerminator());
      Value r = forall.getInductionVar(0);
      Value bi = arith::DivUIOp::create(rw, loc, r, cDim);
      Value ci = arith::RemUIOp::create(rw, loc, r, cDim);
      Value xpLen = dimValue(rw, loc, xp, 2);
      Value xrow = tensor::ExtractSliceOp::create(
          rw, loc, rowType, xp, ArrayRef<OpFoldResult>{bi, ci, z},
          ArrayRef<OpFoldResult>{one, one, xpLen},
          ArrayRef<OpFoldResult>{one, one, one});
      Value shared = forall.getRegionIterArgs()[0];
      Value yrow = tensor::ExtractSliceOp::create(
          rw, loc, rowType, shared, ArrayRef<OpFoldResult>{bi, ci, z},
          ArrayRef<OpFoldResult>{one, one, lr},
          ArrayRef<OpFoldResult>{one, one, one});
      Value b0 = zero;
      if (bias)
        b0 = tensor::ExtractOp::create(rw, loc, bias, ValueRange{ci});
      Value b0v = vector::BroadcastOp::create(rw, loc, vt, b0);
      bool inBounds[] = {true};

      auto blocks = scf::ForOp::create(
          rw, loc, c(0), lr, c(kBlock), ValueRange{yrow},
          [&](OpBuilder &b, Location l, Value t0, ValueRange iter) {
            SmallVector<Value> acc0(kVectors, b0v);
            auto taps = scf::ForOp::create(
                b, l, indexConst(b, l, 0), kDim, indexConst(b, l, 1), acc0,
                [&](OpBuilder &b, Location l, Value j, ValueRange acc) {
                  Value tap = tensor::ExtractOp::create(
                      b, l, k,
                      ValueRange{ci, arith::SubIOp::create(b, l, km1, j)});
                  Value w = vector::BroadcastOp::create(b, l, vt, tap);
                  Value base = arith::AddIOp::create(b, l, t0, j);
                  SmallVector<Value> next;
                  for (int64_t u = 0; u < kVectors; ++u) {
                    Value at = arith::AddIOp::create(
                        b, l, base, indexConst(b, l, u * kLanes));
                    Value xv = vector::TransferReadOp::create(
                        b, l, vt, xrow, ValueRange{at}, zero,
                        ArrayRef<bool>(inBounds));
                    next.push_back(
                        vector::FMAOp::create(b, l, xv, w, acc[u]));
                  }
                  scf::YieldOp::create(b, l, next);
                });
            Value y = iter[0];
            for (int64_t u = 0; u < kVectors; ++u) {
              Value at = arith::AddIOp::create(b, l, t0,
                                               indexConst(b, l, u * kLanes));
              y = vector::TransferWriteOp::create(b, l, taps.getResult(u), y,
                                                  ValueRange{at},
                                                  ArrayRef<bool>(inBounds))
                      .getResult();
            }
            scf::YieldOp::create(b, l, y);
          });
      rw.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(
          rw, loc, blocks.getResult(0), shared,
          ArrayRef<OpFoldResult>{bi, ci, z},
          ArrayRef<OpFoldResult>{one, one, lr},
          ArrayRef<OpFoldResult>{one, one, one});
    }
    // Drop the block padding.
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
