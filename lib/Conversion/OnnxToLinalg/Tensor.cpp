//===- Tensor.cpp - Shape and data-movement ONNX ops to tensor ---*- C++
//-*-===//
//
// Constant, Transpose, Reshape/Flatten/Squeeze/Unsqueeze, Shape, Concat,
// Gather, Slice, Split, Expand, Trilu, ConstantOfShape and inference-mode
// Dropout. Shapes that are values (Reshape's `shape`, Slice's bounds) are
// read at run time when they are not constants, so dynamic dims flow through.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

Value idx(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}
Value toIndex(OpBuilder &b, Location l, Value i64) {
  return arith::IndexCastOp::create(b, l, b.getIndexType(), i64);
}
Value toI64(OpBuilder &b, Location l, Value index) {
  return arith::IndexCastOp::create(b, l, b.getI64Type(), index);
}

/// tensor.reshape of `x` to `type` whose dims are `dims`.
Value reshapeTo(OpBuilder &b, Location l, Value x, RankedTensorType type,
                ArrayRef<OpFoldResult> dims) {
  SmallVector<Value> vals;
  for (OpFoldResult d : dims)
    vals.push_back(toI64(b, l, getValueOrCreateConstantIndexOp(b, l, d)));
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(vals.size())},
                                         b.getI64Type());
  Value shape = tensor::FromElementsOp::create(b, l, shapeType, vals);
  return tensor::ReshapeOp::create(b, l, type, x, shape);
}

/// Product of dims [from, to) of `x` as an index value.
Value dimProduct(OpBuilder &b, Location l, Value x, int64_t from, int64_t to) {
  Value p = idx(b, l, 1);
  for (int64_t i = from; i < to; ++i)
    p = arith::MulIOp::create(b, l, p, tensor::DimOp::create(b, l, x, i));
  return p;
}

struct ConstantToArith : OpRewritePattern<onnxir::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ConstantOp op,
                                PatternRewriter &rw) const override {
    TypedAttr value;
    if (auto v = op.getValueAttr())
      value = llvm::dyn_cast<TypedAttr>(v);
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!value && rt) {
      if (FloatAttr f = op.getValueFloatAttr())
        value = DenseElementsAttr::get(rt, f);
      else if (IntegerAttr i = op.getValueIntAttr())
        value = DenseElementsAttr::get(rt, i);
      else if (ArrayAttr fs = op.getValueFloatsAttr())
        value = DenseElementsAttr::get(rt, fs.getValue());
      else if (ArrayAttr is = op.getValueIntsAttr())
        value = DenseElementsAttr::get(rt, is.getValue());
    }
    if (!value)
      return rw.notifyMatchFailure(op, "unsupported constant form");
    rw.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

struct TransposeToLinalg : OpRewritePattern<onnxir::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::TransposeOp op,
                                PatternRewriter &rw) const override {
    auto t = llvm::dyn_cast<RankedTensorType>(op.getData().getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    SmallVector<int64_t> perm = intsOf(op.getPermAttr());
    if (!op.getPermAttr())
      for (int64_t i = t.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : perm)
      sizes.push_back(tensor::getMixedSize(rw, op.getLoc(), op.getData(), p));
    Value init = emptyTensor(rw, op.getLoc(), rt, sizes);
    auto tr =
        linalg::TransposeOp::create(rw, op.getLoc(), op.getData(), init, perm);
    rw.replaceOp(op, tr.getResult()[0]);
    return success();
  }
};

