//===- Attention.cpp - Reference lowering of seq.attention ------*- C++ -*-===//
//
// Dense scores, the mask tested element by element, a numerically safe
// softmax (row max subtracted), and the weighted sum of values: seven
// linalg.generic ops that follow the op's definition line by line.
//
//===----------------------------------------------------------------------===//

#include "Lower/Reference/Utils.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/MaskPredicate.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::seq;

namespace {

/// Makes `kv` (B, Hkv, Lk, X) readable with query head indices: returns the
/// tensor and the affine expression of its head index in terms of the query
/// head loop `h`. Static head counts use `h floordiv g`; dynamic ones expand
/// the heads with tensor.generate.
std::pair<Value, AffineExpr> headsFor(OpBuilder &b, Location loc, Value kv,
                                      Value q, AffineExpr h) {
  auto kt = llvm::cast<RankedTensorType>(kv.getType());
  auto qt = llvm::cast<RankedTensorType>(q.getType());
  int64_t hq = qt.getDimSize(1), hkv = kt.getDimSize(1);
  if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hkv))
    return {kv, hq == hkv ? h : h.floorDiv(hq / hkv)};
  Value group = arith::DivUIOp::create(b, loc, dimValue(b, loc, q, 1),
                                       dimValue(b, loc, kv, 1));
  SmallVector<int64_t> shape(kt.getShape());
  shape[1] = hq;
  auto type = RankedTensorType::get(shape, kt.getElementType());
  SmallVector<Value> dynSizes;
  for (int64_t i = 0; i < 4; ++i)
    if (type.isDynamicDim(i))
      dynSizes.push_back(i == 1 ? dimValue(b, loc, q, 1)
                                : dimValue(b, loc, kv, i));
  auto gen = tensor::GenerateOp::create(
      b, loc, type, dynSizes, [&](OpBuilder &nb, Location nl, ValueRange iv) {
        Value src = arith::DivUIOp::create(nb, nl, iv[1], group);
        Value x = tensor::ExtractOp::create(
            nb, nl, kv, ValueRange{iv[0], src, iv[2], iv[3]});
        tensor::YieldOp::create(nb, nl, x);
      });
  return {gen, h};
}

/// The reference lowering of one seq.attention, a method per step (each
/// one linalg.generic). Loops: b, h, r (query row), j (key) or e (value
/// column), with d the contraction over the head dim.
class AttentionLowering {
public:
  AttentionLowering(AttentionOp op, PatternRewriter &rw)
      : op(op), rw(rw), loc(op.getLoc()), ctx(rw.getContext()),
        q(op.getQuery()) {
    ft = llvm::cast<RankedTensorType>(q.getType()).getElementType();
    bindDims(ctx, d0, d1, d2, d3, d4);
    std::tie(k, kHead) = headsFor(rw, loc, op.getKey(), q, d1);
    std::tie(v, vHead) = headsFor(rw, loc, op.getValue(), q, d1);
    SmallVector<OpFoldResult> qs = sizesOf(rw, loc, q);
    OpFoldResult lk = tensor::getMixedSize(rw, loc, op.getKey(), 2);
    OpFoldResult dv = tensor::getMixedSize(rw, loc, op.getValue(), 3);
    scoreSizes = {qs[0], qs[1], qs[2], lk};
    rowSizes = {qs[0], qs[1], qs[2]};
    outSizes = {qs[0], qs[1], qs[2], dv};
    zero = floatConst(rw, loc, ft, 0.0);
    negInf = floatConst(rw, loc, ft, -std::numeric_limits<double>::infinity());
  }

