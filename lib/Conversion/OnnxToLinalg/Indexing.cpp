//===- Indexing.cpp - Index-computing ONNX ops to linalg --------*- C++ -*-===//
//
// GatherElements, GatherND, ScatterElements, ScatterND, TopK, Compress,
// NonZero, ReverseSequence, Unique, Size, Range, Tile, EyeLike, Clip, OneHot,
// DepthToSpace, SpaceToDepth, and the general forms of Slice and Pad: ops
// whose generic bodies (or, for the scatters, Compress and NonZero, loop
// nests) compute element positions or read scalar operands at run time.
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

#include <functional>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

SmallVector<utils::IteratorType> parallel(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// An index read from an integer tensor element, negative ones counted from
/// the back of a dim of size `dim`, clamped into it.
Value wrappedIndex(OpBuilder &b, Location l, Value v, Value dim) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
  Value zero = indexConst(b, l, 0);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, dim), i);
  // An index out of range (an invalid model) is clamped: never an access
  // out of bounds.
  Value last = arith::SubIOp::create(b, l, dim, indexConst(b, l, 1));
  return arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, i, last),
                                zero);
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
    int64_t axis = normalizeAxis(intAttr(op, "axis", 0), r);
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
      n = arith::MulIOp::create(rw, loc, n, tensor::DimOp::create(rw, loc, x, i));
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
      Value isZero = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq,
                                           delta, zero);
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
    int64_t k = intAttr(op, "k", 0);
    Type elem = rt.getElementType();
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, tensor::getMixedSizes(rw, loc, x))},
        {rw.getMultiDimIdentityMap(2)}, parallel(2),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 1);
          Value on = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq,
              arith::SubIOp::create(b, l, j, i), indexConst(b, l, k));
          linalg::YieldOp::create(
              b, l,
              Value(arith::SelectOp::create(b, l, on, scalarConst(b, l, elem, 1),
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
      auto bt = llvm::dyn_cast<RankedTensorType>(op->getOperand(i + 1).getType());
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

/// A generic over `rt` (sizes `sizes`) whose body computes each element
/// from the output indices.
Value generateFromIndices(
    OpBuilder &b, Location l, RankedTensorType rt,
    ArrayRef<OpFoldResult> sizes,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> element) {
  int64_t r = rt.getRank();
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, l, TypeRange{rt}, ValueRange{},
             ValueRange{emptyTensor(b, l, rt, sizes)},
             {b.getMultiDimIdentityMap(r)}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> at;
               for (int64_t i = 0; i < r; ++i)
                 at.push_back(linalg::IndexOp::create(nb, nl, i));
               linalg::YieldOp::create(nb, nl, element(nb, nl, at));
             })
      .getResult(0);
}

/// DepthToSpace (DCR and CRD) and SpaceToDepth on (N, C, H, W): each output
/// element reads the input at indices computed from its own.
struct BlockRearrangeToLinalg : RewritePattern {
  BlockRearrangeToLinalg(MLIRContext *ctx, StringRef name)
      : RewritePattern(name, 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    Location l = op->getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    int64_t bs = intAttr(op, "blocksize", 0);
    if (!t || !rt || t.getRank() != 4 || rt.getRank() != 4 || bs <= 0)
      return rw.notifyMatchFailure(op, "needs rank-4 tensors and a blocksize");
    bool toSpace = op->getName().getStringRef() == "onnx.DepthToSpace";
    bool crd = toSpace && strAttr(op, "mode", "DCR") == "CRD";
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
    Value y = generateFromIndices(
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
    rw.replaceOp(op, y);
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
    int64_t axis = normalizeAxis(intAttr(op, "axis", -1), r);
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
    Value x = op->getOperand(0), starts = op->getOperand(1),
          ends = op->getOperand(2), axes = op->getOperand(3),
          steps = op->getOperand(4);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    auto st = llvm::dyn_cast<RankedTensorType>(starts.getType());
    if (!t || !rt || !st || st.getRank() != 1)
      return rw.notifyMatchFailure(op, "needs ranked data and 1-D starts");
    int64_t r = t.getRank();
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1),
          minusOne = indexConst(rw, l, -1), rank = indexConst(rw, l, r);
    SmallVector<Value> start, step, size;
    for (int64_t i = 0; i < r; ++i) {
      start.push_back(zero);
      step.push_back(one);
      size.push_back(tensor::DimOp::create(rw, l, x, i));
    }
    // Entry k of starts/ends/axes/steps narrows the dim axes[k].
    auto narrow = [&](OpBuilder &b, Value k, SmallVector<Value> &start,
                      SmallVector<Value> &step, SmallVector<Value> &size) {
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
          return arith::SelectOp::create(
              b, l, neg, arith::AddIOp::create(b, l, v, dim), v);
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
        start[i] = arith::SelectOp::create(b, l, hit, s2, start[i]);
        step[i] = arith::SelectOp::create(b, l, hit, safeStep, step[i]);
        size[i] = arith::SelectOp::create(b, l, hit, len, size[i]);
      }
    };
    if (!st.isDynamicDim(0)) {
      for (int64_t k = 0; k < st.getDimSize(0); ++k)
        narrow(rw, indexConst(rw, l, k), start, step, size);
    } else {
      // A run-time count: an scf.for carrying the 3 * rank values, over the
      // entries all the given lists have.
      Value n = tensor::DimOp::create(rw, l, starts, 0);
      for (Value v : {ends, axes, steps})
        if (!isNone(v))
          n = arith::MinSIOp::create(rw, l, n, tensor::DimOp::create(rw, l, v, 0));
      SmallVector<Value> init(start);
      init.append(step);
      init.append(size);
      auto loop = scf::ForOp::create(
          rw, l, zero, n, one, init,
          [&](OpBuilder &b, Location, Value k, ValueRange it) {
            SmallVector<Value> sa(it.take_front(r)), sp(it.slice(r, r)),
                sz(it.take_back(r));
            narrow(b, k, sa, sp, sz);
            SmallVector<Value> next(sa);
            next.append(sp);
            next.append(sz);
            scf::YieldOp::create(b, l, next);
          });
      for (int64_t i = 0; i < r; ++i) {
        start[i] = loop.getResult(i);
        step[i] = loop.getResult(r + i);
        size[i] = loop.getResult(2 * r + i);
      }
    }
    auto dynType = RankedTensorType::get(
        SmallVector<int64_t>(r, ShapedType::kDynamic), t.getElementType());
    SmallVector<OpFoldResult> sizes(size.begin(), size.end());
    Value y = generateFromIndices(
        rw, l, dynType, sizes, [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            at.push_back(arith::AddIOp::create(
                b, nl, start[i], arith::MulIOp::create(b, nl, o[i], step[i])));
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
    std::string mode = strAttr(op, "mode", "constant");
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
      Value n = arith::AddIOp::create(rw, l, d, arith::AddIOp::create(rw, l, b, e));
      sizes.push_back(Value(arith::MaxSIOp::create(rw, l, n, zero)));
    }
    Type elem = t.getElementType();
    Value value = isNone(cval)
                      ? scalarConst(rw, l, elem, 0)
                      : Value(tensor::ExtractOp::create(rw, l, cval,
                                                        ValueRange{}));
    auto dynType = RankedTensorType::get(
        SmallVector<int64_t>(r, ShapedType::kDynamic), elem);
    Value y = generateFromIndices(
        rw, l, dynType, sizes, [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at;
          Value inside;
          for (int64_t i = 0; i < r; ++i) {
            Value j = arith::SubIOp::create(b, nl, o[i], lo[i]);
            Value last = arith::SubIOp::create(b, nl, dims[i], one);
            if (mode == "edge") {
              j = clampIndex(b, nl, j, zero, last);
            } else if (mode == "reflect") {
              // -j before the start, 2 (d - 1) - j past the end.
              Value neg = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt,
                                                j, zero);
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
              inside = inside ? Value(arith::AndIOp::create(b, nl, inside, in))
                              : in;
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

/// ScatterElements and ScatterND: a copy of `data`, then one write per
/// update element in order (an scf.for nest over the updates' dims), so that
/// duplicate indices and reductions follow the reference's sequential
/// semantics.
struct ScatterToLinalg : RewritePattern {
  ScatterToLinalg(MLIRContext *ctx, StringRef name)
      : RewritePattern(name, 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    Location l = op->getLoc();
    Value data = op->getOperand(0), indices = op->getOperand(1),
          updates = op->getOperand(2);
    auto dt = llvm::dyn_cast<RankedTensorType>(data.getType());
    auto it = llvm::dyn_cast<RankedTensorType>(indices.getType());
    auto ut = llvm::dyn_cast<RankedTensorType>(updates.getType());
    if (!dt || !it || !ut)
      return rw.notifyMatchFailure(op, "needs ranked tensors");
    bool nd = op->getName().getStringRef() == "onnx.ScatterND";
    std::string reduction = strAttr(op, "reduction", "none");
    if (reduction != "none" && reduction != "add" && reduction != "mul" &&
        reduction != "max" && reduction != "min") {
      op->emitError() << "'" << op->getName() << "' reduction '" << reduction
                      << "' is not supported";
      return failure();
    }
    int64_t k = nd ? it.getDimSize(it.getRank() - 1) : 0;
    // A dynamic index depth follows from the ranks (updates have
    // q + rank(data) - k dims).
    bool dynDepth = nd && ShapedType::isDynamic(k);
    if (dynDepth)
      k = it.getRank() - 1 + dt.getRank() - ut.getRank();
    if (nd && (k < 1 || k > dt.getRank() ||
               ut.getRank() != it.getRank() - 1 + dt.getRank() - k))
      return rw.notifyMatchFailure(op, "needs a consistent index depth");
    // Never read past a run-time depth smaller than k (an invalid model).
    Value lastIdx =
        dynDepth ? Value(arith::MaxSIOp::create(
                       rw, l,
                       arith::SubIOp::create(
                           rw, l,
                           tensor::DimOp::create(rw, l, indices,
                                                 it.getRank() - 1),
                           indexConst(rw, l, 1)),
                       indexConst(rw, l, 0)))
                 : Value();
    int64_t axis = nd ? 0 : normalizeAxis(intAttr(op, "axis", 0), dt.getRank());
    // The copy that is written: a generic, so it never aliases `data`.
    Value out = mapTensor(rw, l, data,
                          [](OpBuilder &, Location, Value v) { return v; });
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    int64_t ur = ut.getRank();
    // Recursive loop nest over the update dims.
    std::function<Value(OpBuilder &, Location, int64_t, SmallVector<Value> &,
                        Value)>
        nest = [&](OpBuilder &b, Location nl, int64_t d,
                   SmallVector<Value> &ivs, Value acc) -> Value {
      if (d == ur) {
        SmallVector<Value> pos;
        if (nd) {
          // indices[q..., 0..k-1] then the update's trailing dims.
          int64_t q = it.getRank() - 1;
          for (int64_t j = 0; j < k; ++j) {
            SmallVector<Value> at(ivs.begin(), ivs.begin() + q);
            Value jv = indexConst(b, nl, j);
            if (dynDepth)
              jv = arith::MinSIOp::create(b, nl, jv, lastIdx);
            at.push_back(jv);
            Value v = tensor::ExtractOp::create(b, nl, indices, at);
            pos.push_back(wrappedIndex(
                b, nl, v, tensor::DimOp::create(b, nl, data, j)));
          }
          for (int64_t j = q; j < ur; ++j)
            pos.push_back(ivs[j]);
        } else {
          pos.assign(ivs.begin(), ivs.end());
          Value v = tensor::ExtractOp::create(b, nl, indices, ivs);
          pos[axis] = wrappedIndex(b, nl, v,
                                   tensor::DimOp::create(b, nl, data, axis));
        }
        Value upd = tensor::ExtractOp::create(b, nl, updates, ivs);
        if (reduction != "none")
          upd = scatterCombine(b, nl, reduction,
                               tensor::ExtractOp::create(b, nl, acc, pos), upd);
        return tensor::InsertOp::create(b, nl, upd, acc, pos);
      }
      Value ub = tensor::DimOp::create(b, nl, updates, d);
      auto loop = scf::ForOp::create(
          b, nl, zero, ub, one, ValueRange{acc},
          [&](OpBuilder &lb, Location ll, Value iv, ValueRange iter) {
            ivs.push_back(iv);
            Value r = nest(lb, ll, d + 1, ivs, iter[0]);
            ivs.pop_back();
            scf::YieldOp::create(lb, ll, r);
          });
      return loop.getResult(0);
    };
    SmallVector<Value> ivs;
    out = nest(rw, l, 0, ivs, out);
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
    int64_t bd = intAttr(op, "batch_dims", 0);
    int64_t q = it.getRank() - 1, k = it.getDimSize(q);
    // A dynamic index depth follows from the ranks (the result has
    // q + rank(data) - batch_dims - k dims).
    bool dynDepth = ShapedType::isDynamic(k);
    if (dynDepth)
      k = q + dt.getRank() - bd - rt.getRank();
    if (q < 0 || k < 1 || bd + k > dt.getRank() ||
        rt.getRank() != q + dt.getRank() - bd - k)
      return rw.notifyMatchFailure(op, "needs a consistent index depth");
    // Never read past a run-time depth smaller than k (an invalid model).
    Value lastIdx =
        dynDepth ? Value(arith::MaxSIOp::create(
                       rw, l,
                       arith::SubIOp::create(
                           rw, l, tensor::DimOp::create(rw, l, indices, q),
                           indexConst(rw, l, 1)),
                       indexConst(rw, l, 0)))
                 : Value();
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
          for (int64_t j = 0; j < k; ++j) {
            SmallVector<Value> ix(o.begin(), o.begin() + q);
            Value jv = indexConst(b, nl, j);
            if (dynDepth)
              jv = arith::MinSIOp::create(b, nl, jv, lastIdx);
            ix.push_back(jv);
            Value v = tensor::ExtractOp::create(b, nl, indices, ix);
            at.push_back(wrappedIndex(
                b, nl, v, tensor::DimOp::create(b, nl, data, bd + j)));
          }
          for (int64_t i = q; i < rt.getRank(); ++i)
            at.push_back(o[i]);
          return Value(tensor::ExtractOp::create(b, nl, data, at));
        });
    rw.replaceOp(op, y);
    return success();
  }
};

/// TopK: each element's rank along the axis (how many elements come before
/// it: larger, or smaller for largest = 0, ties to the lower index) in one
/// generic, then each output position k takes the element of rank k.
/// Quadratic in the axis length.
struct TopKToLinalg : OpRewritePattern<onnxir::TopKOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::TopKOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto vt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    auto it = llvm::dyn_cast<RankedTensorType>(op->getResult(1).getType());
    if (!t || !vt || !it || vt.getRank() != t.getRank())
      return rw.notifyMatchFailure(op, "needs ranked tensors");
    int64_t r = t.getRank();
    int64_t axis = normalizeAxis(intAttr(op, "axis", -1), r);
    bool largest = intAttr(op, "largest", 1) != 0;
    bool isFloat = llvm::isa<FloatType>(t.getElementType());
    bool isUnsigned = t.getElementType().isUnsignedInteger();
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value n = tensor::DimOp::create(rw, l, x, axis);
    // a comes before e.
    auto before = [&](OpBuilder &b, Location nl, Value xa, Value xe, Value ia,
                      Value ie) -> Value {
      Value better =
          isFloat ? Value(arith::CmpFOp::create(
                        b, nl,
                        largest ? arith::CmpFPredicate::OGT
                                : arith::CmpFPredicate::OLT,
                        xa, xe))
                  : Value(arith::CmpIOp::create(
                        b, nl,
                        largest ? (isUnsigned ? arith::CmpIPredicate::ugt
                                              : arith::CmpIPredicate::sgt)
                                : (isUnsigned ? arith::CmpIPredicate::ult
                                              : arith::CmpIPredicate::slt),
                        xa, xe));
      Value same = isFloat ? Value(arith::CmpFOp::create(
                                 b, nl, arith::CmpFPredicate::OEQ, xa, xe))
                           : Value(arith::CmpIOp::create(
                                 b, nl, arith::CmpIPredicate::eq, xa, xe));
      Value lower =
          arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, ia, ie);
      return arith::OrIOp::create(b, nl, better,
                                  arith::AndIOp::create(b, nl, same, lower));
    };
    auto rankType = RankedTensorType::get(t.getShape(), rw.getIndexType());
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    AffineMap id = rw.getMultiDimIdentityMap(r);
    Value ranks =
        linalg::GenericOp::create(
            rw, l, TypeRange{rankType}, ValueRange{x},
            ValueRange{emptyTensor(rw, l, rankType,
                                   tensor::getMixedSizes(rw, l, x))},
            {id, id}, iters,
            [&](OpBuilder &b, Location nl, ValueRange a) {
              SmallVector<Value> at;
              for (int64_t i = 0; i < r; ++i)
                at.push_back(linalg::IndexOp::create(b, nl, i));
              Value ie = at[axis];
              auto loop = scf::ForOp::create(
                  b, nl, zero, n, one, ValueRange{zero},
                  [&](OpBuilder &lb, Location ll, Value ia, ValueRange it) {
                    SmallVector<Value> pos(at);
                    pos[axis] = ia;
                    Value xa = tensor::ExtractOp::create(lb, ll, x, pos);
                    Value inc = before(lb, ll, xa, a[0], ia, ie);
                    Value next = arith::AddIOp::create(
                        lb, ll, it[0],
                        arith::SelectOp::create(lb, ll, inc, one, zero));
                    scf::YieldOp::create(lb, ll, next);
                  });
              linalg::YieldOp::create(b, nl, loop.getResult(0));
            })
            .getResult(0);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < r; ++i) {
      if (!vt.isDynamicDim(i))
        sizes.push_back(rw.getIndexAttr(vt.getDimSize(i)));
      else if (i == axis)
        sizes.push_back(Value(arith::MinSIOp::create(
            rw, l, scalarIndex(rw, l, op->getOperand(1)), n)));
      else
        sizes.push_back(tensor::getMixedSize(rw, l, x, i));
    }
    Type idxElem = it.getElementType();
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{vt, it}, ValueRange{},
        ValueRange{emptyTensor(rw, l, vt, sizes), emptyTensor(rw, l, it, sizes)},
        {id, id}, iters, [&](OpBuilder &b, Location nl, ValueRange) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            at.push_back(linalg::IndexOp::create(b, nl, i));
          Value k = at[axis];
          auto loop = scf::ForOp::create(
              b, nl, zero, n, one, ValueRange{zero},
              [&](OpBuilder &lb, Location ll, Value e, ValueRange iter) {
                SmallVector<Value> pos(at);
                pos[axis] = e;
                Value re = tensor::ExtractOp::create(lb, ll, ranks, pos);
                Value hit =
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq, re, k);
                scf::YieldOp::create(
                    lb, ll,
                    Value(arith::SelectOp::create(lb, ll, hit, e, iter[0])));
              });
          Value e = loop.getResult(0);
          SmallVector<Value> pos(at);
          pos[axis] = e;
          Value v = tensor::ExtractOp::create(b, nl, x, pos);
          Value ix = arith::IndexCastOp::create(b, nl, idxElem, e);
          linalg::YieldOp::create(b, nl, ValueRange{v, ix});
        });
    rw.replaceOp(op, g.getResults());
    return success();
  }
};