/// Reshape with ONNX's 0 (copy the input dim) and -1 (infer) entries.
struct ReshapeToTensor : OpRewritePattern<onnxir::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ReshapeOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getData();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    bool allowZero = op.getAllowzero() != 0;
    SmallVector<OpFoldResult> dims;
    if (rt.hasStaticShape()) {
      for (int64_t d : rt.getShape())
        dims.push_back(rw.getIndexAttr(d));
    } else {
      // Read the shape at run time.
      Value numel = dimProduct(rw, l, x, 0, t.getRank());
      SmallVector<Value> raw;
      for (int64_t i = 0; i < rt.getRank(); ++i) {
        Value s = tensor::ExtractOp::create(rw, l, op.getShape(),
                                            ValueRange{idx(rw, l, i)});
        s = toIndex(rw, l, s);
        if (!allowZero && i < t.getRank()) {
          Value isZero = arith::CmpIOp::create(rw, l, arith::CmpIPredicate::eq,
                                               s, idx(rw, l, 0));
          s = arith::SelectOp::create(rw, l, isZero,
                                      tensor::DimOp::create(rw, l, x, i), s);
        }
        raw.push_back(s);
      }
      // -1: numel / product of the others (the product of all, negated).
      Value known = idx(rw, l, 1);
      for (Value s : raw) {
        Value isNeg = arith::CmpIOp::create(rw, l, arith::CmpIPredicate::slt, s,
                                            idx(rw, l, 0));
        known = arith::MulIOp::create(
            rw, l, known,
            arith::SelectOp::create(rw, l, isNeg, idx(rw, l, 1), s));
      }
      // A 0 among the others (allowzero) leaves nothing to infer from;
      // dividing by at least 1 keeps that from trapping.
      known = arith::MaxSIOp::create(rw, l, known, idx(rw, l, 1));
      Value inferred = arith::DivSIOp::create(rw, l, numel, known);
      for (int64_t i = 0; i < rt.getRank(); ++i) {
        if (!rt.isDynamicDim(i)) {
          dims.push_back(rw.getIndexAttr(rt.getDimSize(i)));
          continue;
        }
        Value isNeg = arith::CmpIOp::create(rw, l, arith::CmpIPredicate::slt,
                                            raw[i], idx(rw, l, 0));
        dims.push_back(
            Value(arith::SelectOp::create(rw, l, isNeg, inferred, raw[i])));
      }
    }
    rw.replaceOp(op, reshapeTo(rw, l, x, rt, dims));
    return success();
  }
};

/// tensor.reshape of `x` to `rt` whose dims are `dims`, the static ones of
/// `rt` taking the place of theirs.
Value reshapeToResult(OpBuilder &b, Location l, Value x, RankedTensorType rt,
                      SmallVector<OpFoldResult> dims) {
  for (int64_t i = 0; i < rt.getRank(); ++i)
    if (!rt.isDynamicDim(i))
      dims[i] = b.getIndexAttr(rt.getDimSize(i));
  return reshapeTo(b, l, x, rt, dims);
}

/// Flatten: a reshape to the products of the dims before and from `axis`.
struct FlattenToTensor : OpRewritePattern<onnxir::FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::FlattenOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getInput();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
    SmallVector<OpFoldResult> dims = {
        Value(dimProduct(rw, l, x, 0, axis)),
        Value(dimProduct(rw, l, x, axis, t.getRank()))};
    rw.replaceOp(op, reshapeToResult(rw, l, x, rt, dims));
    return success();
  }
};

/// The result dims of a Squeeze (`squeeze`) or Unsqueeze of `x` (type `t`)
/// into `rt` for constant `axes`.
SmallVector<OpFoldResult> squeezeDims(OpBuilder &b, Location l, Value x,
                                      RankedTensorType t, RankedTensorType rt,
                                      bool squeeze, SmallVector<int64_t> axes) {
  SmallVector<OpFoldResult> ds;
  if (squeeze) {
    if (axes.empty())
      for (int64_t i = 0; i < t.getRank(); ++i)
        if (t.getDimSize(i) == 1)
          axes.push_back(i);
    for (int64_t &a : axes)
      a = normalizeAxis(a, t.getRank());
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (!llvm::is_contained(axes, i))
        ds.push_back(tensor::getMixedSize(b, l, x, i));
  } else {
    for (int64_t &a : axes)
      a = normalizeAxis(a, rt.getRank());
    int64_t src = 0;
    for (int64_t i = 0; i < rt.getRank(); ++i)
      ds.push_back(llvm::is_contained(axes, i)
                       ? OpFoldResult(b.getIndexAttr(1))
                       : tensor::getMixedSize(b, l, x, src++));
  }
  return ds;
}

/// The axis sets (bit masks over the larger rank `big`) a Squeeze or
/// Unsqueeze between `bigT` and `smallT` may have, read off the static
/// dims: big - small axes, each of size 1 where static, the others
/// matching in order.
SmallVector<int64_t> possibleSqueezeMasks(RankedTensorType bigT,
                                          RankedTensorType smallT) {
  int64_t big = bigT.getRank(), small = smallT.getRank();
  auto fits = [](int64_t a, int64_t b) {
    return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
  };
  SmallVector<int64_t> masks;
  for (int64_t mask = 1; mask < (int64_t(1) << big); ++mask) {
    if (llvm::popcount(uint64_t(mask)) != big - small)
      continue;
    bool ok = true;
    int64_t j = 0;
    for (int64_t i = 0; i < big && ok; ++i) {
      if (mask & (int64_t(1) << i))
        ok = fits(bigT.getDimSize(i), 1);
      else
        ok = fits(bigT.getDimSize(i), smallT.getDimSize(j++));
    }
    if (ok)
      masks.push_back(mask);
  }
  return masks;
}

