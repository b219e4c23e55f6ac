//===- Reduction.cpp - Reductions, Softmax, LayerNorm to linalg -*- C++ -*-===//
//
// Reductions become a linalg.generic reducing into the keepdims=0 shape
// (followed by tensor.expand_shape for keepdims=1); Softmax, LogSoftmax and
// LayerNormalization are decomposed into reductions and elementwise generics
// with the numerically safe formulations (max subtracted before exp).
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

#include <limits>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

Value addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}

/// a + v and a * v, float or integer, as reduction combiners.
Value combineAdd(OpBuilder &b, Location l, Value a, Value v) {
  return ArithBuilder(b, l).add(a, v);
}
Value combineMul(OpBuilder &b, Location l, Value a, Value v) {
  return ArithBuilder(b, l).mul(a, v);
}

/// The ops of the Reduce family.
enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

/// What a Reduce op computes: its kind and attributes.
struct ReducePlan {
  ReduceKind kind;
  bool keep; // keepdims
  bool noop; // noop_with_empty_axes (ReduceSum only)
};

/// Whether reduction `kind` supports element type `elem`.
bool supports(ReduceKind kind, Type elem) {
  if (llvm::isa<FloatType>(elem))
    return true;
  // Integers, signless or unsigned (the unsigned max/min/compare are
  // picked in reduceExtreme()).
  return llvm::isa<IntegerType>(elem) &&
         (kind == ReduceKind::Sum || kind == ReduceKind::Max ||
          kind == ReduceKind::Min || kind == ReduceKind::Prod ||
          kind == ReduceKind::SumSquare || kind == ReduceKind::L1);
}

/// The maximum (minimum) of `x` over `axes`.
Value reduceExtreme(OpBuilder &rw, Location loc, Value x,
                    ArrayRef<int64_t> axes, bool isMax) {
  Type elem = llvm::cast<RankedTensorType>(x.getType()).getElementType();
  bool isFloat = llvm::isa<FloatType>(elem);
  Value init = lowest(rw, loc, elem);
  if (!isMax)
    init = highest(rw, loc, elem);
  return reduceDims(rw, loc, x, axes, init,
                    [&](OpBuilder &b, Location l, Value a, Value v) -> Value {
                      if (!isFloat && elem.isUnsignedInteger())
                        return isMax
                                   ? Value(arith::MaxUIOp::create(b, l, a, v))
                                   : Value(arith::MinUIOp::create(b, l, a, v));
                      if (!isFloat)
                        return isMax
                                   ? Value(arith::MaxSIOp::create(b, l, a, v))
                                   : Value(arith::MinSIOp::create(b, l, a, v));
                      if (isMax)
                        return arith::MaximumFOp::create(b, l, a, v);
                      return arith::MinimumFOp::create(b, l, a, v);
                    });
}

/// log(sum(exp(x - m))) + m over `axes`, with m the maximum; `zero` is the
/// sum's initial value.
Value reduceLogSumExp(OpBuilder &rw, Location loc, Value x,
                      ArrayRef<int64_t> axes, Value zero) {
  Type elem = llvm::cast<RankedTensorType>(x.getType()).getElementType();
  Value m = reduceDims(rw, loc, x, axes, lowest(rw, loc, elem),
                       [](OpBuilder &b, Location l, Value a, Value v) {
                         return Value(arith::MaximumFOp::create(b, l, a, v));
                       });
  // A row of -inf keeps m finite (0) so that the result is -inf.
  m = mapTensor(rw, loc, m, [&](OpBuilder &b, Location l, Value v) {
    Value fin = arith::CmpFOp::create(
        b, l, arith::CmpFPredicate::ONE, math::AbsFOp::create(b, l, v),
        scalarConst(b, l, elem, std::numeric_limits<double>::infinity()));
    return Value(
        arith::SelectOp::create(b, l, fin, v, scalarConst(b, l, elem, 0)));
  });
  Value e = withReduced(
      rw, loc, x, m, axes, [](OpBuilder &b, Location l, Value v, Value mx) {
        return Value(
            math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v, mx)));
      });
  Value sum = reduceDims(rw, loc, e, axes, zero, combineAdd);
  SmallVector<utils::IteratorType> iters(
      llvm::cast<RankedTensorType>(sum.getType()).getRank(),
      utils::IteratorType::parallel);
  AffineMap id = rw.getMultiDimIdentityMap(iters.size());
  return linalg::GenericOp::create(
             rw, loc, TypeRange{sum.getType()}, ValueRange{sum, m},
             ValueRange{emptyTensor(rw, loc,
                                    llvm::cast<RankedTensorType>(sum.getType()),
                                    tensor::getMixedSizes(rw, loc, sum))},
             {id, id, id}, iters,
             [](OpBuilder &b, Location l, ValueRange a) {
               Value v = arith::AddFOp::create(
                   b, l, math::LogOp::create(b, l, a[0]), a[1]);
               linalg::YieldOp::create(b, l, v);
             })
      .getResult(0);
}