/// Compress: the positions whose condition is true (an scf.for collecting
/// them in order; a condition shorter than the axis selects nothing past
/// its end), then a generic reading the input at those positions. Without
/// `axis` the input is flattened first.
struct CompressToLinalg : OpRewritePattern<onnxir::CompressOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::CompressOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0), cond = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto ct = llvm::dyn_cast<RankedTensorType>(cond.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !ct || !rt || ct.getRank() != 1)
      return rw.notifyMatchFailure(op, "needs ranked tensors, 1-D condition");
    int64_t axis = 0;
    if (op->getAttrOfType<IntegerAttr>("axis")) {
      axis = normalizeAxis(intAttr(op, "axis", 0), t.getRank());
    } else {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < t.getRank(); ++i)
        all[0].push_back(i);
      x = tensor::CollapseShapeOp::create(rw, l, x, all);
      t = llvm::cast<RankedTensorType>(x.getType());
    }
    if (rt.getRank() != t.getRank())
      return rw.notifyMatchFailure(op, "result rank");
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value n = arith::MinSIOp::create(rw, l, tensor::DimOp::create(rw, l, cond, 0),
                                     tensor::DimOp::create(rw, l, x, axis));
    auto selType = RankedTensorType::get({ShapedType::kDynamic},
                                         rw.getIndexType());
    Value sel = tensor::EmptyOp::create(rw, l, selType, ValueRange{n});
    auto loop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{sel, zero},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          Value c = tensor::ExtractOp::create(b, nl, cond, ValueRange{i});
          if (!c.getType().isInteger(1))
            c = arith::CmpIOp::create(
                b, nl, arith::CmpIPredicate::ne, c,
                arith::ConstantOp::create(b, nl, b.getIntegerAttr(c.getType(), 0)));
          auto ifOp = scf::IfOp::create(
              b, nl, c,
              [&](OpBuilder &tb, Location tl) {
                Value s2 = tensor::InsertOp::create(tb, tl, i, it[0],
                                                    ValueRange{it[1]});
                scf::YieldOp::create(
                    tb, tl,
                    ValueRange{s2, arith::AddIOp::create(tb, tl, it[1], one)});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, ValueRange{it[0], it[1]});
              });
          scf::YieldOp::create(b, nl, ifOp.getResults());
        });
    Value positions = loop.getResult(0), count = loop.getResult(1);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < t.getRank(); ++i)
      sizes.push_back(i == axis ? OpFoldResult(count)
                                : tensor::getMixedSize(rw, l, x, i));
    SmallVector<int64_t> shape(t.getShape());
    shape[axis] = ShapedType::kDynamic;
    auto dynType = RankedTensorType::get(shape, t.getElementType());
    Value y = generateFromIndices(
        rw, l, dynType, sizes, [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at(o.begin(), o.end());
          at[axis] = tensor::ExtractOp::create(b, nl, positions,
                                               ValueRange{o[axis]});
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, rt));
    return success();
  }
};

