//===- Scans.cpp - Reference lowering of the recurrences --------*- C++ -*-===//
//
// seq.linear_attention, seq.selective_scan and seq.linear_scan become one
// scf.for over the sequence, carrying the state as a tensor and inserting each
// step's output: the recurrence exactly as written in the op descriptions.
//
//===----------------------------------------------------------------------===//

#include "Lower/Reference/Utils.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::seq;

namespace {

Value yieldOf(OpBuilder &b, Location l, Value v) {
  linalg::YieldOp::create(b, l, v);
  return v;
}

/// Casts `v` to `type` if their static shapes differ.
Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v);
}

//===----------------------------------------------------------------------===//
// seq.linear_attention
//===----------------------------------------------------------------------===//

/// One time step of a linear attention, a method per generic; loops b, h,
/// then i (key dim) and j (value dim).
class LinearAttentionStep {
public:
  LinearAttentionStep(LinearAttentionOp op, Type ft, Value zero,
                      ArrayRef<OpFoldResult> qs, OpFoldResult dv)
      : op(op), ctx(op.getContext()), ft(ft), zero(zero), qs(qs), dv(dv) {
    bindDims(ctx, d0, d1, d2, d3);
    Value decay = op.getDecay();
    vectorDecay =
        decay && llvm::cast<RankedTensorType>(decay.getType()).getRank() == 4;
  }

  /// The step at time t from the state S, the normalizer n and the outputs
  /// o so far: their new values (o with this step's row inserted).
  SmallVector<Value> build(OpBuilder &b, Location l, Value t, ValueRange iter) {
    Value decay = op.getDecay();
    Value qt = sliceAt(b, l, op.getQuery(), 2, t),
          kt = sliceAt(b, l, op.getKey(), 2, t),
          vt = sliceAt(b, l, op.getValue(), 2, t);
    Value at = decay ? sliceAt(b, l, decay, 2, t) : Value();
    Value sNew = state(b, l, iter[0], kt, vt, at);
    Value nNew = normalizer(b, l, iter[1], kt, at);
    Value ot = output(b, l, sNew, qt);
    if (op.getNormalizer() != Normalizer::none)
      ot = normalized(b, l, ot, nNew, qt);
    return {sNew, nNew, insertAt(b, l, ot, iter[2], 2, t)};
  }

private:
  LinearAttentionOp op;
  MLIRContext *ctx;
  Type ft;
  Value zero;
  /// The query's sizes (B, H, L, Dk) and Dv.
  ArrayRef<OpFoldResult> qs;
  OpFoldResult dv;
  /// A decay per key dim (rank 4) rather than per head.
  bool vectorDecay;
  AffineExpr d0, d1, d2, d3;

  AffineMap map(unsigned n, ArrayRef<AffineExpr> es) {
    return AffineMap::get(n, 0, es, ctx);
  }