/// Sum, Mean and LogSum of `x` over `axes`, from `zero`.
Value reduceSumLike(OpBuilder &rw, Location loc, ReduceKind kind, Value x,
                    ArrayRef<int64_t> axes, Value zero) {
  Type elem = llvm::cast<RankedTensorType>(x.getType()).getElementType();
  Value r = reduceDims(rw, loc, x, axes, zero, combineAdd);
  if (kind == ReduceKind::LogSum)
    r = mapTensor(rw, loc, r, [](OpBuilder &b, Location l, Value v) {
      return Value(math::LogOp::create(b, l, v));
    });
  if (kind != ReduceKind::Mean)
    return r;
  Value count = scalarConst(rw, loc, elem, 1);
  for (int64_t a : axes) {
    Value d = tensor::DimOp::create(rw, loc, x, a);
    Value df = arith::UIToFPOp::create(
        rw, loc, elem, arith::IndexCastOp::create(rw, loc, rw.getI64Type(), d));
    count = arith::MulFOp::create(rw, loc, count, df);
  }
  return mapTensor(rw, loc, r, [&](OpBuilder &b, Location l, Value v) {
    return Value(arith::DivFOp::create(b, l, v, count));
  });
}

/// The reduction `kind` of `x` over sorted, unique `axes`, the reduced
/// dims dropped.
Value reduceByKind(OpBuilder &rw, Location loc, ReduceKind kind, Value x,
                   ArrayRef<int64_t> axes) {
  Type elem = llvm::cast<RankedTensorType>(x.getType()).getElementType();
  bool isFloat = llvm::isa<FloatType>(elem);
  Value zero = scalarConst(rw, loc, elem, 0);
  switch (kind) {
  case ReduceKind::Max:
  case ReduceKind::Min:
    return reduceExtreme(rw, loc, x, axes, kind == ReduceKind::Max);
  case ReduceKind::Prod:
    return reduceDims(rw, loc, x, axes, scalarConst(rw, loc, elem, 1),
                      combineMul);
  case ReduceKind::SumSquare:
  case ReduceKind::L2: {
    Value r = reduceDims(rw, loc, x, axes, zero,
                         [&](OpBuilder &b, Location l, Value a, Value v) {
                           return combineAdd(b, l, a, combineMul(b, l, v, v));
                         });
    if (kind == ReduceKind::L2)
      r = mapTensor(rw, loc, r, [](OpBuilder &b, Location l, Value v) {
        return Value(math::SqrtOp::create(b, l, v));
      });
    return r;
  }
  case ReduceKind::L1:
    return reduceDims(rw, loc, x, axes, zero,
                      [&](OpBuilder &b, Location l, Value a, Value v) {
                        Value m = isFloat ? Value(math::AbsFOp::create(b, l, v))
                                  : elem.isUnsignedInteger()
                                      ? v
                                      : Value(math::AbsIOp::create(b, l, v));
                        return combineAdd(b, l, a, m);
                      });
  case ReduceKind::LogSumExp:
    return reduceLogSumExp(rw, loc, x, axes, zero);
  case ReduceKind::Sum:
  case ReduceKind::Mean:
  case ReduceKind::LogSum:
    break;
  }
  return reduceSumLike(rw, loc, kind, x, axes, zero);
}