/// The flat positions (row-major) of the nonzero elements of `x`, in order,
/// and their count: an scf.for over the flattened tensor.
std::pair<Value, Value> nonzeroPositions(OpBuilder &rw, Location l, Value x) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  if (t.getRank() != 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < t.getRank(); ++i)
      all[0].push_back(i);
    x = tensor::CollapseShapeOp::create(rw, l, x, all);
  }
  Type elem = t.getElementType();
  Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
  Value n = tensor::DimOp::create(rw, l, x, 0);
  auto selType =
      RankedTensorType::get({ShapedType::kDynamic}, rw.getIndexType());
  Value sel = tensor::EmptyOp::create(rw, l, selType, ValueRange{n});
  auto loop = scf::ForOp::create(
      rw, l, zero, n, one, ValueRange{sel, zero},
      [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
        Value v = tensor::ExtractOp::create(b, nl, x, ValueRange{i});
        Value c =
            llvm::isa<FloatType>(elem)
                ? Value(arith::CmpFOp::create(b, nl, arith::CmpFPredicate::UNE,
                                              v, scalarConst(b, nl, elem, 0)))
                : Value(arith::CmpIOp::create(b, nl, arith::CmpIPredicate::ne,
                                              v, scalarConst(b, nl, elem, 0)));
        auto ifOp = scf::IfOp::create(
            b, nl, c,
            [&](OpBuilder &tb, Location tl) {
              Value s2 =
                  tensor::InsertOp::create(tb, tl, i, it[0], ValueRange{it[1]});
              scf::YieldOp::create(
                  tb, tl,
                  ValueRange{s2, arith::AddIOp::create(tb, tl, it[1], one)});
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, ValueRange{it[0], it[1]});
            });
        scf::YieldOp::create(b, nl, ifOp.getResults());
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// NonZero: the flat positions of the nonzero elements (nonzeroPositions),
/// then a generic over (rank, count) splitting each into its indices.
struct NonZeroToLinalg : OpRewritePattern<onnxir::NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::NonZeroOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt || t.getRank() == 0 || rt.getRank() != 2 ||
        !rt.getElementType().isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs a ranked input of rank >= 1");
    Type elem = t.getElementType();
    if (!llvm::isa<FloatType>(elem) && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float, integer or bool input");
    int64_t r = t.getRank();
    auto [positions, count] = nonzeroPositions(rw, l, x);
    // Row-major strides of x.
    SmallVector<Value> dims, strides(r);
    for (int64_t i = 0; i < r; ++i)
      dims.push_back(tensor::DimOp::create(rw, l, x, i));
    Value stride = indexConst(rw, l, 1);
    for (int64_t i = r - 1; i >= 0; --i) {
      strides[i] = stride;
      stride = arith::MulIOp::create(rw, l, stride, dims[i]);
    }
    auto dynType = RankedTensorType::get({r, ShapedType::kDynamic},
                                         rt.getElementType());
    SmallVector<OpFoldResult> sizes = {rw.getIndexAttr(r), count};
    Value y = generateFromIndices(
        rw, l, dynType, sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          Value p = tensor::ExtractOp::create(b, nl, positions, ValueRange{o[1]});
          // Index o[0] of p: (p / strides[d]) % dims[d], picked by o[0].
          Value v = indexConst(b, nl, 0);
          for (int64_t d = 0; d < r; ++d) {
            Value id = arith::RemUIOp::create(
                b, nl, arith::DivUIOp::create(b, nl, p, strides[d]), dims[d]);
            Value is = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq,
                                             o[0], indexConst(b, nl, d));
            v = arith::SelectOp::create(b, nl, is, id, v);
          }
          return Value(
              arith::IndexCastOp::create(b, nl, rt.getElementType(), v));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, rt));
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
    int64_t timeAxis = normalizeAxis(intAttr(op, "time_axis", 0), t.getRank());
    int64_t batchAxis =
        normalizeAxis(intAttr(op, "batch_axis", 1), t.getRank());
    if (timeAxis == batchAxis || timeAxis > 1 || batchAxis > 1)
      return rw.notifyMatchFailure(op, "time and batch axes are 0 and 1");
    Value steps = tensor::DimOp::create(rw, l, x, timeAxis);
    Value y = generateFromIndices(
        rw, l, t, tensor::getMixedSizes(rw, l, x),
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          Value len = tensor::ExtractOp::create(b, nl, lens,
                                                ValueRange{o[batchAxis]});
          len = arith::IndexCastOp::create(b, nl, b.getIndexType(), len);
          len = arith::MinSIOp::create(b, nl, len, steps);
          Value ti = o[timeAxis];
          Value rev = arith::SubIOp::create(
              b, nl, arith::SubIOp::create(b, nl, len, indexConst(b, nl, 1)),
              ti);
          Value in = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt,
                                           ti, len);
          SmallVector<Value> at(o.begin(), o.end());
          at[timeAxis] = arith::SelectOp::create(b, nl, in, rev, ti);
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, op.getType()));
    return success();
  }
};