  /// S[b,h,i,j] = a * S + k[i] v[j], updated in place (`at`: the decay's
  /// slice, or null).
  Value state(OpBuilder &b, Location l, Value s, Value kt, Value vt, Value at) {
    SmallVector<Value> sIns = {kt, vt};
    SmallVector<AffineMap> sMaps = {map(4, {d0, d1, d2}), map(4, {d0, d1, d3})};
    if (at) {
      sIns.push_back(at);
      sMaps.push_back(vectorDecay ? map(4, {d0, d1, d2}) : map(4, {d0, d1}));
    }
    sMaps.push_back(map(4, {d0, d1, d2, d3}));
    return generic(b, l, sIns, s, sMaps, "pppp",
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     Value s = a.back();
                     if (at)
                       s = arith::MulFOp::create(nb, nl, a[2], s);
                     Value kv = arith::MulFOp::create(nb, nl, a[0], a[1]);
                     yieldOf(nb, nl, arith::AddFOp::create(nb, nl, s, kv));
                   });
  }

  /// n[b,h,i] = a * n + k[i], updated in place.
  Value normalizer(OpBuilder &b, Location l, Value n, Value kt, Value at) {
    SmallVector<Value> nIns = {kt};
    SmallVector<AffineMap> nMaps = {map(3, {d0, d1, d2})};
    if (at) {
      nIns.push_back(at);
      nMaps.push_back(vectorDecay ? map(3, {d0, d1, d2}) : map(3, {d0, d1}));
    }
    nMaps.push_back(map(3, {d0, d1, d2}));
    return generic(b, l, nIns, n, nMaps, "ppp",
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     Value n = a.back();
                     if (at)
                       n = arith::MulFOp::create(nb, nl, a[1], n);
                     yieldOf(nb, nl, arith::AddFOp::create(nb, nl, n, a[0]));
                   });
  }

  /// o[b,h,j] = sum_i S[b,h,i,j] q[b,h,i]   (loops b,h,j,i)
  Value output(OpBuilder &b, Location l, Value sNew, Value qt) {
    return generic(
        b, l, {sNew, qt}, filled(b, l, {qs[0], qs[1], dv}, ft, zero),
        {map(4, {d0, d1, d3, d2}), map(4, {d0, d1, d3}), map(4, {d0, d1, d2})},
        "pppr", [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
          yieldOf(nb, nl, arith::AddFOp::create(nb, nl, a[2], m));
        });
  }

  /// o / den with den[b,h] = sum_i n[b,h,i] q[b,h,i] (clamped: / max(|den|,
  /// 1)).
  Value normalized(OpBuilder &b, Location l, Value ot, Value nNew, Value qt) {
    SmallVector<OpFoldResult> rowSizes = {qs[0], qs[1]};
    Value den =
        generic(b, l, {nNew, qt}, filled(b, l, rowSizes, ft, zero),
                {map(3, {d0, d1, d2}), map(3, {d0, d1, d2}), map(3, {d0, d1})},
                "ppr", [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
                  yieldOf(nb, nl, arith::AddFOp::create(nb, nl, a[2], m));
                });
    bool clamped = op.getNormalizer() == Normalizer::clamped;
    return generic(
        b, l, {ot, den}, filled(b, l, {qs[0], qs[1], dv}, ft, Value()),
        {map(3, {d0, d1, d2}), map(3, {d0, d1}), map(3, {d0, d1, d2})}, "ppp",
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value dnm = a[1];
          if (clamped)
            dnm = arith::MaximumFOp::create(nb, nl,
                                            math::AbsFOp::create(nb, nl, dnm),
                                            floatConst(nb, nl, ft, 1.0));
          yieldOf(nb, nl, arith::DivFOp::create(nb, nl, a[0], dnm));
        });
  }
};

struct LowerLinearAttention : OpRewritePattern<LinearAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LinearAttentionOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value q = op.getQuery(), v = op.getValue();
    Type ft = llvm::cast<RankedTensorType>(q.getType()).getElementType();
    Value zero = floatConst(rw, loc, ft, 0.0);
    SmallVector<OpFoldResult> qs = sizesOf(rw, loc, q);
    OpFoldResult dk = qs[3];
    OpFoldResult dv = tensor::getMixedSize(rw, loc, v, 3);
    SmallVector<OpFoldResult> stateSizes = {qs[0], qs[1], dk, dv};
    SmallVector<OpFoldResult> normSizes = {qs[0], qs[1], dk};
    SmallVector<OpFoldResult> outSizes = {qs[0], qs[1], qs[2], dv};

    Value s0 =
        op.getState0() ? op.getState0() : filled(rw, loc, stateSizes, ft, zero);
    s0 = castTo(rw, loc, s0,
                RankedTensorType::get(
                    SmallVector<int64_t>(4, ShapedType::kDynamic), ft));
    Value n0 = filled(rw, loc, normSizes, ft, zero);
    Value o0 = filled(rw, loc, outSizes, ft, Value());
    Value len = dimValue(rw, loc, q, 2);
    LinearAttentionStep step(op, ft, zero, qs, dv);
    auto loop = scf::ForOp::create(
        rw, loc, indexConst(rw, loc, 0), len, indexConst(rw, loc, 1),
        ValueRange{s0, n0, o0},
        [&](OpBuilder &b, Location l, Value t, ValueRange iter) {
          scf::YieldOp::create(b, l, step.build(b, l, t, iter));
        });
    rw.replaceOp(op,
                 {castTo(rw, loc, loop.getResult(2), op.getOut().getType()),
                  castTo(rw, loc, loop.getResult(0), op.getState().getType())});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// seq.selective_scan
//===----------------------------------------------------------------------===//

