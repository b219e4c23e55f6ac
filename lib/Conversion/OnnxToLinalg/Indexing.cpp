//===- Indexing.cpp - Index-computing ONNX ops to linalg --------*- C++ -*-===//
//
// GatherElements, GatherND, Scatter, ScatterElements, ScatterND,
// ReverseSequence, Size, Range, Tile, EyeLike, Clip, OneHot, DepthToSpace,
// SpaceToDepth, and the general forms of Slice and Pad: ops whose generic
// bodies (or, for the scatters, loop nests) compute element positions or
// read scalar operands at run time. TopK, Compress, NonZero and Unique are
// in Selection.cpp.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

SmallVector<utils::IteratorType> parallel(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// out[i] = data[i with i_axis replaced by indices[i]].
struct GatherElementsToLinalg : OpRewritePattern<onnxir::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::GatherElementsOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value data = op->getOperand(0), indices = op->getOperand(1);
    auto dt = llvm::dyn_cast<RankedTensorType>(data.getType());
    auto it = llvm::dyn_cast<RankedTensorType>(indices.getType());
    if (!dt || !it || dt.getRank() != it.getRank() || dt.getRank() == 0)
      return rw.notifyMatchFailure(op, "needs ranked tensors of one rank");
    int64_t r = dt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), r);
    auto outType = RankedTensorType::get(it.getShape(), dt.getElementType());
    Value axisDim = tensor::DimOp::create(rw, loc, data, axis);
    AffineMap id = rw.getMultiDimIdentityMap(r);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{outType}, ValueRange{indices},
        ValueRange{emptyTensor(rw, loc, outType,
                               tensor::getMixedSizes(rw, loc, indices))},
        {id, id}, parallel(r), [&](OpBuilder &b, Location l, ValueRange a) {
          Value i = wrappedIndex(b, l, a[0], axisDim);
          SmallVector<Value> at;
          for (int64_t d = 0; d < r; ++d)
            at.push_back(d == axis ? i : linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, at)));
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, g.getResult(0), op.getType()));
    return success();
  }
};

/// Size: the element count as a rank-0 i64 tensor.
struct SizeToTensor : OpRewritePattern<onnxir::SizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::SizeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    Value n = indexConst(rw, loc, 1);
    for (int64_t i = 0; i < t.getRank(); ++i)
      n = arith::MulIOp::create(rw, loc, n,
                                tensor::DimOp::create(rw, loc, x, i));
    n = arith::IndexCastOp::create(rw, loc, rt.getElementType(), n);
    rw.replaceOpWithNewOp<tensor::FromElementsOp>(op, rt, ValueRange{n});
    return success();
  }
};

/// Range: start + i*delta for i < max(ceil((limit - start) / delta), 0).
struct RangeToLinalg : OpRewritePattern<onnxir::RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::RangeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt || rt.getRank() != 1)
      return rw.notifyMatchFailure(op, "needs a 1-D result");
    Type elem = rt.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    if (!isFloat && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float or signless integers");
    auto scalar = [&](Value t) {
      auto tt = llvm::cast<RankedTensorType>(t.getType());
      SmallVector<Value> at(tt.getRank(), indexConst(rw, loc, 0));
      return Value(tensor::ExtractOp::create(rw, loc, t, at));
    };
    Value start = scalar(op->getOperand(0));
    Value limit = scalar(op->getOperand(1));
    Value delta = scalar(op->getOperand(2));
    Value n;
    if (isFloat) {
      Value q = arith::DivFOp::create(
          rw, loc, arith::SubFOp::create(rw, loc, limit, start), delta);
      q = math::CeilOp::create(rw, loc, q);
      n = arith::FPToSIOp::create(rw, loc, rw.getI64Type(), q);
    } else {
      Value diff = arith::SubIOp::create(rw, loc, limit, start);
      // A zero delta (invalid) must not trap: it yields an empty range.
      Value zero = arith::ConstantOp::create(
          rw, loc, rw.getIntegerAttr(delta.getType(), 0));
      Value isZero =
          arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq, delta, zero);
      Value safe = arith::SelectOp::create(
          rw, loc, isZero,
          arith::ConstantOp::create(rw, loc,
                                    rw.getIntegerAttr(delta.getType(), 1)),
          delta);
      n = arith::CeilDivSIOp::create(rw, loc, diff, safe);
      n = arith::SelectOp::create(rw, loc, isZero, zero, n);
    }
    n = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), n);
    n = arith::MaxSIOp::create(rw, loc, n, indexConst(rw, loc, 0));
    SmallVector<OpFoldResult> sizes = {
        rt.isDynamicDim(0) ? OpFoldResult(n)
                           : OpFoldResult(rw.getIndexAttr(rt.getDimSize(0)))};
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, sizes)},
        {rw.getMultiDimIdentityMap(1)}, parallel(1),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 0));
          Value v;
          if (isFloat) {
            Value fi = arith::SIToFPOp::create(b, l, elem, i);
            v = arith::AddFOp::create(b, l, start,
                                      arith::MulFOp::create(b, l, fi, delta));
          } else {
            Value ii = elem.getIntOrFloatBitWidth() == 64
                           ? i
                           : Value(arith::TruncIOp::create(b, l, elem, i));
            v = arith::AddIOp::create(b, l, start,
                                      arith::MulIOp::create(b, l, ii, delta));
          }
          linalg::YieldOp::create(b, l, v);
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Tile: out[i] = x[i mod dim], with the result sizes dim * repeats.
struct TileToLinalg : OpRewritePattern<onnxir::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::TileOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0), repeats = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt || t.getRank() != rt.getRank())
      return rw.notifyMatchFailure(op, "unranked");
    int64_t r = t.getRank();
    SmallVector<OpFoldResult> sizes;
    SmallVector<Value> dims;
    for (int64_t i = 0; i < r; ++i) {
      dims.push_back(tensor::DimOp::create(rw, loc, x, i));
      if (!rt.isDynamicDim(i)) {
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(i)));
        continue;
      }
      Value rep = tensor::ExtractOp::create(rw, loc, repeats,
                                            ValueRange{indexConst(rw, loc, i)});
      rep = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), rep);
      sizes.push_back(Value(arith::MulIOp::create(rw, loc, dims[i], rep)));
    }
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, sizes)},
        {rw.getMultiDimIdentityMap(r)}, parallel(r),
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            at.push_back(arith::RemUIOp::create(
                b, l, linalg::IndexOp::create(b, l, i), dims[i]));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, x, at)));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// EyeLike: ones on the diagonal shifted by k.