/// The reduction of `x` over `axes` (any order, negative allowed), as `rt`
/// (the kind supports x's element type).
Value computeReduce(OpBuilder &rw, Location loc, const ReducePlan &p, Value x,
                    SmallVector<int64_t> axes, RankedTensorType rt) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  for (int64_t &a : axes)
    a = normalizeAxis(a, t.getRank());
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  Value r = reduceByKind(rw, loc, p.kind, x, axes);
  if (p.keep)
    r = keepDims(rw, loc, r,
                 RankedTensorType::get(llvm::to_vector(llvm::map_range(
                                           llvm::seq<int64_t>(0, t.getRank()),
                                           [&](int64_t i) {
                                             return llvm::is_contained(axes, i)
                                                        ? int64_t(1)
                                                        : t.getDimSize(i);
                                           })),
                                       t.getElementType()),
                 axes);
  return castIfNeeded(rw, loc, r, rt);
}

/// The axis sets (bit masks) a reduction of `t` into `rt` may have, read
/// off the static shapes: every mask whose reduced dims can be 1 (keepdims)
/// or whose kept dims match the result's; the empty set only with
/// noop_with_empty_axes.
SmallVector<int64_t> possibleAxisMasks(RankedTensorType t, RankedTensorType rt,
                                       const ReducePlan &p) {
  int64_t rank = t.getRank();
  auto fits = [](int64_t a, int64_t b) {
    return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
  };
  SmallVector<int64_t> masks;
  for (int64_t mask = 0; mask < (int64_t(1) << rank); ++mask) {
    if (mask == 0 && !p.noop)
      continue;
    SmallVector<int64_t> kept;
    bool ok = true;
    for (int64_t i = 0; i < rank; ++i) {
      bool red = mask & (int64_t(1) << i);
      if (p.keep) {
        if (rt.getRank() != rank ||
            !fits(red ? 1 : t.getDimSize(i), rt.getDimSize(i)))
          ok = false;
      } else if (!red) {
        kept.push_back(t.getDimSize(i));
      }
    }
    if (!p.keep)
      ok = int64_t(kept.size()) == rt.getRank() &&
           llvm::all_of(llvm::seq<int64_t>(0, kept.size()), [&](int64_t i) {
             return fits(kept[i], rt.getDimSize(i));
           });
    if (ok)
      masks.push_back(mask);
  }
  return masks;
}

/// `axes` read at run time, with shapes that leave them ambiguous: every
/// set of axes the static shapes allow is lowered, and an scf.index_switch
/// on the run-time set (a bit mask; empty: all axes, unless
/// noop_with_empty_axes) picks one. Axes the shapes exclude select the
/// first set.
LogicalResult reduceRuntimeAxes(Operation *op, PatternRewriter &rw,
                                const ReducePlan &p, Value x, Value axesT,
                                RankedTensorType t, RankedTensorType rt) {
  Location loc = op->getLoc();
  auto at = llvm::dyn_cast<RankedTensorType>(axesT.getType());
  int64_t rank = t.getRank();
  if (!at || at.getRank() != 1 || !at.getElementType().isSignlessInteger() ||
      rank > 8)
    return rw.notifyMatchFailure(op, "axes must be constant");
  SmallVector<int64_t> masks = possibleAxisMasks(t, rt, p);
  if (masks.empty() || masks.size() > 32)
    return rw.notifyMatchFailure(op, "axes must be constant");
  // The run-time mask.
  Value zero = indexConst(rw, loc, 0);
  Value mask = axesMask(rw, loc, axesT, rank);
  if (!p.noop) {
    Value none =
        arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq, mask, zero);
    mask = arith::SelectOp::create(
        rw, loc, none, indexConst(rw, loc, (int64_t(1) << rank) - 1), mask);
  }
  SmallVector<int64_t> cases(masks.begin() + 1, masks.end());
  auto sw = scf::IndexSwitchOp::create(rw, loc, TypeRange{rt}, mask, cases,
                                       cases.size());
  for (size_t c = 0; c < masks.size(); ++c) {
    Region &region =
        c == 0 ? sw.getDefaultRegion() : sw.getCaseRegions()[c - 1];
    OpBuilder::InsertionGuard guard(rw);
    rw.setInsertionPointToStart(&region.emplaceBlock());
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < rank; ++i)
      if (masks[c] & (int64_t(1) << i))
        axes.push_back(i);
    scf::YieldOp::create(rw, loc, computeReduce(rw, loc, p, x, axes, rt));
  }
  rw.replaceOp(op, sw.getResult(0));
  return success();
}