/// One time step of a selective scan, a method per generic; loops b, d
/// (channel) and n (state).
class SelectiveScanStep {
public:
  SelectiveScanStep(SelectiveScanOp op, Type ft, Value zero, Value one,
                    ArrayRef<OpFoldResult> rowSizes, Value perGroup)
      : op(op), ctx(op.getContext()), ft(ft), zero(zero), one(one),
        rowSizes(rowSizes), perGroup(perGroup),
        grouped(llvm::cast<RankedTensorType>(op.getB().getType()).getRank() ==
                4) {
    bindDims(ctx, d0, d1, d2);
  }

  /// The step at time t: the new state h and the output row's outputs
  /// inserted into `y`.
  std::pair<Value, Value> build(OpBuilder &b, Location l, Value t, Value h,
                                Value y) {
    Value u = op.getU();
    Value ut = sliceAt(b, l, u, 2, t), dtt = sliceAt(b, l, op.getDelta(), 2, t);
    Value Bt = sliceAt(b, l, op.getB(), grouped ? 3 : 2, t);
    Value Ct = sliceAt(b, l, op.getC(), grouped ? 3 : 2, t);
    Value dtp = delta(b, l, dtt);
    Value hNew = state(b, l, h, dtp, ut, Bt);
    Value yt = output(b, l, hNew, Ct);
    if (op.getD() || op.getZ())
      yt = gated(b, l, yt, ut, t);
    return {hNew, insertAt(b, l, yt, y, 2, t)};
  }

private:
  SelectiveScanOp op;
  MLIRContext *ctx;
  Type ft;
  Value zero, one;
  ArrayRef<OpFoldResult> rowSizes;
  /// Channels per group (grouped B/C), for d -> g = d floordiv (D / G).
  Value perGroup;
  bool grouped;
  AffineExpr d0, d1, d2;

  AffineMap map(unsigned nd, ArrayRef<AffineExpr> es) {
    return AffineMap::get(nd, 0, es, ctx);
  }

  /// dt'[b,d] = softplus?(dt + bias)
  Value delta(OpBuilder &b, Location l, Value dtt) {
    Value bias = op.getDeltaBias();
    bool softplus = op.getDeltaSoftplus();
    SmallVector<Value> dIns = {dtt};
    SmallVector<AffineMap> dMaps = {map(2, {d0, d1})};
    if (bias) {
      dIns.push_back(bias);
      dMaps.push_back(map(2, {d1}));
    }
    dMaps.push_back(map(2, {d0, d1}));
    return generic(
        b, l, dIns, filled(b, l, rowSizes, ft, Value()), dMaps, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value x =
              bias ? Value(arith::AddFOp::create(nb, nl, a[0], a[1])) : a[0];
          if (softplus) {
            // log(1 + exp(x)), exact for large x.
            Value sp =
                math::Log1pOp::create(nb, nl, math::ExpOp::create(nb, nl, x));
            Value big = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                              x, floatConst(nb, nl, ft, 20.0));
            x = arith::SelectOp::create(nb, nl, big, x, sp);
          }
          yieldOf(nb, nl, x);
        });
  }

  /// The B/C value (`bc`: this step's slice) for (b, d, n).
  Value readBC(OpBuilder &nb, Location nl, Value bc) {
    Value bi = loopIndex(nb, nl, 0), di = loopIndex(nb, nl, 1),
          ni = loopIndex(nb, nl, 2);
    if (!grouped)
      return tensor::ExtractOp::create(nb, nl, bc, ValueRange{bi, ni});
    Value g = arith::DivUIOp::create(nb, nl, di, perGroup);
    return tensor::ExtractOp::create(nb, nl, bc, ValueRange{bi, g, ni});
  }

  /// h[b,d,n] = exp(dt' A) h + dt' B u, updated in place.
  Value state(OpBuilder &b, Location l, Value h, Value dtp, Value ut,
              Value Bt) {
    return generic(
        b, l, {dtp, op.getA(), ut}, h,
        {map(3, {d0, d1}), map(3, {d1, d2}), map(3, {d0, d1}),
         map(3, {d0, d1, d2})},
        "ppp", [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value decay = math::ExpOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]));
          Value bx = arith::MulFOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, a[0], readBC(nb, nl, Bt)),
              a[2]);
          yieldOf(nb, nl,
                  arith::AddFOp::create(
                      nb, nl, arith::MulFOp::create(nb, nl, decay, a[3]), bx));
        });
  }

  /// y[b,d] = sum_n C h
  Value output(OpBuilder &b, Location l, Value hNew, Value Ct) {
    return generic(b, l, {hNew}, filled(b, l, rowSizes, ft, zero),
                   {map(3, {d0, d1, d2}), map(3, {d0, d1})}, "ppr",
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     Value m = arith::MulFOp::create(nb, nl, readBC(nb, nl, Ct),
                                                     a[0]);
                     yieldOf(nb, nl, arith::AddFOp::create(nb, nl, a[1], m));
                   });
  }

  /// y = (y + D u) * silu(z)
  Value gated(OpBuilder &b, Location l, Value yt, Value ut, Value t) {
    Value Dp = op.getD(), z = op.getZ();
    SmallVector<Value> ins = {yt, ut};
    SmallVector<AffineMap> maps = {map(2, {d0, d1}), map(2, {d0, d1})};
    if (Dp) {
      ins.push_back(Dp);
      maps.push_back(map(2, {d1}));
    }
    if (z) {
      ins.push_back(sliceAt(b, l, z, 2, t));
      maps.push_back(map(2, {d0, d1}));
    }
    maps.push_back(map(2, {d0, d1}));
    return generic(
        b, l, ins, filled(b, l, rowSizes, ft, Value()), maps, "pp",
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value y = a[0];
          unsigned next = 2;
          if (Dp)
            y = arith::AddFOp::create(
                nb, nl, y, arith::MulFOp::create(nb, nl, a[next++], a[1]));
          if (z) {
            Value zv = a[next];
            Value negZ = arith::NegFOp::create(nb, nl, zv);
            Value sig = arith::DivFOp::create(
                nb, nl, one,
                arith::AddFOp::create(nb, nl, one,
                                      math::ExpOp::create(nb, nl, negZ)));
            y = arith::MulFOp::create(nb, nl, y,
                                      arith::MulFOp::create(nb, nl, zv, sig));
          }
          yieldOf(nb, nl, y);
        });
  }
};