/// Squeeze/Unsqueeze axes `axesT` read at run time, the shapes not static:
/// every axis set the ranks and static dims allow is lowered, and an
/// scf.index_switch on the run-time set (a bit mask over the larger rank)
/// picks one; a set the shapes exclude takes the first.
LogicalResult squeezeRuntimeAxes(Operation *op, PatternRewriter &rw, Value x,
                                 Value axesT, RankedTensorType t,
                                 RankedTensorType rt, bool squeeze) {
  Location l = op->getLoc();
  auto at = llvm::dyn_cast<RankedTensorType>(axesT.getType());
  int64_t big = squeeze ? t.getRank() : rt.getRank();
  int64_t small = squeeze ? rt.getRank() : t.getRank();
  if (!at || at.getRank() != 1 || !at.getElementType().isSignlessInteger() ||
      big > 8 || small > big)
    return rw.notifyMatchFailure(op, "axes must be constant");
  SmallVector<int64_t> masks =
      possibleSqueezeMasks(squeeze ? t : rt, squeeze ? rt : t);
  if (masks.empty() || masks.size() > 64)
    return rw.notifyMatchFailure(op, "axes must be constant");
  Value mask = axesMask(rw, l, axesT, big);
  SmallVector<int64_t> cases(masks.begin() + 1, masks.end());
  auto sw = scf::IndexSwitchOp::create(rw, l, TypeRange{rt}, mask, cases,
                                       cases.size());
  for (size_t c = 0; c < masks.size(); ++c) {
    Region &region =
        c == 0 ? sw.getDefaultRegion() : sw.getCaseRegions()[c - 1];
    OpBuilder::InsertionGuard guard(rw);
    rw.setInsertionPointToStart(&region.emplaceBlock());
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < big; ++i)
      if (masks[c] & (int64_t(1) << i))
        axes.push_back(i);
    SmallVector<OpFoldResult> dims =
        squeezeDims(rw, l, x, t, rt, squeeze, axes);
    scf::YieldOp::create(rw, l, reshapeToResult(rw, l, x, rt, dims));
  }
  rw.replaceOp(op, sw.getResult(0));
  return success();
}

/// Squeeze and Unsqueeze (OpT): reshapes whose dims follow from the input
/// and the axes (constant, implied by a static result, or read at run
/// time).
template <typename OpT> struct SqueezeLikeToTensor : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    constexpr bool squeeze = std::is_same_v<OpT, onnxir::SqueezeOp>;
    Location l = op.getLoc();
    Value x = op->getOperand(0), axesT = op.getAxes();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    SmallVector<int64_t> axes;
    if (!isNone(axesT)) {
      auto c = constantInts(axesT);
      if (!c && rt.hasStaticShape()) {
        // Axes given at run time: the static result says it all.
        SmallVector<OpFoldResult> st;
        for (int64_t d : rt.getShape())
          st.push_back(rw.getIndexAttr(d));
        rw.replaceOp(op, reshapeTo(rw, l, x, rt, st));
        return success();
      }
      if (!c)
        return squeezeRuntimeAxes(op, rw, x, axesT, t, rt, squeeze);
      axes = *c;
    }
    SmallVector<OpFoldResult> dims =
        squeezeDims(rw, l, x, t, rt, squeeze, axes);
    rw.replaceOp(op, reshapeToResult(rw, l, x, rt, dims));
    return success();
  }
};