struct EyeLikeToLinalg : OpRewritePattern<onnxir::EyeLikeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::EyeLikeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt || rt.getRank() != 2)
      return rw.notifyMatchFailure(op, "needs a 2-D result");
    int64_t k = op.getK();
    Type elem = rt.getElementType();
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, tensor::getMixedSizes(rw, loc, x))},
        {rw.getMultiDimIdentityMap(2)}, parallel(2),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 1);
          Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                           arith::SubIOp::create(b, l, j, i),
                                           indexConst(b, l, k));
          linalg::YieldOp::create(b, l,
                                  Value(arith::SelectOp::create(
                                      b, l, on, scalarConst(b, l, elem, 1),
                                      scalarConst(b, l, elem, 0))));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Clip between optional rank-0 `min` and `max` operands.
struct ClipToLinalg : OpRewritePattern<onnxir::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ClipOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t)
      return rw.notifyMatchFailure(op, "unranked");
    Type elem = t.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    if (!isFloat && !llvm::isa<IntegerType>(elem))
      return rw.notifyMatchFailure(op, "needs float or integer tensors");
    bool isUnsigned = elem.isUnsignedInteger();
    SmallVector<Value> bounds(2);
    for (int i = 0; i < 2; ++i) {
      if (op->getNumOperands() <= unsigned(i + 1) ||
          isNone(op->getOperand(i + 1)))
        continue;
      auto bt =
          llvm::dyn_cast<RankedTensorType>(op->getOperand(i + 1).getType());
      if (!bt || bt.getNumElements() != 1)
        return rw.notifyMatchFailure(op, "min/max must be scalars");
      SmallVector<Value> at(bt.getRank(), indexConst(rw, loc, 0));
      bounds[i] = tensor::ExtractOp::create(rw, loc, op->getOperand(i + 1), at);
    }
    Value out = mapTensor(rw, loc, x, [&](OpBuilder &b, Location l, Value v) {
      if (bounds[0])
        v = isFloat      ? Value(arith::MaximumFOp::create(b, l, v, bounds[0]))
            : isUnsigned ? Value(arith::MaxUIOp::create(b, l, v, bounds[0]))
                         : Value(arith::MaxSIOp::create(b, l, v, bounds[0]));
      if (bounds[1])
        v = isFloat      ? Value(arith::MinimumFOp::create(b, l, v, bounds[1]))
            : isUnsigned ? Value(arith::MinUIOp::create(b, l, v, bounds[1]))
                         : Value(arith::MinSIOp::create(b, l, v, bounds[1]));
      return v;
    });
    rw.replaceOp(op, castIfNeeded(rw, loc, out, op.getType()));
    return success();
  }
};