  /// The attention output in the op's type.
  Value build() {
    Value scores = maskedScores(rawScores());
    Value rowMax =
        generic(rw, loc, {scores}, filled(rw, loc, rowSizes, ft, negInf),
                {map(4, {d0, d1, d2, d3}), map(4, {d0, d1, d2})}, "pppr",
                [&](OpBuilder &b, Location l, ValueRange a) {
                  linalg::YieldOp::create(
                      b, l, Value(arith::MaximumFOp::create(b, l, a[1], a[0])));
                });
    Value expS = exponentials(scores, rowMax);
    Value rowSum =
        generic(rw, loc, {expS}, filled(rw, loc, rowSizes, ft, zero),
                {map(4, {d0, d1, d2, d3}), map(4, {d0, d1, d2})}, "pppr",
                [&](OpBuilder &b, Location l, ValueRange a) {
                  linalg::YieldOp::create(
                      b, l, Value(arith::AddFOp::create(b, l, a[1], a[0])));
                });
    Value out = normalized(weightedValues(expS), rowSum);
    if (out.getType() != op.getType())
      out = tensor::CastOp::create(rw, loc, op.getType(), out);
    return out;
  }

private:
  AttentionOp op;
  PatternRewriter &rw;
  Location loc;
  MLIRContext *ctx;
  Value q, k, v;
  Type ft;
  AffineExpr d0, d1, d2, d3, d4;
  /// The key's and value's head index in terms of the query head loop.
  AffineExpr kHead, vHead;
  SmallVector<OpFoldResult> scoreSizes, rowSizes, outSizes;
  Value zero, negInf;

  AffineMap map(unsigned n, ArrayRef<AffineExpr> es) {
    return AffineMap::get(n, 0, es, ctx);
  }

  /// 1. raw[b,h,r,j] = sum_d q[b,h,r,d] * k[b,h',j,d]
  Value rawScores() {
    return generic(rw, loc, {q, k}, filled(rw, loc, scoreSizes, ft, zero),
                   {map(5, {d0, d1, d2, d4}), map(5, {d0, kHead, d3, d4}),
                    map(5, {d0, d1, d2, d3})},
                   "ppppr", [&](OpBuilder &b, Location l, ValueRange a) {
                     Value m = arith::MulFOp::create(b, l, a[0], a[1]);
                     linalg::YieldOp::create(
                         b, l, Value(arith::AddFOp::create(b, l, a[2], m)));
                   });
  }