struct ShapeToTensor : OpRewritePattern<onnxir::ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ShapeOp op,
                                PatternRewriter &rw) const override {
    auto t = llvm::dyn_cast<RankedTensorType>(op.getData().getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    int64_t r = t.getRank();
    int64_t start = std::clamp<int64_t>(normalizeAxis(op.getStart(), r), 0, r);
    int64_t end =
        std::clamp<int64_t>(normalizeAxis(op.getEnd().value_or(r), r), 0, r);
    SmallVector<Value> vals;
    for (int64_t i = start; i < end; ++i)
      vals.push_back(
          toI64(rw, op.getLoc(),
                tensor::DimOp::create(rw, op.getLoc(), op.getData(), i)));
    // The length is the input's rank, whatever ONNX declared.
    auto exact = RankedTensorType::get({static_cast<int64_t>(vals.size())},
                                       rt.getElementType());
    Value shape = tensor::FromElementsOp::create(rw, op.getLoc(), exact, vals);
    rw.replaceOp(op, castIfNeeded(rw, op.getLoc(), shape, rt));
    return success();
  }
};

struct ConcatToTensor : OpRewritePattern<onnxir::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ConcatOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt)
      return rw.notifyMatchFailure(op, "unranked");
    int64_t axis = normalizeAxis(op.getAxis(), rt.getRank());
    SmallVector<OpFoldResult> sizes;
    Value total = idx(rw, l, 0);
    for (Value in : op.getInputs())
      total = arith::AddIOp::create(rw, l, total,
                                    tensor::DimOp::create(rw, l, in, axis));
    Value first = op.getInputs().front();
    for (int64_t i = 0; i < rt.getRank(); ++i)
      sizes.push_back(i == axis ? OpFoldResult(total)
                                : tensor::getMixedSize(rw, l, first, i));
    for (int64_t i = 0; i < rt.getRank(); ++i)
      if (!rt.isDynamicDim(i))
        sizes[i] = rw.getIndexAttr(rt.getDimSize(i));
    Value out = emptyTensor(rw, l, rt, sizes);
    Value offset = idx(rw, l, 0);
    for (Value in : op.getInputs()) {
      SmallVector<OpFoldResult> offs(rt.getRank(), rw.getIndexAttr(0));
      offs[axis] = offset;
      SmallVector<OpFoldResult> strides(rt.getRank(), rw.getIndexAttr(1));
      out = tensor::InsertSliceOp::create(
          rw, l, in, out, offs, tensor::getMixedSizes(rw, l, in), strides);
      offset = arith::AddIOp::create(rw, l, offset,
                                     tensor::DimOp::create(rw, l, in, axis));
    }
    rw.replaceOp(op, out);
    return success();
  }
};

struct GatherToLinalg : OpRewritePattern<onnxir::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::GatherOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    auto dt = llvm::dyn_cast<RankedTensorType>(data.getType());
    auto it = llvm::dyn_cast<RankedTensorType>(indices.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!dt || !it || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    int64_t axis = normalizeAxis(op.getAxis(), dt.getRank());
    int64_t q = it.getRank();
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < axis; ++i)
      sizes.push_back(tensor::getMixedSize(rw, l, data, i));
    for (int64_t i = 0; i < q; ++i)
      sizes.push_back(tensor::getMixedSize(rw, l, indices, i));
    for (int64_t i = axis + 1; i < dt.getRank(); ++i)
      sizes.push_back(tensor::getMixedSize(rw, l, data, i));
    MLIRContext *ctx = rw.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < q; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<utils::IteratorType> iters(rt.getRank(),
                                           utils::IteratorType::parallel);
    Value axisDim = tensor::DimOp::create(rw, l, data, axis);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{rt}, ValueRange{indices},
        ValueRange{emptyTensor(rw, l, rt, sizes)},
        {AffineMap::get(rt.getRank(), 0, idxExprs, ctx),
         rw.getMultiDimIdentityMap(rt.getRank())},
        iters, [&](OpBuilder &b, Location nl, ValueRange a) {
          Value i = wrappedIndex(b, nl, a[0], axisDim);
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, nl, d));
          at.push_back(i);
          for (int64_t d = axis + 1; d < dt.getRank(); ++d)
            at.push_back(linalg::IndexOp::create(b, nl, d - 1 + q));
          linalg::YieldOp::create(
              b, nl, Value(tensor::ExtractOp::create(b, nl, data, at)));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Slice with constant axes and steps (positive); starts/ends may be