/// The Reduce family (`x`, optional `axesT`). `axes` is a constant,
/// absent, follows from the static input and result shapes, or is picked
/// at run time among those the shapes allow.
LogicalResult lowerReduce(Operation *op, PatternRewriter &rw,
                          const ReducePlan &p, Value x, Value axesT) {
  auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
  auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!t || !rt)
    return rw.notifyMatchFailure(op, "needs ranked tensors");
  if (!supports(p.kind, t.getElementType()))
    return rw.notifyMatchFailure(op, "needs float (or, for some, integer) "
                                     "tensors");
  SmallVector<int64_t> axes;
  if (!isNone(axesT)) {
    if (auto c = constantInts(axesT)) {
      axes = *c;
    } else if (auto fromShapes = axesFromShapes(t, rt, p.keep)) {
      axes = *fromShapes;
      if (axes.empty() && !p.noop)
        for (int64_t i = 0; i < t.getRank(); ++i)
          if (t.getDimSize(i) == 1)
            axes.push_back(i);
      if (axes.empty() && !p.noop && t.getRank() > 0)
        axes.push_back(0); // all dims are 1; reducing one changes nothing
    } else {
      return reduceRuntimeAxes(op, rw, p, x, axesT, t, rt);
    }
  }
  if (axes.empty() && !p.noop)
    for (int64_t i = 0; i < t.getRank(); ++i)
      axes.push_back(i);
  rw.replaceOp(op, computeReduce(rw, op->getLoc(), p, x, axes, rt));
  return success();
}

/// The Reduce op OpT, of reduction `kind`, through lowerReduce.
template <typename OpT> struct ReduceToLinalg : OpRewritePattern<OpT> {
  ReduceToLinalg(MLIRContext *ctx, ReduceKind kind)
      : OpRewritePattern<OpT>(ctx), kind(kind) {}

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    ReducePlan p{kind, op.getKeepdims() != 0, false};
    if constexpr (std::is_same_v<OpT, onnxir::ReduceSumOp>)
      p.noop = op.getNoopWithEmptyAxes() != 0;
    return lowerReduce(op, rw, p, op.getData(), op.getAxes());
  }

  ReduceKind kind;
};