struct LowerSelectiveScan : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value u = op.getU(), A = op.getA(), B = op.getB();
    Type ft = llvm::cast<RankedTensorType>(u.getType()).getElementType();
    Value zero = floatConst(rw, loc, ft, 0.0);
    Value one = floatConst(rw, loc, ft, 1.0);
    SmallVector<OpFoldResult> us = sizesOf(rw, loc, u);
    OpFoldResult n = tensor::getMixedSize(rw, loc, A, 1);
    SmallVector<OpFoldResult> hSizes = {us[0], us[1], n};
    SmallVector<OpFoldResult> rowSizes = {us[0], us[1]};
    bool grouped = llvm::cast<RankedTensorType>(B.getType()).getRank() == 4;
    Value perGroup =
        grouped ? arith::DivUIOp::create(rw, loc, dimValue(rw, loc, u, 1),
                                         dimValue(rw, loc, B, 1))
                      .getResult()
                : Value();

    Value h0 = castTo(rw, loc, filled(rw, loc, hSizes, ft, zero),
                      RankedTensorType::get(
                          SmallVector<int64_t>(3, ShapedType::kDynamic), ft));
    Value y0 = filled(rw, loc, us, ft, Value());
    Value len = dimValue(rw, loc, u, 2);
    SelectiveScanStep step(op, ft, zero, one, rowSizes, perGroup);
    auto loop = scf::ForOp::create(
        rw, loc, indexConst(rw, loc, 0), len, indexConst(rw, loc, 1),
        ValueRange{h0, y0},
        [&](OpBuilder &b, Location l, Value t, ValueRange iter) {
          auto [hNew, yNew] = step.build(b, l, t, iter[0], iter[1]);
          scf::YieldOp::create(b, l, ValueRange{hNew, yNew});
        });
    rw.replaceOp(
        op, {castTo(rw, loc, loop.getResult(1), op.getY().getType()),
             castTo(rw, loc, loop.getResult(0), op.getLastState().getType())});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// seq.linear_scan
//===----------------------------------------------------------------------===//