/// DepthToSpace (`toSpace`; DCR, or CRD with `crd`) and SpaceToDepth of `x`
/// (N, C, H, W) with block size `bs` into `rt`: each output element reads
/// the input at indices computed from its own.
Value rearrangeBlocks(OpBuilder &rw, Location l, Value x, RankedTensorType rt,
                      int64_t bs, bool toSpace, bool crd) {
  Value bsV = indexConst(rw, l, bs), bs2 = indexConst(rw, l, bs * bs);
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < 4; ++i) {
    Value d = tensor::DimOp::create(rw, l, x, i);
    if (i == 1)
      d = toSpace ? Value(arith::DivUIOp::create(rw, l, d, bs2))
                  : Value(arith::MulIOp::create(rw, l, d, bs2));
    else if (i >= 2)
      d = toSpace ? Value(arith::MulIOp::create(rw, l, d, bsV))
                  : Value(arith::DivUIOp::create(rw, l, d, bsV));
    sizes.push_back(rt.isDynamicDim(i) ? OpFoldResult(d)
                                       : rw.getIndexAttr(rt.getDimSize(i)));
  }
  // The output's channel count (DepthToSpace) or the input's
  // (SpaceToDepth).
  Value chans = toSpace ? getValueOrCreateConstantIndexOp(rw, l, sizes[1])
                        : Value(tensor::DimOp::create(rw, l, x, 1));
  return generateFromIndices(
      rw, l, rt, sizes, [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
        auto div = [&](Value p, Value q) -> Value {
          return arith::DivUIOp::create(b, nl, p, q);
        };
        auto rem = [&](Value p, Value q) -> Value {
          return arith::RemUIOp::create(b, nl, p, q);
        };
        auto mul = [&](Value p, Value q) -> Value {
          return arith::MulIOp::create(b, nl, p, q);
        };
        auto add = [&](Value p, Value q) -> Value {
          return arith::AddIOp::create(b, nl, p, q);
        };
        SmallVector<Value> at(4);
        at[0] = o[0];
        if (toSpace) {
          Value bh = rem(o[2], bsV), bw = rem(o[3], bsV);
          Value k = add(mul(bh, bsV), bw);
          at[1] = crd ? add(mul(o[1], bs2), k) : add(mul(k, chans), o[1]);
          at[2] = div(o[2], bsV);
          at[3] = div(o[3], bsV);
        } else {
          Value k = div(o[1], chans);
          at[1] = rem(o[1], chans);
          at[2] = add(mul(o[2], bsV), div(k, bsV));
          at[3] = add(mul(o[3], bsV), rem(k, bsV));
        }
        return Value(tensor::ExtractOp::create(b, nl, x, at));
      });
}

/// DepthToSpace and SpaceToDepth (OpT) through rearrangeBlocks.
template <typename OpT> struct BlockRearrangeToLinalg : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    constexpr bool toSpace = std::is_same_v<OpT, onnxir::DepthToSpaceOp>;
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    int64_t bs = op.getBlocksize();
    if (!t || !rt || t.getRank() != 4 || rt.getRank() != 4 || bs <= 0)
      return rw.notifyMatchFailure(op, "needs rank-4 tensors and a blocksize");
    bool crd = false;
    if constexpr (toSpace)
      crd = op.getMode() == "CRD";
    rw.replaceOp(op, rearrangeBlocks(rw, op.getLoc(), x, rt, bs, toSpace, crd));
    return success();
  }
};

/// OneHot: out[..., k (at axis), ...] = indices[...] (negative ones from the
/// back) == k ? on : off.
struct OneHotToLinalg : OpRewritePattern<onnxir::OneHotOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::OneHotOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value indices = op->getOperand(0), depth = op->getOperand(1),
          values = op->getOperand(2);
    auto it = llvm::dyn_cast<RankedTensorType>(indices.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!it || !rt || rt.getRank() != it.getRank() + 1 ||
        !llvm::isa<RankedTensorType>(values.getType()))
      return rw.notifyMatchFailure(op, "needs ranked tensors");
    int64_t r = rt.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), r);
    Value depthV = scalarIndex(rw, l, depth);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0, j = 0; i < r; ++i) {
      if (!rt.isDynamicDim(i))
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(i)));
      else if (i == axis)
        sizes.push_back(depthV);
      else
        sizes.push_back(tensor::getMixedSize(rw, l, indices, j));
      if (i != axis)
        ++j;
    }
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value off = tensor::ExtractOp::create(rw, l, values, ValueRange{zero});
    Value on = tensor::ExtractOp::create(rw, l, values, ValueRange{one});
    Value y = generateFromIndices(
        rw, l, rt, sizes, [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            if (i != axis)
              at.push_back(o[i]);
          Value v = tensor::ExtractOp::create(b, nl, indices, at);
          if (llvm::isa<FloatType>(v.getType()))
            v = arith::FPToSIOp::create(b, nl, b.getI64Type(), v);
          else if (v.getType().getIntOrFloatBitWidth() < 64)
            v = arith::ExtSIOp::create(b, nl, b.getI64Type(), v);
          Value k = arith::IndexCastOp::create(b, nl, b.getIndexType(), v);
          Value neg =
              arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, k, zero);
          k = arith::SelectOp::create(
              b, nl, neg, arith::AddIOp::create(b, nl, k, depthV), k);
          Value hit = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq, k,
                                            o[axis]);
          return Value(arith::SelectOp::create(b, nl, hit, on, off));
        });
    rw.replaceOp(op, y);
    return success();
  }
};