/// The i64 index of the maximum (minimum) along `axis` of `x`, which is
/// dropped; the last of equal ones with `last`.
Value argReduce(OpBuilder &rw, Location loc, Value x, int64_t axis, bool isMax,
                bool last) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  Type elem = t.getElementType();
  bool isFloat = llvm::isa<FloatType>(elem);
  MLIRContext *ctx = rw.getContext();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    iters.push_back(i == axis ? utils::IteratorType::reduction
                              : utils::IteratorType::parallel);
    if (i == axis)
      continue;
    shape.push_back(t.getDimSize(i));
    sizes.push_back(tensor::getMixedSize(rw, loc, x, i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  auto valType = RankedTensorType::get(shape, elem);
  auto idxType = RankedTensorType::get(shape, rw.getI64Type());
  Value init = lowest(rw, loc, elem);
  if (!isMax)
    init = highest(rw, loc, elem);
  Value vals = linalg::FillOp::create(rw, loc, init,
                                      emptyTensor(rw, loc, valType, sizes))
                   .getResult(0);
  Value idxs =
      linalg::FillOp::create(rw, loc, scalarConst(rw, loc, rw.getI64Type(), -1),
                             emptyTensor(rw, loc, idxType, sizes))
          .getResult(0);
  AffineMap outMap = AffineMap::get(t.getRank(), 0, outExprs, ctx);
  auto g = linalg::GenericOp::create(
      rw, loc, TypeRange{valType, idxType}, ValueRange{x},
      ValueRange{vals, idxs},
      {rw.getMultiDimIdentityMap(t.getRank()), outMap, outMap}, iters,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value v = a[0], best = a[1], bi = a[2];
        Value better;
        if (isFloat) {
          auto p = isMax ? (last ? arith::CmpFPredicate::OGE
                                 : arith::CmpFPredicate::OGT)
                         : (last ? arith::CmpFPredicate::OLE
                                 : arith::CmpFPredicate::OLT);
          better = arith::CmpFOp::create(b, l, p, v, best);
        } else {
          bool u = elem.isUnsignedInteger();
          using P = arith::CmpIPredicate;
          auto p = isMax
                       ? (last ? (u ? P::uge : P::sge) : (u ? P::ugt : P::sgt))
                       : (last ? (u ? P::ule : P::sle) : (u ? P::ult : P::slt));
          better = arith::CmpIOp::create(b, l, p, v, best);
        }
        // The first element always wins (all -inf rows, ties at init).
        Value first =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, bi,
                                  scalarConst(b, l, b.getI64Type(), 0));
        better = arith::OrIOp::create(b, l, better, first);
        Value i = arith::IndexCastOp::create(
            b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
        linalg::YieldOp::create(
            b, l,
            ValueRange{arith::SelectOp::create(b, l, better, v, best),
                       arith::SelectOp::create(b, l, better, i, bi)});
      });
  return g.getResult(1);
}

/// ArgMax and ArgMin (OpT): one reduction carrying (best value, its index).
template <typename OpT> struct ArgReduceToLinalg : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!t || !rt || t.getRank() == 0)
      return rw.notifyMatchFailure(op, "needs ranked tensors");
    Type elem = t.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    // Unsigned integers pick the unsigned max/min/compare below.
    if (!isFloat && !llvm::isa<IntegerType>(elem))
      return rw.notifyMatchFailure(op, "needs float or integer tensors");
    int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
    constexpr bool isMax = std::is_same_v<OpT, onnxir::ArgMaxOp>;
    bool last = op.getSelectLastIndex() != 0;
    Value r = argReduce(rw, loc, x, axis, isMax, last);
    if (op.getKeepdims() != 0) {
      SmallVector<int64_t> shape(t.getShape());
      shape[axis] = 1;
      r = keepDims(rw, loc, r, RankedTensorType::get(shape, rw.getI64Type()),
                   {axis});
    }
    r = castIfNeeded(rw, loc, r, rt);
    rw.replaceOp(op, r);
    return success();
  }
};

/// Hardmax: 1 at the first maximum along `axis`, 0 elsewhere.
struct HardmaxToLinalg : OpRewritePattern<onnxir::HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::HardmaxOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || t.getRank() == 0 || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
    Value am = argReduce(rw, loc, x, axis, true, false);
    Type elem = t.getElementType();
    Value out = withReduced(
        rw, loc, x, am, {axis}, [&](OpBuilder &b, Location l, Value, Value i) {
          Value here = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, here, i);
          return Value(arith::SelectOp::create(b, l, hit,
                                               scalarConst(b, l, elem, 1),
                                               scalarConst(b, l, elem, 0)));
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, out, op->getResult(0).getType()));
    return success();
  }
};