/// values. Bounds are clamped as ONNX specifies.
struct SliceToTensor : OpRewritePattern<onnxir::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::SliceOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getData();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    auto starts = constantInts(op.getStarts());
    auto ends = constantInts(op.getEnds());
    if (!starts || !ends)
      return rw.notifyMatchFailure(op, "starts/ends must be constant");
    SmallVector<int64_t> axes, steps;
    if (!isNone(op.getAxes())) {
      auto c = constantInts(op.getAxes());
      if (!c)
        return rw.notifyMatchFailure(op, "axes must be constant");
      axes = *c;
    } else {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (!isNone(op.getSteps())) {
      auto c = constantInts(op.getSteps());
      if (!c)
        return rw.notifyMatchFailure(op, "steps must be constant");
      steps = *c;
    } else {
      steps.assign(starts->size(), 1);
    }
    SmallVector<OpFoldResult> offs(t.getRank(), rw.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rw, l, x);
    SmallVector<OpFoldResult> strides(t.getRank(), rw.getIndexAttr(1));
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t a = normalizeAxis(axes[i], t.getRank());
      if (steps[i] <= 0)
        return rw.notifyMatchFailure(op, "non-positive steps");
      Value dim = tensor::DimOp::create(rw, l, x, a);
      auto clampIdx = [&](int64_t v) -> Value {
        Value c =
            idx(rw, l,
                std::clamp<int64_t>(v, -(int64_t(1) << 40), int64_t(1) << 40));
        if (v < 0)
          c = arith::AddIOp::create(rw, l, c, dim);
        c = arith::MaxSIOp::create(rw, l, c, idx(rw, l, 0));
        return arith::MinSIOp::create(rw, l, c, dim);
      };
      Value s = clampIdx((*starts)[i]), e = clampIdx((*ends)[i]);
      Value len = arith::MaxSIOp::create(
          rw, l, arith::SubIOp::create(rw, l, e, s), idx(rw, l, 0));
      Value step = idx(rw, l, steps[i]);
      Value n = arith::CeilDivSIOp::create(rw, l, len, step);
      offs[a] = s;
      sizes[a] = n;
      strides[a] = rw.getIndexAttr(steps[i]);
    }
    Value slice =
        tensor::ExtractSliceOp::create(rw, l, x, offs, sizes, strides);
    slice = castIfNeeded(rw, l, slice, rt);
    rw.replaceOp(op, slice);
    return success();
  }
};