/// Element k of a 1-D integer tensor, as an index.
Value elementIndex(OpBuilder &b, Location l, Value t, int64_t k) {
  Value v = tensor::ExtractOp::create(b, l, t, ValueRange{indexConst(b, l, k)});
  return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
}

Value clampIndex(OpBuilder &b, Location l, Value v, Value lo, Value hi) {
  return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, v, lo), hi);
}
/// The window a general Slice reads, per data dim: the first index, the
/// step and the element count, as run-time values.
struct SliceWindow {
  SmallVector<Value> start, step, size;
};

/// The operands of a general Slice and the constants it narrows its window
/// with.
struct SliceNarrowing {
  Location l;
  Value x, starts, ends, axes, steps;
  int64_t r;
  Value zero, one, minusOne, rank;

  /// Entry k of starts/ends/axes/steps narrows the dim axes[k] of `w`.
  void narrow(OpBuilder &b, Value k, SliceWindow &w) const {
    auto element = [&](Value list) -> Value {
      return arith::IndexCastOp::create(
          b, l, b.getIndexType(),
          tensor::ExtractOp::create(b, l, list, ValueRange{k}));
    };
    Value ax = isNone(axes) ? k : element(axes);
    Value axNeg =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, ax, zero);
    ax = arith::SelectOp::create(b, l, axNeg,
                                 arith::AddIOp::create(b, l, ax, rank), ax);
    Value s = element(starts), e = element(ends);
    Value stp = isNone(steps) ? one : element(steps);
    for (int64_t i = 0; i < r; ++i) {
      Value dim = tensor::DimOp::create(b, l, x, i);
      Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, ax,
                                        indexConst(b, l, i));
      // Negative starts/ends count from the back; then clamped to
      // [0, dim] (step > 0) or [-1, dim - 1] (step < 0).
      auto fromBack = [&](Value v) -> Value {
        Value neg =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, v, zero);
        return arith::SelectOp::create(b, l, neg,
                                       arith::AddIOp::create(b, l, v, dim), v);
      };
      Value pos =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, stp, zero);
      Value dimM1 = arith::SubIOp::create(b, l, dim, one);
      Value sPos = clampIndex(b, l, fromBack(s), zero, dim);
      Value sNeg = clampIndex(b, l, fromBack(s), zero, dimM1);
      Value ePos = clampIndex(b, l, fromBack(e), zero, dim);
      Value eNeg = clampIndex(b, l, fromBack(e), minusOne, dimM1);
      Value s2 = arith::SelectOp::create(b, l, pos, sPos, sNeg);
      Value e2 = arith::SelectOp::create(b, l, pos, ePos, eNeg);
      // A zero step (invalid) must not trap: it selects nothing.
      Value stepZero =
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, stp, zero);
      Value safeStep = arith::SelectOp::create(b, l, stepZero, one, stp);
      Value len = arith::CeilDivSIOp::create(
          b, l, arith::SubIOp::create(b, l, e2, s2), safeStep);
      len = arith::MaxSIOp::create(b, l, len, zero);
      len = arith::SelectOp::create(b, l, stepZero, zero, len);
      w.start[i] = arith::SelectOp::create(b, l, hit, s2, w.start[i]);
      w.step[i] = arith::SelectOp::create(b, l, hit, safeStep, w.step[i]);
      w.size[i] = arith::SelectOp::create(b, l, hit, len, w.size[i]);
    }
  }

  /// The window narrowed by every entry: unrolled for a static entry
  /// count, else an scf.for carrying the 3 * rank values over the entries
  /// all the given lists have.
  SliceWindow build(OpBuilder &b, RankedTensorType startsType) const {
    SliceWindow w;
    for (int64_t i = 0; i < r; ++i) {
      w.start.push_back(zero);
      w.step.push_back(one);
      w.size.push_back(tensor::DimOp::create(b, l, x, i));
    }
    if (!startsType.isDynamicDim(0)) {
      for (int64_t k = 0; k < startsType.getDimSize(0); ++k)
        narrow(b, indexConst(b, l, k), w);
      return w;
    }
    Value n = tensor::DimOp::create(b, l, starts, 0);
    for (Value v : {ends, axes, steps})
      if (!isNone(v))
        n = arith::MinSIOp::create(b, l, n, tensor::DimOp::create(b, l, v, 0));
    SmallVector<Value> init(w.start);
    init.append(w.step);
    init.append(w.size);
    auto loop = scf::ForOp::create(
        b, l, zero, n, one, init,
        [&](OpBuilder &lb, Location, Value k, ValueRange it) {
          SliceWindow cur{SmallVector<Value>(it.take_front(r)),
                          SmallVector<Value>(it.slice(r, r)),
                          SmallVector<Value>(it.take_back(r))};
          narrow(lb, k, cur);
          SmallVector<Value> next(cur.start);
          next.append(cur.step);
          next.append(cur.size);
          scf::YieldOp::create(lb, l, next);
        });
    for (int64_t i = 0; i < r; ++i) {
      w.start[i] = loop.getResult(i);
      w.step[i] = loop.getResult(r + i);
      w.size[i] = loop.getResult(2 * r + i);
    }
    return w;
  }
};