/// CumSum along a constant axis: a sequential scan over the axis carrying
/// the running sum of one slice (every other dim at once), so the work is
/// linear in the axis length: for each position i (from the end when
/// `reverse`), out[i] = sum + x[i] then sum = out[i] (exclusive: out[i] =
/// sum, then sum += x[i]). The running sum and the output are updated in
/// place (loop-carried buffers).
Value cumSum(OpBuilder &rw, Location loc, Value x, int64_t axis, bool exclusive,
             bool reverse) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  int64_t r = t.getRank();
  Type elem = t.getElementType();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rw, loc, x);
  SmallVector<OpFoldResult> sliceSizes(sizes);
  sliceSizes[axis] = rw.getIndexAttr(1);
  SmallVector<OpFoldResult> strides(r, rw.getIndexAttr(1));
  SmallVector<int64_t> sliceShape;
  SmallVector<OpFoldResult> carrySizes;
  for (int64_t d = 0; d < r; ++d)
    if (d != axis) {
      sliceShape.push_back(t.getDimSize(d));
      carrySizes.push_back(sizes[d]);
    }
  auto sliceType = RankedTensorType::get(sliceShape, elem);
  Value sum0 =
      linalg::FillOp::create(rw, loc, scalarConst(rw, loc, elem, 0),
                             emptyTensor(rw, loc, sliceType, carrySizes))
          .getResult(0);
  Value out0 = emptyTensor(rw, loc, t, sizes);
  Value n = tensor::DimOp::create(rw, loc, x, axis);
  Value one = indexConst(rw, loc, 1);
  auto loop = scf::ForOp::create(
      rw, loc, indexConst(rw, loc, 0), n, one, ValueRange{sum0, out0},
      [&](OpBuilder &b, Location l, Value j, ValueRange iter) {
        Value i = reverse ? Value(arith::SubIOp::create(
                                b, l, arith::SubIOp::create(b, l, n, one), j))
                          : j;
        SmallVector<OpFoldResult> offsets(r, b.getIndexAttr(0));
        offsets[axis] = i;
        Value xi = tensor::ExtractSliceOp::create(b, l, sliceType, x, offsets,
                                                  sliceSizes, strides);
        Value sum = iter[0], out = iter[1];
        auto add = [&](Value acc) {
          return linalg::AddOp::create(b, l, ValueRange{acc, xi},
                                       ValueRange{acc})
              .getResult(0);
        };
        if (!exclusive)
          sum = add(sum);
        out = tensor::InsertSliceOp::create(b, l, sum, out, offsets, sliceSizes,
                                            strides);
        if (exclusive)
          sum = add(sum);
        scf::YieldOp::create(b, l, ValueRange{sum, out});
      });
  return loop.getResult(1);
}

/// CumSum; an axis given at run time selects among the per-axis sums.
struct CumSumToLinalg : OpRewritePattern<onnxir::CumSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::CumSumOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || t.getRank() == 0)
      return rw.notifyMatchFailure(op, "needs a ranked tensor");
    Type elem = t.getElementType();
    // Sums wrap the same for signed and unsigned integers.
    if (!llvm::isa<FloatType>(elem) && !llvm::isa<IntegerType>(elem))
      return rw.notifyMatchFailure(op, "needs float or integer tensors");
    bool exclusive = op.getExclusive() != 0;
    bool reverse = op.getReverse() != 0;
    Value out;
    if (auto c = constantInts(op->getOperand(1)); c && c->size() == 1) {
      out = cumSum(rw, loc, x, normalizeAxis((*c)[0], t.getRank()), exclusive,
                   reverse);
    } else {
      Value a = scalarIndex(rw, loc, op->getOperand(1));
      Value neg = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::slt, a,
                                        indexConst(rw, loc, 0));
      a = arith::SelectOp::create(
          rw, loc, neg,
          arith::AddIOp::create(rw, loc, a, indexConst(rw, loc, t.getRank())),
          a);
      SmallVector<int64_t> cases;
      for (int64_t i = 1; i < t.getRank(); ++i)
        cases.push_back(i);
      auto sw = scf::IndexSwitchOp::create(rw, loc, TypeRange{t}, a, cases,
                                           cases.size());
      for (int64_t i = 0; i < t.getRank(); ++i) {
        Region &region =
            i == 0 ? sw.getDefaultRegion() : sw.getCaseRegions()[i - 1];
        OpBuilder::InsertionGuard guard(rw);
        rw.setInsertionPointToStart(&region.emplaceBlock());
        scf::YieldOp::create(rw, loc,
                             cumSum(rw, loc, x, i, exclusive, reverse));
      }
      out = sw.getResult(0);
    }
    rw.replaceOp(op, castIfNeeded(rw, loc, out, op->getResult(0).getType()));
    return success();
  }
};