  /// The mask of query position p and key j at head h: the op's one mask,
  /// or head h's picked by a chain of selects on the head index.
  Value maskAt(OpBuilder &b, Location l, Value p, Value j, Value h) {
    if (op.hasUniformMask())
      return emitMaskPredicate(b, l, op.getHeadMask(0), p, j);
    auto perHead = llvm::dyn_cast<ArrayAttr>(op.getMask());
    int64_t numHeads = perHead ? static_cast<int64_t>(perHead.size()) : 1;
    Value ok = emitMaskPredicate(b, l, op.getHeadMask(numHeads - 1), p, j);
    for (int64_t hh = numHeads - 2; hh >= 0; --hh) {
      Value isHead = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, h,
                                           indexConst(b, l, hh));
      Value okH = emitMaskPredicate(b, l, op.getHeadMask(hh), p, j);
      ok = arith::SelectOp::create(b, l, isHead, okH, ok);
    }
    return ok;
  }

  /// The bias's map when it broadcasts statically (a dim of size 1 reads
  /// index 0; the bias's dims align with the scores' last ones).
  AffineMap biasMap(Value bias) {
    auto bt = llvm::cast<RankedTensorType>(bias.getType());
    AffineExpr full[4] = {d0, d1, d2, d3};
    SmallVector<AffineExpr> es;
    for (int64_t i = 0; i < bt.getRank(); ++i) {
      int64_t outDim = 4 - bt.getRank() + i;
      es.push_back(bt.getDimSize(i) == 1 ? getAffineConstantExpr(0, ctx)
                                         : full[outDim]);
    }
    return map(4, es);
  }

  /// 2. scale, softcap, bias, mask (masked -> -inf).
  Value maskedScores(Value raw) {
    Value offset = arith::SubIOp::create(
        rw, loc, dimValue(rw, loc, op.getKey(), 2), dimValue(rw, loc, q, 2));
    SmallVector<Value> ins = {raw};
    SmallVector<AffineMap> maps = {map(4, {d0, d1, d2, d3})};
    Value bias = op.getBias();
    bool runtimeBroadcast = bias && hasDynamicDim(bias.getType());
    if (bias && !runtimeBroadcast) {
      ins.push_back(bias);
      maps.push_back(biasMap(bias));
    }
    maps.push_back(map(4, {d0, d1, d2, d3}));
    float scale = op.getScale().convertToFloat();
    std::optional<float> softcap;
    if (auto cap = op.getSoftcap())
      softcap = cap->convertToFloat();
    return generic(
        rw, loc, ins, filled(rw, loc, scoreSizes, ft, Value()), maps, "pppp",
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value s =
              arith::MulFOp::create(b, l, a[0], floatConst(b, l, ft, scale));
          if (softcap) {
            Value c = floatConst(b, l, ft, *softcap);
            Value t =
                math::TanhOp::create(b, l, arith::DivFOp::create(b, l, s, c));
            s = arith::MulFOp::create(b, l, c, t);
          }
          Value h = loopIndex(b, l, 1);
          if (runtimeBroadcast) {
            // Dynamic bias dims may be 1 at run time: read with broadcasting.
            int64_t rank =
                llvm::cast<RankedTensorType>(bias.getType()).getRank();
            SmallVector<Value> idx;
            for (int64_t i = 4 - rank; i < 4; ++i)
              idx.push_back(loopIndex(b, l, i));
            s = arith::AddFOp::create(b, l, s, readBroadcast(b, l, bias, idx));
          } else if (bias) {
            s = arith::AddFOp::create(b, l, s, a[1]);
          }
          Value p = arith::AddIOp::create(b, l, loopIndex(b, l, 2), offset);
          Value j = loopIndex(b, l, 3);
          Value ok = maskAt(b, l, p, j, h);
          Value masked = arith::SelectOp::create(b, l, ok, s, negInf);
          linalg::YieldOp::create(b, l, masked);
        });
  }

  /// 4. e = exp(s - max), 0 where masked.
  Value exponentials(Value scores, Value rowMax) {
    return generic(
        rw, loc, {scores, rowMax}, filled(rw, loc, scoreSizes, ft, Value()),
        {map(4, {d0, d1, d2, d3}), map(4, {d0, d1, d2}),
         map(4, {d0, d1, d2, d3})},
        "pppp", [&](OpBuilder &b, Location l, ValueRange a) {
          Value isMasked = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OEQ, a[0], negInf);
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]));
          linalg::YieldOp::create(
              b, l, Value(arith::SelectOp::create(b, l, isMasked, zero, e)));
        });
  }

  /// 6. o[b,h,r,e] = sum_j e[b,h,r,j] * v[b,h',j,e]
  Value weightedValues(Value expS) {
    return generic(rw, loc, {expS, v}, filled(rw, loc, outSizes, ft, zero),
                   {map(5, {d0, d1, d2, d3}), map(5, {d0, vHead, d3, d4}),
                    map(5, {d0, d1, d2, d4})},
                   "ppprp", [&](OpBuilder &b, Location l, ValueRange a) {
                     Value m = arith::MulFOp::create(b, l, a[0], a[1]);
                     linalg::YieldOp::create(
                         b, l, Value(arith::AddFOp::create(b, l, a[2], m)));
                   });
  }

  /// 7. Divide by the row sums; rows with no attendable key are zero.
  Value normalized(Value weighted, Value rowSum) {
    return generic(
        rw, loc, {weighted, rowSum}, filled(rw, loc, outSizes, ft, Value()),
        {map(4, {d0, d1, d2, d3}), map(4, {d0, d1, d2}),
         map(4, {d0, d1, d2, d3})},
        "pppp", [&](OpBuilder &b, Location l, ValueRange a) {
          Value empty = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              a[1], zero);
          Value div = arith::DivFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(
              b, l, Value(arith::SelectOp::create(b, l, empty, zero, div)));
        });
  }
};

struct LowerAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rw) const override {
    rw.replaceOp(op, AttentionLowering(op, rw).build());
    return success();
  }
};

} // namespace

void seqc::populateReferenceAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerAttention>(patterns.getContext());
}