/// Slice whose starts, ends, axes or steps are only known at run time (or
/// whose steps are negative): per data dim, a start and step computed at
/// run time (the dims `axes` names take theirs, clamped as ONNX says), and a
/// generic reading x[start + i * step]. The constant forms take the
/// tensor.extract_slice path of Tensor.cpp first.
struct SliceGeneralToLinalg : OpRewritePattern<onnxir::SliceOp> {
  SliceGeneralToLinalg(MLIRContext *ctx)
      : OpRewritePattern<onnxir::SliceOp>(ctx, /*benefit=*/0) {}

  LogicalResult matchAndRewrite(onnxir::SliceOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0), starts = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    auto st = llvm::dyn_cast<RankedTensorType>(starts.getType());
    if (!t || !rt || !st || st.getRank() != 1)
      return rw.notifyMatchFailure(op, "needs ranked data and 1-D starts");
    int64_t r = t.getRank();
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1),
          minusOne = indexConst(rw, l, -1), rank = indexConst(rw, l, r);
    Value ends = op->getOperand(2), axes = op->getOperand(3),
          steps = op->getOperand(4);
    SliceNarrowing narrowing{l, x,    starts, ends,     axes, steps,
                             r, zero, one,    minusOne, rank};
    SliceWindow w = narrowing.build(rw, st);
    auto dynType = RankedTensorType::get(
        SmallVector<int64_t>(r, ShapedType::kDynamic), t.getElementType());
    SmallVector<OpFoldResult> sizes(w.size.begin(), w.size.end());
    Value y = generateFromIndices(
        rw, l, dynType, sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            at.push_back(arith::AddIOp::create(
                b, nl, w.start[i],
                arith::MulIOp::create(b, nl, o[i], w.step[i])));
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, rt));
    return success();
  }
};

/// Pad in any mode (constant, reflect, edge) with pads known only at run
/// time or negative: out[o] reads x[o - pad_begin], mapped back into range
/// by the mode (or `value` outside it, in constant mode).
struct PadGeneralToLinalg : OpRewritePattern<onnxir::PadOp> {
  PadGeneralToLinalg(MLIRContext *ctx)
      : OpRewritePattern<onnxir::PadOp>(ctx, /*benefit=*/0) {}

  LogicalResult matchAndRewrite(onnxir::PadOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0), pads = op->getOperand(1),
          cval = op->getOperand(2);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt || isNone(pads))
      return rw.notifyMatchFailure(op, "needs ranked data and pads");
    if (op->getNumOperands() > 3 && !isNone(op->getOperand(3)))
      return rw.notifyMatchFailure(op, "pads on selected axes");
    StringRef mode = op.getMode();
    if (mode != "constant" && mode != "reflect" && mode != "edge") {
      op->emitError() << "'" << op->getName() << "' mode '" << mode
                      << "' is not supported";
      return failure();
    }
    int64_t r = t.getRank();
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    SmallVector<Value> lo, dims;
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < r; ++i) {
      Value d = tensor::DimOp::create(rw, l, x, i);
      Value b = elementIndex(rw, l, pads, i);
      Value e = elementIndex(rw, l, pads, r + i);
      lo.push_back(b);
      dims.push_back(d);
      Value n =
          arith::AddIOp::create(rw, l, d, arith::AddIOp::create(rw, l, b, e));
      sizes.push_back(Value(arith::MaxSIOp::create(rw, l, n, zero)));
    }
    Type elem = t.getElementType();
    Value value =
        isNone(cval)
            ? scalarConst(rw, l, elem, 0)
            : Value(tensor::ExtractOp::create(rw, l, cval, ValueRange{}));
    auto dynType = RankedTensorType::get(
        SmallVector<int64_t>(r, ShapedType::kDynamic), elem);
    Value y = generateFromIndices(
        rw, l, dynType, sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at;
          Value inside;
          for (int64_t i = 0; i < r; ++i) {
            Value j = arith::SubIOp::create(b, nl, o[i], lo[i]);
            Value last = arith::SubIOp::create(b, nl, dims[i], one);
            if (mode == "edge") {
              j = clampIndex(b, nl, j, zero, last);
            } else if (mode == "reflect") {
              // -j before the start, 2 (d - 1) - j past the end.
              Value neg = arith::CmpIOp::create(
                  b, nl, arith::CmpIPredicate::slt, j, zero);
              j = arith::SelectOp::create(
                  b, nl, neg, arith::SubIOp::create(b, nl, zero, j), j);
              Value over = arith::CmpIOp::create(
                  b, nl, arith::CmpIPredicate::sgt, j, last);
              j = arith::SelectOp::create(
                  b, nl, over,
                  arith::SubIOp::create(
                      b, nl, arith::AddIOp::create(b, nl, last, last), j),
                  j);
              j = clampIndex(b, nl, j, zero, last);
            } else {
              Value in = arith::AndIOp::create(
                  b, nl,
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sge, j,
                                        zero),
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, j,
                                        dims[i]));
              inside =
                  inside ? Value(arith::AndIOp::create(b, nl, inside, in)) : in;
              j = clampIndex(b, nl, j, zero, last);
            }
            at.push_back(j);
          }
          if (!inside)
            return Value(tensor::ExtractOp::create(b, nl, x, at));
          // Constant mode reads only inside (an empty input has nothing
          // to read).
          auto ifOp = scf::IfOp::create(
              b, nl, inside,
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(
                    tb, tl, Value(tensor::ExtractOp::create(tb, tl, x, at)));
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, value);
              });
          return ifOp.getResult(0);
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, rt));
    return success();
  }
};