/// Softmax and LogSoftmax (OpT) along one axis (opset 13 semantics).
template <typename OpT> struct SoftmaxToLinalg : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    constexpr bool isLog = std::is_same_v<OpT, onnxir::LogSoftmaxOp>;
    int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
    Type elem = t.getElementType();
    SmallVector<int64_t> red = {axis};
    Value mx = reduceDims(rw, loc, x, red, lowest(rw, loc, elem),
                          [](OpBuilder &b, Location l, Value a, Value v) {
                            return Value(arith::MaximumFOp::create(b, l, a, v));
                          });
    Value shifted = withReduced(
        rw, loc, x, mx, red, [](OpBuilder &b, Location l, Value v, Value m) {
          return Value(arith::SubFOp::create(b, l, v, m));
        });
    Value e =
        mapTensor(rw, loc, shifted, [](OpBuilder &b, Location l, Value v) {
          return Value(math::ExpOp::create(b, l, v));
        });
    Value sum =
        reduceDims(rw, loc, e, red, scalarConst(rw, loc, elem, 0), addF);
    Value out;
    if (isLog)
      out = withReduced(rw, loc, shifted, sum, red,
                        [](OpBuilder &b, Location l, Value v, Value s) {
                          return Value(arith::SubFOp::create(
                              b, l, v, math::LogOp::create(b, l, s)));
                        });
    else
      out = withReduced(rw, loc, e, sum, red,
                        [](OpBuilder &b, Location l, Value v, Value s) {
                          return Value(arith::DivFOp::create(b, l, v, s));
                        });
    out = castIfNeeded(rw, loc, out, op->getResult(0).getType());
    rw.replaceOp(op, out);
    return success();
  }
};