struct ExpandToLinalg : OpRewritePattern<onnxir::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ExpandOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getInput();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    // The shape operand aligns to the right like the input does.
    auto st = llvm::dyn_cast<RankedTensorType>(op.getShape().getType());
    int64_t shapeLen = st && st.getRank() == 1 && !st.isDynamicDim(0)
                           ? st.getDimSize(0)
                           : rt.getRank();
    SmallVector<OpFoldResult> sizes;
    for (int64_t r = 0; r < rt.getRank(); ++r) {
      int64_t i = r - (rt.getRank() - t.getRank());
      int64_t si = r - (rt.getRank() - shapeLen);
      if (!rt.isDynamicDim(r))
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(r)));
      else if (i >= 0 && !t.isDynamicDim(i) && t.getDimSize(i) != 1)
        sizes.push_back(tensor::getMixedSize(rw, l, x, i));
      else {
        // The larger of the requested size and the input's (either may be
        // the 1 that broadcasts).
        Value s;
        if (!st || st.isDynamicDim(0)) {
          // The shape's length is known only at run time: entry
          // r - (rank - len), or 1 where that is negative.
          Value len = tensor::DimOp::create(rw, l, op.getShape(), 0);
          Value at =
              arith::AddIOp::create(rw, l, len, idx(rw, l, r - rt.getRank()));
          Value has = arith::CmpIOp::create(rw, l, arith::CmpIPredicate::sge,
                                            at, idx(rw, l, 0));
          Value safe = arith::MaxSIOp::create(rw, l, at, idx(rw, l, 0));
          Value e = toIndex(rw, l,
                            tensor::ExtractOp::create(rw, l, op.getShape(),
                                                      ValueRange{safe}));
          s = arith::SelectOp::create(rw, l, has, e, idx(rw, l, 1));
        } else if (si >= 0) {
          s = toIndex(rw, l,
                      tensor::ExtractOp::create(rw, l, op.getShape(),
                                                ValueRange{idx(rw, l, si)}));
        }
        if (i >= 0 && t.isDynamicDim(i)) {
          Value d = tensor::DimOp::create(rw, l, x, i);
          s = s ? Value(arith::MaxSIOp::create(rw, l, s, d)) : d;
        }
        sizes.push_back(s ? OpFoldResult(s) : rw.getIndexAttr(1));
      }
    }
    x = expandDynamicBroadcast(rw, l, x, rt, sizes);
    SmallVector<utils::IteratorType> iters(rt.getRank(),
                                           utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{rt}, ValueRange{x},
        ValueRange{emptyTensor(rw, l, rt, sizes)},
        {broadcastMap(rw.getContext(), t, rt),
         rw.getMultiDimIdentityMap(rt.getRank())},
        iters, [&](OpBuilder &b, Location nl, ValueRange a) {
          linalg::YieldOp::create(b, nl, a[0]);
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

struct TriluToLinalg : OpRewritePattern<onnxir::TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::TriluOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getInput();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || t.getRank() < 2)
      return rw.notifyMatchFailure(op, "needs rank >= 2");
    Value k = idx(rw, l, 0);
    if (!isNone(op.getK())) {
      auto kt = llvm::dyn_cast<RankedTensorType>(op.getK().getType());
      if (!kt || kt.getNumElements() != 1)
        return rw.notifyMatchFailure(op, "k must be a scalar");
      k = scalarIndex(rw, l, op.getK());
    }
    bool upper = op.getUpper() != 0;
    int64_t r = t.getRank();
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    AffineMap id = rw.getMultiDimIdentityMap(r);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{t}, ValueRange{x},
        ValueRange{emptyTensor(rw, l, t, tensor::getMixedSizes(rw, l, x))},
        {id, id}, iters, [&](OpBuilder &b, Location nl, ValueRange a) {
          Value i = linalg::IndexOp::create(b, nl, r - 2);
          Value j = linalg::IndexOp::create(b, nl, r - 1);
          Value diff = arith::SubIOp::create(b, nl, j, i); // j - i
          Value keep = arith::CmpIOp::create(b, nl,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diff, k);
          Value zero = scalarConst(b, nl, t.getElementType(), 0);
          linalg::YieldOp::create(
              b, nl, Value(arith::SelectOp::create(b, nl, keep, a[0], zero)));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

struct ConstantOfShapeToLinalg : OpRewritePattern<onnxir::ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ConstantOfShapeOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt)
      return rw.notifyMatchFailure(op, "unranked");
    Attribute fill = rw.getZeroAttr(rt.getElementType());
    if (auto v = op.getValueAttr()) {
      auto dense = llvm::dyn_cast<DenseElementsAttr>(v);
      if (!dense)
        return rw.notifyMatchFailure(op, "value must be dense");
      fill = *dense.value_begin<Attribute>();
    }
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < rt.getRank(); ++i)
      sizes.push_back(
          rt.isDynamicDim(i)
              ? OpFoldResult(Value(toIndex(
                    rw, l,
                    tensor::ExtractOp::create(rw, l, op.getInput(),
                                              ValueRange{idx(rw, l, i)}))))
              : OpFoldResult(rw.getIndexAttr(rt.getDimSize(i))));
    Value c = arith::ConstantOp::create(rw, l, llvm::cast<TypedAttr>(fill));
    Value out = linalg::FillOp::create(rw, l, c, emptyTensor(rw, l, rt, sizes))
                    .getResult(0);
    rw.replaceOp(op, out);
    return success();
  }
};

struct SplitToTensor : OpRewritePattern<onnxir::SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::SplitOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getInput();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t)
      return rw.notifyMatchFailure(op, "unranked");
    int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
    int64_t n = op->getNumResults();
    SmallVector<Value> parts;
    Value offset = idx(rw, l, 0);
    std::optional<SmallVector<int64_t>> splits;
    // Split sizes known only at run time are read from the tensor.
    bool runtimeSplits = false;
    if (!isNone(op.getSplit())) {
      splits = constantInts(op.getSplit());
      runtimeSplits = !splits;
    }
    Value dim = tensor::DimOp::create(rw, l, x, axis);
    Value chunk = arith::CeilDivSIOp::create(rw, l, dim, idx(rw, l, n));
    for (int64_t i = 0; i < n; ++i) {
      auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(i).getType());
      if (!rt)
        return rw.notifyMatchFailure(op, "unranked result");
      Value size =
          runtimeSplits
              ? toIndex(rw, l,
                        tensor::ExtractOp::create(rw, l, op.getSplit(),
                                                  ValueRange{idx(rw, l, i)}))
          : splits
              ? idx(rw, l, (*splits)[i])
              : arith::MinSIOp::create(
                    rw, l, chunk, arith::SubIOp::create(rw, l, dim, offset))
                    .getResult();
      SmallVector<OpFoldResult> offs(t.getRank(), rw.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rw, l, x);
      SmallVector<OpFoldResult> strides(t.getRank(), rw.getIndexAttr(1));
      offs[axis] = offset;
      sizes[axis] = size;
      Value s = tensor::ExtractSliceOp::create(rw, l, x, offs, sizes, strides);
      s = castIfNeeded(rw, l, s, rt);
      parts.push_back(s);
      offset = arith::AddIOp::create(rw, l, offset, size);
    }
    rw.replaceOp(op, parts);
    return success();
  }
};