/// Unique along `axis` (or of the flattened input): slices compared
/// lexicographically, in scf loops (quadratic in the axis length). Per
/// slice i: first[i], the first slice equal to it; the first occurrences
/// are ranked (sorted: by how many first occurrences are smaller; else by
/// position), which gives Y's order, indices (the first occurrences),
/// inverse_indices (rank of first[i]) and counts.
struct UniqueToLinalg : OpRewritePattern<onnxir::UniqueOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::UniqueOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || t.getRank() == 0 || op->getNumResults() != 4)
      return rw.notifyMatchFailure(op, "needs a ranked input");
    Type elem = t.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    if (!isFloat && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float or signless integers");
    SmallVector<RankedTensorType> rts;
    for (Value r : op->getResults()) {
      auto rt = llvm::dyn_cast<RankedTensorType>(r.getType());
      if (!rt)
        return rw.notifyMatchFailure(op, "needs ranked results");
      rts.push_back(rt);
    }
    int64_t axis = 0;
    if (op->getAttrOfType<IntegerAttr>("axis")) {
      axis = normalizeAxis(intAttr(op, "axis", 0), t.getRank());
    } else if (t.getRank() != 1) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < t.getRank(); ++i)
        all[0].push_back(i);
      x = tensor::CollapseShapeOp::create(rw, l, x, all);
      t = llvm::cast<RankedTensorType>(x.getType());
    }
    for (int64_t i = 1; i < 4; ++i)
      if (rts[i].getRank() != 1 || !rts[i].getElementType().isSignlessInteger())
        return rw.notifyMatchFailure(op, "needs 1-D integer index outputs");
    if (rts[0].getRank() != t.getRank())
      return rw.notifyMatchFailure(op, "result rank");
    bool sorted = intAttr(op, "sorted", 1) != 0;
    int64_t r = t.getRank();
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value n = tensor::DimOp::create(rw, l, x, axis);
    // The other dims, row-major: a slice's elements.
    SmallVector<int64_t> others;
    SmallVector<Value> otherDims;
    Value m = one;
    for (int64_t d = 0; d < r; ++d) {
      if (d == axis)
        continue;
      others.push_back(d);
      otherDims.push_back(tensor::DimOp::create(rw, l, x, d));
      m = arith::MulIOp::create(rw, l, m, otherDims.back());
    }
    auto element = [&](OpBuilder &b, Location nl, Value slice, Value e) {
      SmallVector<Value> at(r);
      at[axis] = slice;
      for (int64_t k = others.size() - 1; k >= 0; --k) {
        at[others[k]] = arith::RemUIOp::create(b, nl, e, otherDims[k]);
        e = arith::DivUIOp::create(b, nl, e, otherDims[k]);
      }
      return Value(tensor::ExtractOp::create(b, nl, x, at));
    };
    // -1, 0 or 1 as slice i is smaller than, equal to or larger than j.
    auto compare = [&](OpBuilder &b, Location nl, Value i, Value j) -> Value {
      Type i8 = b.getI8Type();
      auto loop = scf::ForOp::create(
          b, nl, zero, m, one, ValueRange{scalarConst(b, nl, i8, 0)},
          [&](OpBuilder &lb, Location ll, Value e, ValueRange it) {
            Value a = element(lb, ll, i, e), c = element(lb, ll, j, e);
            Value lt = isFloat ? Value(arith::CmpFOp::create(
                                     lb, ll, arith::CmpFPredicate::OLT, a, c))
                               : Value(arith::CmpIOp::create(
                                     lb, ll, arith::CmpIPredicate::slt, a, c));
            Value gt = isFloat ? Value(arith::CmpFOp::create(
                                     lb, ll, arith::CmpFPredicate::OGT, a, c))
                               : Value(arith::CmpIOp::create(
                                     lb, ll, arith::CmpIPredicate::sgt, a, c));
            Value here = arith::SelectOp::create(
                lb, ll, lt, scalarConst(lb, ll, i8, -1),
                arith::SelectOp::create(lb, ll, gt, scalarConst(lb, ll, i8, 1),
                                        scalarConst(lb, ll, i8, 0)));
            Value undecided = arith::CmpIOp::create(
                lb, ll, arith::CmpIPredicate::eq, it[0],
                scalarConst(lb, ll, i8, 0));
            scf::YieldOp::create(
                lb, ll,
                Value(arith::SelectOp::create(lb, ll, undecided, here, it[0])));
          });
      return loop.getResult(0);
    };
    auto idxType = RankedTensorType::get({ShapedType::kDynamic},
                                         rw.getIndexType());
    auto newIdx = [&](OpBuilder &b, Location nl) -> Value {
      return tensor::EmptyOp::create(b, nl, idxType, ValueRange{n});
    };
    // first[i]: the first j <= i with slice j == slice i.
    auto firstLoop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{newIdx(rw, l)},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          auto inner = scf::ForOp::create(
              b, nl, zero, i, one, ValueRange{i},
              [&](OpBuilder &ib, Location il, Value j, ValueRange jt) {
                Value unset = arith::CmpIOp::create(
                    ib, il, arith::CmpIPredicate::eq, jt[0], i);
                auto ifOp = scf::IfOp::create(
                    ib, il, unset,
                    [&](OpBuilder &tb, Location tl) {
                      Value same = arith::CmpIOp::create(
                          tb, tl, arith::CmpIPredicate::eq,
                          compare(tb, tl, j, i),
                          scalarConst(tb, tl, tb.getI8Type(), 0));
                      scf::YieldOp::create(
                          tb, tl,
                          Value(arith::SelectOp::create(tb, tl, same, j, i)));
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, jt[0]);
                    });
                scf::YieldOp::create(ib, il, ifOp.getResults());
              });
          scf::YieldOp::create(
              b, nl,
              Value(tensor::InsertOp::create(b, nl, inner.getResult(0), it[0],
                                             ValueRange{i})));
        });
    Value first = firstLoop.getResult(0);
    auto isFirst = [&](OpBuilder &b, Location nl, Value i) -> Value {
      return arith::CmpIOp::create(
          b, nl, arith::CmpIPredicate::eq,
          tensor::ExtractOp::create(b, nl, first, ValueRange{i}), i);
    };
    // rank[i] of each first occurrence i; `count` of them.
    auto rankLoop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{newIdx(rw, l), zero},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          auto inner = scf::ForOp::create(
              b, nl, zero, n, one, ValueRange{zero},
              [&](OpBuilder &ib, Location il, Value j, ValueRange jt) {
                auto ifOp = scf::IfOp::create(
                    ib, il, isFirst(ib, il, j),
                    [&](OpBuilder &tb, Location tl) {
                      Value before =
                          sorted
                              ? Value(arith::CmpIOp::create(
                                    tb, tl, arith::CmpIPredicate::eq,
                                    compare(tb, tl, j, i),
                                    scalarConst(tb, tl, tb.getI8Type(), -1)))
                              : Value(arith::CmpIOp::create(
                                    tb, tl, arith::CmpIPredicate::ult, j, i));
                      scf::YieldOp::create(
                          tb, tl,
                          Value(arith::AddIOp::create(
                              tb, tl, jt[0],
                              arith::SelectOp::create(tb, tl, before, one,
                                                      zero))));
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, jt[0]);
                    });
                scf::YieldOp::create(ib, il, ifOp.getResults());
              });
          Value f = isFirst(b, nl, i);
          Value ranks = tensor::InsertOp::create(b, nl, inner.getResult(0),
                                                 it[0], ValueRange{i});
          Value cnt = arith::AddIOp::create(
              b, nl, it[1], arith::SelectOp::create(b, nl, f, one, zero));
          scf::YieldOp::create(b, nl, ValueRange{ranks, cnt});
        });
    Value rank = rankLoop.getResult(0), count = rankLoop.getResult(1);
    // The first occurrence of each rank, counts and inverse indices.
    Value counts0 = linalg::FillOp::create(rw, l, zero, newIdx(rw, l))
                        .getResult(0);
    auto fillLoop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{newIdx(rw, l), counts0, newIdx(rw, l)},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          Value f = tensor::ExtractOp::create(b, nl, first, ValueRange{i});
          Value k = tensor::ExtractOp::create(b, nl, rank, ValueRange{f});
          Value firsts = tensor::InsertOp::create(b, nl, f, it[0], ValueRange{k});
          Value c = tensor::ExtractOp::create(b, nl, it[1], ValueRange{k});
          Value counts = tensor::InsertOp::create(
              b, nl, arith::AddIOp::create(b, nl, c, one), it[1], ValueRange{k});
          Value inv = tensor::InsertOp::create(b, nl, k, it[2], ValueRange{i});
          scf::YieldOp::create(b, nl, ValueRange{firsts, counts, inv});
        });
    Value firsts = fillLoop.getResult(0);
    // Y: the input at the first occurrences.
    SmallVector<OpFoldResult> sizes;
    SmallVector<int64_t> shape(t.getShape());
    shape[axis] = ShapedType::kDynamic;
    for (int64_t d = 0; d < r; ++d)
      sizes.push_back(d == axis ? OpFoldResult(count)
                                : tensor::getMixedSize(rw, l, x, d));
    Value y = generateFromIndices(
        rw, l, RankedTensorType::get(shape, elem), sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at(o.begin(), o.end());
          at[axis] = tensor::ExtractOp::create(b, nl, firsts, ValueRange{o[axis]});
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    // An index vector (its first `len` entries) as the result type.
    auto asResult = [&](Value v, Value len, RankedTensorType rt) {
      auto dyn = RankedTensorType::get({ShapedType::kDynamic},
                                       rt.getElementType());
      Value out = generateFromIndices(
          rw, l, dyn, {OpFoldResult(len)},
          [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
            Value e = tensor::ExtractOp::create(b, nl, v, ValueRange{o[0]});
            return Value(
                arith::IndexCastOp::create(b, nl, rt.getElementType(), e));
          });
      return castIfNeeded(rw, l, out, rt);
    };
    SmallVector<Value> results = {
        castIfNeeded(rw, l, y, rts[0]), asResult(firsts, count, rts[1]),
        asResult(fillLoop.getResult(2), n, rts[2]),
        asResult(fillLoop.getResult(1), count, rts[3])};
    rw.replaceOp(op, results);
    return success();
  }
};

} // namespace

void seqc::populateOnnxIndexingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherElementsToLinalg, SizeToTensor, RangeToLinalg,
               TileToLinalg, EyeLikeToLinalg, ClipToLinalg, OneHotToLinalg,
               SliceGeneralToLinalg, PadGeneralToLinalg, GatherNDToLinalg,
               TopKToLinalg, CompressToLinalg, NonZeroToLinalg,
               ReverseSequenceToLinalg, UniqueToLinalg>(
      patterns.getContext());
  for (StringRef name :
       {"onnx.Scatter", "onnx.ScatterElements", "onnx.ScatterND"})
    patterns.add(std::make_unique<ScatterToLinalg>(patterns.getContext(), name));
  for (StringRef name : {"onnx.DepthToSpace", "onnx.SpaceToDepth"})
    patterns.add(
        std::make_unique<BlockRearrangeToLinalg>(patterns.getContext(), name));
}