struct LowerLinearScan : OpRewritePattern<LinearScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LinearScanOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Value a = op.getA(), b = op.getB();
    auto at = llvm::cast<RankedTensorType>(a.getType());
    auto bt = llvm::cast<RankedTensorType>(b.getType());
    Type ft = bt.getElementType();
    int64_t axis = op.getAxis(), rank = bt.getRank();
    SmallVector<OpFoldResult> bs = sizesOf(rw, loc, b);
    SmallVector<OpFoldResult> hs(bs);
    hs.erase(hs.begin() + axis);
    auto dynState = RankedTensorType::get(
        SmallVector<int64_t>(rank - 1, ShapedType::kDynamic), ft);
    Value h0 = op.getH0() ? op.getH0()
                          : filled(rw, loc, hs, ft, floatConst(rw, loc, ft, 0));
    h0 = castTo(rw, loc, h0, dynState);
    Value len = dimValue(rw, loc, b, axis);
    // `a` may broadcast along the scan axis too (a single step for all t).
    Value aSteps = dimValue(rw, loc, a, axis);
    Value aIsSingle = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq,
                                            aSteps, indexConst(rw, loc, 1));
    bool runtimeBroadcast = hasDynamicDim(a.getType());
    bool keepAll = !op.getLast();
    Value out0 = keepAll ? filled(rw, loc, bs, ft, Value()) : Value();
    SmallVector<Value> inits = {h0};
    if (keepAll)
      inits.push_back(out0);

    // Maps over the rank-1 state loops; a's broadcast dims read index 0.
    unsigned nd = rank - 1;
    SmallVector<AffineExpr> aExprs;
    for (int64_t i = 0; i < rank; ++i) {
      if (i == axis)
        continue;
      unsigned loopDim = i < axis ? i : i - 1;
      aExprs.push_back(at.getDimSize(i) == 1 && bt.getDimSize(i) != 1
                           ? getAffineConstantExpr(0, ctx)
                           : getAffineDimExpr(loopDim, ctx));
    }
    AffineMap id = AffineMap::getMultiDimIdentityMap(nd, ctx);
    AffineMap aMap = AffineMap::get(nd, 0, aExprs, ctx);
    std::string iters(nd, 'p');

    auto loop = scf::ForOp::create(
        rw, loc, indexConst(rw, loc, 0), len, indexConst(rw, loc, 1), inits,
        [&](OpBuilder &nb, Location l, Value i, ValueRange iter) {
          Value t = i;
          if (op.getReverse())
            t = arith::SubIOp::create(
                nb, l, arith::SubIOp::create(nb, l, len, indexConst(nb, l, 1)),
                i);
          Value aT = arith::SelectOp::create(nb, l, aIsSingle,
                                             indexConst(nb, l, 0), t);
          Value as = sliceAt(nb, l, a, axis, aT);
          Value bsl = sliceAt(nb, l, b, axis, t);
          // h = a * h + b, updated in place.
          SmallVector<Value> ins = {bsl};
          SmallVector<AffineMap> maps = {id};
          if (!runtimeBroadcast) {
            ins.push_back(as);
            maps.push_back(aMap);
          }
          maps.push_back(id);
          Value hNew =
              generic(nb, l, ins, iter[0], maps, iters,
                      [&](OpBuilder &bb, Location bl, ValueRange v) {
                        Value av;
                        if (runtimeBroadcast) {
                          SmallVector<Value> idx;
                          for (unsigned d = 0; d < nd; ++d)
                            idx.push_back(loopIndex(bb, bl, d));
                          av = readBroadcast(bb, bl, as, idx);
                        } else {
                          av = v[1];
                        }
                        Value m = arith::MulFOp::create(bb, bl, av, v.back());
                        yieldOf(bb, bl, arith::AddFOp::create(bb, bl, m, v[0]));
                      });
          SmallVector<Value> yields = {hNew};
          if (keepAll)
            yields.push_back(insertAt(nb, l, hNew, iter[1], axis, t));
          scf::YieldOp::create(nb, l, yields);
        });
    Value result = keepAll ? loop.getResult(1) : loop.getResult(0);
    rw.replaceOp(op, castTo(rw, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void seqc::populateReferenceScanPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerLinearAttention, LowerSelectiveScan, LowerLinearScan>(
      patterns.getContext());
}