/// Inference-mode Dropout is the identity; its mask output, where used, is
/// all true (nothing is dropped).
struct DropoutToIdentity : OpRewritePattern<onnxir::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::DropoutOp op,
                                PatternRewriter &rw) const override {
    if (!isNone(op.getTrainingMode())) {
      auto c = constantInts(op.getTrainingMode());
      if (!c || (c->size() == 1 && (*c)[0] != 0))
        return rw.notifyMatchFailure(op, "training mode");
    }
    Value mask = op.getMask();
    if (!mask.use_empty()) {
      auto mt = llvm::dyn_cast<RankedTensorType>(mask.getType());
      auto dt = llvm::dyn_cast<RankedTensorType>(op.getData().getType());
      if (!mt || !dt || mt.getRank() != dt.getRank() ||
          !mt.getElementType().isInteger(1))
        return rw.notifyMatchFailure(op, "needs a ranked i1 mask");
      Location loc = op.getLoc();
      auto full = RankedTensorType::get(dt.getShape(), rw.getI1Type());
      Value empty = emptyTensor(rw, loc, full,
                                tensor::getMixedSizes(rw, loc, op.getData()));
      Value ones = linalg::FillOp::create(
                       rw, loc, scalarConst(rw, loc, rw.getI1Type(), 1), empty)
                       .getResult(0);
      rw.replaceAllUsesWith(mask, castIfNeeded(rw, loc, ones, mt));
    }
    rw.replaceAllUsesWith(op.getOutput(), op.getData());
    rw.eraseOp(op);
    return success();
  }
};

} // namespace

void seqc::populateOnnxTensorToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConstantToArith, TransposeToLinalg, ReshapeToTensor,
               ShapeToTensor, ConcatToTensor, GatherToLinalg, SliceToTensor,
               ExpandToLinalg, TriluToLinalg, ConstantOfShapeToLinalg,
               SplitToTensor, DropoutToIdentity, FlattenToTensor,
               SqueezeLikeToTensor<onnxir::SqueezeOp>,
               SqueezeLikeToTensor<onnxir::UnsqueezeOp>>(ctx);
}

namespace {
/// Pad in constant mode with constant pads (negative pads crop).
struct PadToTensor : OpRewritePattern<onnxir::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::PadOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op.getData();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    if (op.getMode() != "constant")
      return rw.notifyMatchFailure(op, "only constant mode");
    auto pads = constantInts(op.getPads());
    int64_t r = t.getRank();
    if (!pads || static_cast<int64_t>(pads->size()) != 2 * r ||
        llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
      return rw.notifyMatchFailure(op, "pads must be constant and >= 0");
    Value value = scalarConst(rw, l, t.getElementType(), 0);
    if (!isNone(op.getConstantValue()))
      value =
          tensor::ExtractOp::create(rw, l, op.getConstantValue(), ValueRange{});
    SmallVector<OpFoldResult> lo, hi;
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < r; ++i) {
      lo.push_back(rw.getIndexAttr((*pads)[i]));
      hi.push_back(rw.getIndexAttr((*pads)[r + i]));
      shape.push_back(t.isDynamicDim(i)
                          ? ShapedType::kDynamic
                          : t.getDimSize(i) + (*pads)[i] + (*pads)[r + i]);
    }
    Value out = tensor::PadOp::create(
        rw, l, RankedTensorType::get(shape, t.getElementType()), x, lo, hi,
        value);
    out = castIfNeeded(rw, l, out, rt);
    rw.replaceOp(op, out);
    return success();
  }
};
} // namespace

void seqc::populateOnnxPadToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<PadToTensor>(patterns.getContext());
}