/// Combines an old element with an update per ScatterElements/ScatterND's
/// `reduction`.
Value scatterCombine(OpBuilder &b, Location l, StringRef reduction, Value old,
                     Value upd) {
  bool f = llvm::isa<FloatType>(upd.getType());
  if (reduction == "add")
    return f ? Value(arith::AddFOp::create(b, l, old, upd))
             : Value(arith::AddIOp::create(b, l, old, upd));
  if (reduction == "mul")
    return f ? Value(arith::MulFOp::create(b, l, old, upd))
             : Value(arith::MulIOp::create(b, l, old, upd));
  bool u = upd.getType().isUnsignedInteger();
  if (reduction == "max")
    return f   ? Value(arith::MaximumFOp::create(b, l, old, upd))
           : u ? Value(arith::MaxUIOp::create(b, l, old, upd))
               : Value(arith::MaxSIOp::create(b, l, old, upd));
  if (reduction == "min")
    return f   ? Value(arith::MinimumFOp::create(b, l, old, upd))
           : u ? Value(arith::MinUIOp::create(b, l, old, upd))
               : Value(arith::MinSIOp::create(b, l, old, upd));
  return upd;
}

/// The last entry of an index tuple (the last dim of `indices`, GatherND's
/// and ScatterND's) that may be read when the tuples' length is only known
/// at run time: max(length - 1, 0), so that a length smaller than the one
/// the ranks imply (an invalid model) is never read past.
Value lastTupleEntry(OpBuilder &b, Location l, Value indices) {
  int64_t q = llvm::cast<RankedTensorType>(indices.getType()).getRank() - 1;
  return arith::MaxSIOp::create(
      b, l,
      arith::SubIOp::create(b, l, tensor::DimOp::create(b, l, indices, q),
                            indexConst(b, l, 1)),
      indexConst(b, l, 0));
}

/// Appends to `pos` the data positions the index tuple at `prefix` (the
/// leading positions in `indices`) names: its `depth` entries, each read at
/// most at `lastEntry` (where set; see lastTupleEntry), wrapped and clamped
/// into data dims firstDim, firstDim + 1, ...
void appendTuplePositions(OpBuilder &b, Location l, Value indices,
                          ArrayRef<Value> prefix, int64_t depth,
                          Value lastEntry, Value data, int64_t firstDim,
                          SmallVectorImpl<Value> &pos) {
  for (int64_t j = 0; j < depth; ++j) {
    SmallVector<Value> at(prefix.begin(), prefix.end());
    Value jv = indexConst(b, l, j);
    if (lastEntry)
      jv = arith::MinSIOp::create(b, l, jv, lastEntry);
    at.push_back(jv);
    Value v = tensor::ExtractOp::create(b, l, indices, at);
    pos.push_back(
        wrappedIndex(b, l, v, tensor::DimOp::create(b, l, data, firstDim + j)));
  }
}

/// What a scatter writes, read off its attributes and operand types.
struct ScatterPlan {
  bool nd = false;       // ScatterND: index tuples along the indices' last dim
  StringRef reduction;   // none, add, mul, max or min
  int64_t axis = 0;      // Scatter, ScatterElements: the dim the indices name
  int64_t depth = 0;     // ScatterND: the tuples' length
  bool dynDepth = false; // ScatterND: the length known only at run time
};