/// LayerNormalization (opset 17): normalize over dims [axis, rank).
struct LayerNormToLinalg : OpRewritePattern<onnxir::LayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::LayerNormalizationOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    int64_t axis = normalizeAxis(op.getAxis(), t.getRank());
    float eps = op.getEpsilon().convertToFloat();
    Type elem = t.getElementType();
    SmallVector<int64_t> red;
    for (int64_t i = axis; i < t.getRank(); ++i)
      red.push_back(i);
    Value count = scalarConst(rw, loc, elem, 1);
    for (int64_t a : red) {
      Value d = tensor::DimOp::create(rw, loc, x, a);
      count = arith::MulFOp::create(
          rw, loc, count,
          arith::UIToFPOp::create(
              rw, loc, elem,
              arith::IndexCastOp::create(rw, loc, rw.getI64Type(), d)));
    }
    auto meanOf = [&](Value v) {
      Value s =
          reduceDims(rw, loc, v, red, scalarConst(rw, loc, elem, 0), addF);
      return mapTensor(rw, loc, s, [&](OpBuilder &b, Location l, Value y) {
        return Value(arith::DivFOp::create(b, l, y, count));
      });
    };
    Value mean = meanOf(x);
    Value centered = withReduced(
        rw, loc, x, mean, red, [](OpBuilder &b, Location l, Value v, Value m) {
          return Value(arith::SubFOp::create(b, l, v, m));
        });
    Value sq =
        mapTensor(rw, loc, centered, [](OpBuilder &b, Location l, Value v) {
          return Value(arith::MulFOp::create(b, l, v, v));
        });
    Value var = meanOf(sq);
    Value epsV = scalarConst(rw, loc, elem, eps);
    Value normed =
        withReduced(rw, loc, centered, var, red,
                    [&](OpBuilder &b, Location l, Value v, Value s) {
                      Value inv = math::RsqrtOp::create(
                          b, l, arith::AddFOp::create(b, l, s, epsV));
                      return Value(arith::MulFOp::create(b, l, v, inv));
                    });
    // * scale + bias, both broadcast over the normalized dims.
    SmallVector<Value> ins = {normed};
    SmallVector<AffineMap> maps = {rw.getMultiDimIdentityMap(t.getRank())};
    for (Value v : {Value(op.getScale()), Value(op.getB())}) {
      if (isNone(v))
        continue;
      auto vt = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!vt)
        return rw.notifyMatchFailure(op, "unranked scale or bias");
      ins.push_back(v);
      maps.push_back(broadcastMap(rw.getContext(), vt, t));
    }
    maps.push_back(rw.getMultiDimIdentityMap(t.getRank()));
    bool hasBias = !isNone(op.getB());
    SmallVector<utils::IteratorType> iters(t.getRank(),
                                           utils::IteratorType::parallel);
    Value out = linalg::GenericOp::create(
                    rw, loc, TypeRange{t}, ins,
                    ValueRange{emptyTensor(rw, loc, t,
                                           tensor::getMixedSizes(rw, loc, x))},
                    maps, iters,
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      Value v = arith::MulFOp::create(b, l, a[0], a[1]);
                      if (hasBias)
                        v = arith::AddFOp::create(b, l, v, a[2]);
                      linalg::YieldOp::create(b, l, v);
                    })
                    .getResult(0);
    out = castIfNeeded(rw, loc, out, op.getY().getType());
    rw.replaceAllUsesWith(op.getY(), out);
    // Mean and 1/sqrt(var + eps), with the normalized dims kept as 1.
    SmallVector<int64_t> statShape(t.getShape());
    for (int64_t a : red)
      statShape[a] = 1;
    auto statType = RankedTensorType::get(statShape, elem);
    if (!op.getMean().use_empty()) {
      Value m = keepDims(rw, loc, mean, statType, red);
      rw.replaceAllUsesWith(op.getMean(),
                            castIfNeeded(rw, loc, m, op.getMean().getType()));
    }
    if (!op.getInvStdDev().use_empty()) {
      Value inv =
          mapTensor(rw, loc, var, [&](OpBuilder &b, Location l, Value v) {
            return Value(math::RsqrtOp::create(
                b, l, arith::AddFOp::create(b, l, v, epsV)));
          });
      inv = keepDims(rw, loc, inv, statType, red);
      rw.replaceAllUsesWith(
          op.getInvStdDev(),
          castIfNeeded(rw, loc, inv, op.getInvStdDev().getType()));
    }
    rw.eraseOp(op);
    return success();
  }
};

} // namespace

void seqc::populateOnnxReductionToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceToLinalg<onnxir::ReduceSumOp>>(ctx, ReduceKind::Sum);
  patterns.add<ReduceToLinalg<onnxir::ReduceMeanOp>>(ctx, ReduceKind::Mean);
  patterns.add<ReduceToLinalg<onnxir::ReduceMaxOp>>(ctx, ReduceKind::Max);
  patterns.add<ReduceToLinalg<onnxir::ReduceMinOp>>(ctx, ReduceKind::Min);
  patterns.add<ReduceToLinalg<onnxir::ReduceProdOp>>(ctx, ReduceKind::Prod);
  patterns.add<ReduceToLinalg<onnxir::ReduceL1Op>>(ctx, ReduceKind::L1);
  patterns.add<ReduceToLinalg<onnxir::ReduceL2Op>>(ctx, ReduceKind::L2);
  patterns.add<ReduceToLinalg<onnxir::ReduceLogSumOp>>(ctx, ReduceKind::LogSum);
  patterns.add<ReduceToLinalg<onnxir::ReduceLogSumExpOp>>(
      ctx, ReduceKind::LogSumExp);
  patterns.add<ReduceToLinalg<onnxir::ReduceSumSquareOp>>(
      ctx, ReduceKind::SumSquare);
  patterns.add<ArgReduceToLinalg<onnxir::ArgMaxOp>,
               ArgReduceToLinalg<onnxir::ArgMinOp>, HardmaxToLinalg,
               CumSumToLinalg, SoftmaxToLinalg<onnxir::SoftmaxOp>,
               SoftmaxToLinalg<onnxir::LogSoftmaxOp>, LayerNormToLinalg>(ctx);
}