/// Checks a scatter `op` (reduction `reduction`, `axis` for the element
/// forms) against its operands' types and fills `p`. An unknown reduction
/// is an error.
LogicalResult planScatter(Operation *op, PatternRewriter &rw, bool nd,
                          StringRef reduction, int64_t axis, ScatterPlan &p) {
  auto dt = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto it = llvm::dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  auto ut = llvm::dyn_cast<RankedTensorType>(op->getOperand(2).getType());
  if (!dt || !it || !ut)
    return rw.notifyMatchFailure(op, "needs ranked tensors");
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min") {
    op->emitError() << "'" << op->getName() << "' reduction '" << reduction
                    << "' is not supported";
    return failure();
  }
  p.nd = nd;
  p.reduction = reduction;
  int64_t k = nd ? it.getDimSize(it.getRank() - 1) : 0;
  // A dynamic index depth follows from the ranks (updates have
  // q + rank(data) - k dims).
  p.dynDepth = nd && ShapedType::isDynamic(k);
  if (p.dynDepth)
    k = it.getRank() - 1 + dt.getRank() - ut.getRank();
  if (nd && (k < 1 || k > dt.getRank() ||
             ut.getRank() != it.getRank() - 1 + dt.getRank() - k))
    return rw.notifyMatchFailure(op, "needs a consistent index depth");
  p.depth = k;
  p.axis = nd ? 0 : normalizeAxis(axis, dt.getRank());
  return success();
}

/// The scf.for nest of a scatter over the updates' dims, carrying the
/// tensor written.
struct ScatterNest {
  const ScatterPlan &p;
  Value data, indices, updates;
  Value lastEntry; // see lastTupleEntry; set for a run-time depth
  Value zero, one;

  /// The loops over update dims d... around the writes, into `acc`; `ivs`
  /// holds the induction variables of the loops outside.
  Value loops(OpBuilder &b, Location l, int64_t d, SmallVector<Value> &ivs,
              Value acc) const {
    if (d == llvm::cast<RankedTensorType>(updates.getType()).getRank())
      return write(b, l, ivs, acc);
    Value ub = tensor::DimOp::create(b, l, updates, d);
    auto loop = scf::ForOp::create(
        b, l, zero, ub, one, ValueRange{acc},
        [&](OpBuilder &lb, Location ll, Value iv, ValueRange iter) {
          ivs.push_back(iv);
          Value r = loops(lb, ll, d + 1, ivs, iter[0]);
          ivs.pop_back();
          scf::YieldOp::create(lb, ll, r);
        });
    return loop.getResult(0);
  }

  /// The write of update `ivs` into `acc` (combined with the old element
  /// per the reduction).
  Value write(OpBuilder &b, Location l, ArrayRef<Value> ivs, Value acc) const {
    SmallVector<Value> pos;
    if (p.nd) {
      // indices[q..., 0..k-1] then the update's trailing dims.
      int64_t q = llvm::cast<RankedTensorType>(indices.getType()).getRank() - 1;
      appendTuplePositions(b, l, indices, ivs.take_front(q), p.depth, lastEntry,
                           data, 0, pos);
      pos.append(ivs.begin() + q, ivs.end());
    } else {
      pos.assign(ivs.begin(), ivs.end());
      Value v = tensor::ExtractOp::create(b, l, indices, ivs);
      pos[p.axis] =
          wrappedIndex(b, l, v, tensor::DimOp::create(b, l, data, p.axis));
    }
    Value upd = tensor::ExtractOp::create(b, l, updates, ivs);
    if (p.reduction != "none")
      upd = scatterCombine(b, l, p.reduction,
                           tensor::ExtractOp::create(b, l, acc, pos), upd);
    return tensor::InsertOp::create(b, l, upd, acc, pos);
  }
};

/// Scatter, ScatterElements and ScatterND (OpT): a copy of `data`, then one
/// write per update element in order (an scf.for nest over the updates'
/// dims), so that duplicate indices and reductions follow the reference's
/// sequential semantics.
template <typename OpT> struct ScatterToLinalg : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    constexpr bool nd = std::is_same_v<OpT, onnxir::ScatterNDOp>;
    StringRef reduction = "none";
    if constexpr (!std::is_same_v<OpT, onnxir::ScatterOp>)
      reduction = op.getReduction();
    int64_t axis = 0;
    if constexpr (!nd)
      axis = op.getAxis();
    ScatterPlan p;
    if (failed(planScatter(op, rw, nd, reduction, axis, p)))
      return failure();
    Location l = op.getLoc();
    Value indices = op->getOperand(1);
    Value lastEntry = p.dynDepth ? lastTupleEntry(rw, l, indices) : Value();
    // The copy that is written: a generic, so it never aliases `data`.
    Value out = mapTensor(rw, l, op->getOperand(0),
                          [](OpBuilder &, Location, Value v) { return v; });
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    ScatterNest nest{
        p, op->getOperand(0), indices, op->getOperand(2), lastEntry, zero, one};
    SmallVector<Value> ivs;
    out = nest.loops(rw, l, 0, ivs, out);
    rw.replaceOp(op, castIfNeeded(rw, l, out, op->getResult(0).getType()));
    return success();
  }
};

/// GatherND: out[q..., r...] = data[q[:b]..., indices[q..., :]..., r...]
/// with b = batch_dims.
struct GatherNDToLinalg : OpRewritePattern<onnxir::GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::GatherNDOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value data = op->getOperand(0), indices = op->getOperand(1);
    auto dt = llvm::dyn_cast<RankedTensorType>(data.getType());
    auto it = llvm::dyn_cast<RankedTensorType>(indices.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!dt || !it || !rt)
      return rw.notifyMatchFailure(op, "needs ranked tensors");
    int64_t bd = op.getBatchDims();
    int64_t q = it.getRank() - 1, k = it.getDimSize(q);
    // A dynamic index depth follows from the ranks (the result has
    // q + rank(data) - batch_dims - k dims).
    bool dynDepth = ShapedType::isDynamic(k);
    if (dynDepth)
      k = q + dt.getRank() - bd - rt.getRank();
    if (q < 0 || k < 1 || bd + k > dt.getRank() ||
        rt.getRank() != q + dt.getRank() - bd - k)
      return rw.notifyMatchFailure(op, "needs a consistent index depth");
    Value lastEntry = dynDepth ? lastTupleEntry(rw, l, indices) : Value();
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rt.getRank(); ++i) {
      if (!rt.isDynamicDim(i))
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(i)));
      else if (i < q)
        sizes.push_back(tensor::getMixedSize(rw, l, indices, i));
      else
        sizes.push_back(tensor::getMixedSize(rw, l, data, i - q + bd + k));
    }
    Value y = generateFromIndices(
        rw, l, rt, sizes, [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at(o.begin(), o.begin() + bd);
          appendTuplePositions(b, nl, indices, o.take_front(q), k, lastEntry,
                               data, bd, at);
          for (int64_t i = q; i < rt.getRank(); ++i)
            at.push_back(o[i]);
          return Value(tensor::ExtractOp::create(b, nl, data, at));
        });
    rw.replaceOp(op, y);
    return success();
  }
};

/// ReverseSequence: out[.., t, .., b, ..] = x[.., len_b - 1 - t, .., b, ..]
/// for t < len_b (len_b = sequence_lens[b], clamped to the time length),
/// else x itself.
struct ReverseSequenceToLinalg : OpRewritePattern<onnxir::ReverseSequenceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ReverseSequenceOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0), lens = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto lt = llvm::dyn_cast<RankedTensorType>(lens.getType());
    if (!t || !lt || t.getRank() < 2 || lt.getRank() != 1 ||
        !lt.getElementType().isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs rank >= 2 and 1-D lengths");
    int64_t timeAxis = normalizeAxis(op.getTimeAxis(), t.getRank());
    int64_t batchAxis = normalizeAxis(op.getBatchAxis(), t.getRank());
    if (timeAxis == batchAxis || timeAxis > 1 || batchAxis > 1)
      return rw.notifyMatchFailure(op, "time and batch axes are 0 and 1");
    Value steps = tensor::DimOp::create(rw, l, x, timeAxis);
    Value y = generateFromIndices(
        rw, l, t, tensor::getMixedSizes(rw, l, x),
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          Value len =
              tensor::ExtractOp::create(b, nl, lens, ValueRange{o[batchAxis]});
          len = arith::IndexCastOp::create(b, nl, b.getIndexType(), len);
          len = arith::MinSIOp::create(b, nl, len, steps);
          Value ti = o[timeAxis];
          Value rev = arith::SubIOp::create(
              b, nl, arith::SubIOp::create(b, nl, len, indexConst(b, nl, 1)),
              ti);
          Value in =
              arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, ti, len);
          SmallVector<Value> at(o.begin(), o.end());
          at[timeAxis] = arith::SelectOp::create(b, nl, in, rev, ti);
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, op.getType()));
    return success();
  }
};

} // namespace

void seqc::populateOnnxIndexingToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<GatherElementsToLinalg, SizeToTensor, RangeToLinalg,
               TileToLinalg, EyeLikeToLinalg, ClipToLinalg, OneHotToLinalg,
               SliceGeneralToLinalg, PadGeneralToLinalg, GatherNDToLinalg,
               ReverseSequenceToLinalg, ScatterToLinalg<onnxir::ScatterOp>,
               ScatterToLinalg<onnxir::ScatterElementsOp>,
               ScatterToLinalg<onnxir::ScatterNDOp>,
               BlockRearrangeToLinalg<onnxir::DepthToSpaceOp>,
               BlockRearrangeToLinalg<onnxir::SpaceToDepthOp>>(ctx);
  populateSelectionPatterns(patterns);
}
