//===- Resize.cpp - Resize, Upsample and GridSample to linalg ---*- C++ -*-===//
//
// Resize (nearest with its four rounding modes, linear and cubic; every
// coordinate transformation mode, tf_crop_and_resize's roi and
// extrapolation value, cubic's coefficient and exclude_outside; scales or
// sizes, read at run time) and Upsample (nearest or linear, asymmetric) as
// one linalg.generic. Interpolation is separable: each output element is a
// sum over the product of the per-dim taps (1 for nearest, 2 for linear, 4
// for cubic; dims whose size does not change take the element itself),
// indices clamped as the reference's edge padding does. Coordinates are
// computed in f64. GridSample (2-D) samples the same way at the grid's
// coordinates.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <functional>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

/// Per-dim run-time values, computed before the generic.
struct DimInfo {
  bool interpolated = false;
  Value in;           // index
  Value inF;          // f64
  Value scale;        // f64
  Value outW;         // f64: scale * in, the reference's output width
  Value roiLo, roiHi; // f64, tf_crop_and_resize only
};

Value f64Of(OpBuilder &b, Location l, Value v) {
  Type f64 = b.getF64Type();
  if (v.getType().isIndex())
    v = arith::IndexCastOp::create(b, l, b.getI64Type(), v);
  if (llvm::isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, l, f64, v);
  if (v.getType() != f64)
    return arith::ExtFOp::create(b, l, f64, v);
  return v;
}

Value element(OpBuilder &b, Location l, Value t, int64_t k) {
  return tensor::ExtractOp::create(b, l, t, ValueRange{indexConst(b, l, k)});
}

/// f64 (or element-typed) float arithmetic at one location: the resize
/// and grid-sample bodies compute their coordinates with these.
struct FloatOps {
  OpBuilder &b;
  Location l;

  /// An f64 constant.
  Value c(double v) const {
    return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v)).getResult();
  }
  Value add(Value p, Value q) const {
    return arith::AddFOp::create(b, l, p, q);
  }
  Value sub(Value p, Value q) const {
    return arith::SubFOp::create(b, l, p, q);
  }
  Value mul(Value p, Value q) const {
    return arith::MulFOp::create(b, l, p, q);
  }
  Value div(Value p, Value q) const {
    return arith::DivFOp::create(b, l, p, q);
  }
  Value cmp(arith::CmpFPredicate p, Value u, Value v) const {
    return arith::CmpFOp::create(b, l, p, u, v);
  }
  Value sel(Value cnd, Value u, Value v) const {
    return arith::SelectOp::create(b, l, cnd, u, v);
  }
};

/// What the match read off a Resize or Upsample: its operands (roi and
/// sizes null for Upsample) and attributes.
struct ResizePlan {
  Value x, roi, scales, sizes;
  RankedTensorType t, rt;
  std::string mode, coord, nearest;
  double cubicA = -0.75, extrapolation = 0;
  bool excludeOutside = false;
  /// Scales (else sizes) give the output sizes; tf_crop_and_resize.
  bool useScales = false, crop = false;
};

ResizePlan resizePlan(onnxir::ResizeOp op) {
  ResizePlan p;
  p.x = op->getOperand(0);
  p.roi = op->getOperand(1);
  p.scales = op->getOperand(2);
  p.sizes = op->getOperand(3);
  p.mode = op.getMode().str();
  p.coord = op.getCoordinateTransformationMode().str();
  p.nearest = op.getNearestMode().str();
  p.cubicA = op.getCubicCoeffA().convertToFloat();
  p.excludeOutside = op.getExcludeOutside() != 0;
  p.extrapolation = op.getExtrapolationValue().convertToFloat();
  return p;
}

/// Upsample: asymmetric coordinates, nearest rounding down.
ResizePlan resizePlan(onnxir::UpsampleOp op) {
  ResizePlan p;
  p.x = op->getOperand(0);
  p.scales = op->getOperand(1);
  p.mode = op.getMode().str();
  p.coord = "asymmetric";
  p.nearest = "floor";
  return p;
}

/// Whether `v` is a 1-D tensor with elements (scales, sizes, roi given).
bool hasElements(Value v) {
  if (!v || isNone(v))
    return false;
  auto vt = llvm::dyn_cast<RankedTensorType>(v.getType());
  return vt && vt.getRank() == 1 && vt.getDimSize(0) != 0;
}

/// Checks the types and modes; an unknown mode is an error.
LogicalResult matchResize(Operation *op, PatternRewriter &rw,
                          ResizePlan &plan) {
  plan.t = llvm::dyn_cast<RankedTensorType>(plan.x.getType());
  plan.rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!plan.t || !plan.rt || plan.t.getRank() != plan.rt.getRank())
    return rw.notifyMatchFailure(op, "needs ranked tensors of one rank");
  const std::string &mode = plan.mode, &coord = plan.coord;
  if (mode != "nearest" && mode != "linear" && mode != "cubic") {
    op->emitError() << "'" << op->getName() << "' mode '" << mode
                    << "' is not supported";
    return failure();
  }
  if (mode != "nearest" && !llvm::isa<FloatType>(plan.t.getElementType()))
    return rw.notifyMatchFailure(op, "interpolation needs floats");
  static const char *coords[] = {"half_pixel",           "pytorch_half_pixel",
                                 "align_corners",        "asymmetric",
                                 "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  if (!llvm::is_contained(coords, coord)) {
    op->emitError() << "'" << op->getName()
                    << "' coordinate_transformation_mode '" << coord
                    << "' is not supported";
    return failure();
  }
  // Scales are used when given and not empty; else sizes.
  plan.useScales = hasElements(plan.scales);
  if (!plan.useScales && !hasElements(plan.sizes))
    return rw.notifyMatchFailure(op, "needs scales or sizes");
  plan.crop = coord == "tf_crop_and_resize";
  if (plan.crop && !hasElements(plan.roi))
    return rw.notifyMatchFailure(op, "tf_crop_and_resize needs roi");
  return success();
}

/// The per-dim run-time values and the output sizes, read from scales or
/// sizes (and roi).
SmallVector<DimInfo> resizeDims(PatternRewriter &rw, Location l,
                                const ResizePlan &plan,
                                SmallVectorImpl<OpFoldResult> &outSizes) {
  RankedTensorType t = plan.t, rt = plan.rt;
  int64_t r = t.getRank();
  SmallVector<DimInfo> dims(r);
  for (int64_t i = 0; i < r; ++i) {
    DimInfo &d = dims[i];
    d.in = tensor::DimOp::create(rw, l, plan.x, i);
    d.inF = f64Of(rw, l, d.in);
    Value outIdx;
    if (plan.useScales) {
      d.scale = f64Of(rw, l, element(rw, l, plan.scales, i));
      Value o = math::FloorOp::create(
          rw, l, arith::MulFOp::create(rw, l, d.inF, d.scale));
      outIdx = arith::IndexCastOp::create(
          rw, l, rw.getIndexType(),
          arith::FPToSIOp::create(rw, l, rw.getI64Type(), o));
    } else {
      Value s = element(rw, l, plan.sizes, i);
      outIdx = arith::IndexCastOp::create(rw, l, rw.getIndexType(), s);
      d.scale = arith::DivFOp::create(rw, l, f64Of(rw, l, s), d.inF);
    }
    d.outW = arith::MulFOp::create(rw, l, d.scale, d.inF);
    outSizes.push_back(rt.isDynamicDim(i)
                           ? OpFoldResult(outIdx)
                           : OpFoldResult(rw.getIndexAttr(rt.getDimSize(i))));
    d.interpolated = plan.crop || t.isDynamicDim(i) || rt.isDynamicDim(i) ||
                     t.getDimSize(i) != rt.getDimSize(i);
    if (plan.crop) {
      d.roiLo = f64Of(rw, l, element(rw, l, plan.roi, i));
      d.roiHi = f64Of(rw, l, element(rw, l, plan.roi, r + i));
    }
  }
  return dims;
}

/// One tap of a dim: the input index and its weight (null = 1).
using Tap = std::pair<Value, Value>;

/// The body of the resize generic: per dim its taps, then the sum over
/// their product.
class ResizeBody {
public:
  ResizeBody(OpBuilder &b, Location l, const ResizePlan &plan)
      : f{b, l}, plan(plan) {
    zeroI = indexConst(b, l, 0);
    oneF = f.c(1);
    zeroF = f.c(0);
  }

  /// The taps of interpolated dim `d` at output index `o`.
  SmallVector<Tap> taps(const DimInfo &d, Value o) {
    Value xo = sourceCoord(d, f64Of(f.b, f.l, o));
    Value x0 = math::FloorOp::create(f.b, f.l, xo);
    Value ratio = f.sub(xo, x0);
    Value base = arith::IndexCastOp::create(
        f.b, f.l, f.b.getIndexType(),
        arith::FPToSIOp::create(f.b, f.l, f.b.getI64Type(), x0));
    Value last = arith::SubIOp::create(f.b, f.l, d.in, indexConst(f.b, f.l, 1));
    if (plan.mode == "nearest")
      return {nearestTap(base, last, ratio)};
    if (plan.mode == "linear")
      return {{tapAt(base, last, 0), f.sub(oneF, ratio)},
              {tapAt(base, last, 1), ratio}};
    return cubicTaps(base, last, ratio);
  }

  /// The sum over the product of the taps (nearest: the one element),
  /// the extrapolation value where tf_crop_and_resize reads outside.
  Value sum(ArrayRef<SmallVector<Tap>> taps, Type elem) {
    Value acc;
    int64_t r = taps.size();
    SmallVector<Value> at(r);
    std::function<void(int64_t, Value)> walk = [&](int64_t i, Value w) {
      if (i == r) {
        acc = accumulate(acc, tensor::ExtractOp::create(f.b, f.l, plan.x, at),
                         w, elem);
        return;
      }
      for (auto &[ix, tw] : taps[i]) {
        at[i] = ix;
        walk(i + 1, !tw ? w : (w ? f.mul(w, tw) : tw));
      }
    };
    walk(0, Value());
    if (outside)
      acc =
          f.sel(outside, scalarConst(f.b, f.l, elem, plan.extrapolation), acc);
    return acc;
  }

private:
  /// The input coordinate of output coordinate `of` (f64) along `d`.
  Value sourceCoord(const DimInfo &d, Value of) {
    const std::string &coord = plan.coord;
    Value one1 = f.cmp(arith::CmpFPredicate::OEQ, d.outW, oneF);
    Value inM1 = f.sub(d.inF, oneF);
    if (coord == "half_pixel")
      return f.sub(f.div(f.add(of, f.c(0.5)), d.scale), f.c(0.5));
    if (coord == "pytorch_half_pixel")
      return f.sel(one1, f.c(-0.5),
                   f.sub(f.div(f.add(of, f.c(0.5)), d.scale), f.c(0.5)));
    if (coord == "align_corners")
      return f.sel(one1, zeroF, f.div(f.mul(of, inM1), f.sub(d.outW, oneF)));
    if (coord == "asymmetric")
      return f.div(of, d.scale);
    if (coord == "tf_half_pixel_for_nn")
      return f.div(f.add(of, f.c(0.5)), d.scale);
    // tf_crop_and_resize: also records whether the coordinate is outside.
    Value span = f.sub(d.roiHi, d.roiLo);
    Value xo =
        f.sel(one1, f.div(f.mul(span, inM1), f.c(2)),
              f.add(f.mul(d.roiLo, inM1),
                    f.div(f.mul(f.mul(of, span), inM1), f.sub(d.outW, oneF))));
    Value out = arith::OrIOp::create(
        f.b, f.l, f.cmp(arith::CmpFPredicate::OLT, xo, zeroF),
        f.cmp(arith::CmpFPredicate::OGT, xo, inM1));
    outside =
        outside ? Value(arith::OrIOp::create(f.b, f.l, outside, out)) : out;
    return xo;
  }

  /// base + off clamped to [0, last].
  Value tapAt(Value base, Value last, int64_t off) {
    Value ix = arith::AddIOp::create(f.b, f.l, base, indexConst(f.b, f.l, off));
    return arith::MinSIOp::create(
        f.b, f.l, arith::MaxSIOp::create(f.b, f.l, ix, zeroI), last);
  }

  /// Whether base + off lies in [0, last].
  Value inRange(Value base, Value last, int64_t off) {
    Value ix = arith::AddIOp::create(f.b, f.l, base, indexConst(f.b, f.l, off));
    return arith::AndIOp::create(
        f.b, f.l,
        arith::CmpIOp::create(f.b, f.l, arith::CmpIPredicate::sge, ix, zeroI),
        arith::CmpIOp::create(f.b, f.l, arith::CmpIPredicate::sle, ix, last));
  }

  /// Nearest: integral coordinates take themselves; else the rounding.
  Tap nearestTap(Value base, Value last, Value ratio) {
    const std::string &nearest = plan.nearest;
    Value second;
    if (nearest == "round_prefer_floor")
      second = f.cmp(arith::CmpFPredicate::OGT, ratio, f.c(0.5));
    else if (nearest == "round_prefer_ceil")
      second = f.cmp(arith::CmpFPredicate::OGE, ratio, f.c(0.5));
    else if (nearest == "floor")
      second = arith::ConstantOp::create(f.b, f.l, f.b.getBoolAttr(false));
    else
      second = f.cmp(arith::CmpFPredicate::OGT, ratio, zeroF);
    return {f.sel(second, tapAt(base, last, 1), tapAt(base, last, 0)), Value()};
  }

  /// Cubic: taps base-1 .. base+2 with the cubic_coeff_a weights
  /// (renormalized over the taps inside with exclude_outside).
  SmallVector<Tap> cubicTaps(Value base, Value last, Value ratio) {
    double a = plan.cubicA;
    Value s = ratio, s1 = f.add(ratio, oneF), t1 = f.sub(oneF, ratio),
          t2 = f.add(t1, oneF);
    Value A = f.c(a);
    auto outer = [&](Value v) { // ((A v - 5A) v + 8A) v - 4A
      return f.sub(
          f.mul(f.add(f.mul(f.sub(f.mul(A, v), f.c(5 * a)), v), f.c(8 * a)), v),
          f.c(4 * a));
    };
    auto inner = [&](Value v) { // ((A+2) v - (A+3)) v v + 1
      return f.add(f.mul(f.mul(f.sub(f.mul(f.c(a + 2), v), f.c(a + 3)), v), v),
                   oneF);
    };
    SmallVector<Value> w = {outer(s1), inner(s), inner(t1), outer(t2)};
    if (plan.excludeOutside) {
      Value sum = zeroF;
      for (int64_t k = 0; k < 4; ++k) {
        w[k] = f.sel(inRange(base, last, k - 1), w[k], zeroF);
        sum = f.add(sum, w[k]);
      }
      for (int64_t k = 0; k < 4; ++k)
        w[k] = f.div(w[k], sum);
    }
    SmallVector<Tap> out;
    for (int64_t k = 0; k < 4; ++k)
      out.push_back({tapAt(base, last, k - 1), w[k]});
    return out;
  }

  /// acc + v * w (w in f64, null = 1); nearest takes v itself.
  Value accumulate(Value acc, Value v, Value w, Type elem) {
    if (plan.mode == "nearest")
      return v;
    Value term = v;
    if (w) {
      Value we =
          elem.isF64() ? w : Value(arith::TruncFOp::create(f.b, f.l, elem, w));
      term = arith::MulFOp::create(f.b, f.l, v, we);
    }
    return acc ? Value(arith::AddFOp::create(f.b, f.l, acc, term)) : term;
  }

  FloatOps f;
  const ResizePlan &plan;
  Value zeroI, oneF, zeroF;
  /// tf_crop_and_resize: whether some coordinate is out of range.
  Value outside;
};

/// Resize and Upsample (`OpTy`): one generic over the output whose body
/// sums the taps of the interpolated dims.
template <typename OpTy> struct ResizeToLinalg : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    Location l = op.getLoc();
    ResizePlan plan = resizePlan(op);
    if (failed(matchResize(op, rw, plan)))
      return failure();
    SmallVector<OpFoldResult> outSizes;
    SmallVector<DimInfo> dims = resizeDims(rw, l, plan, outSizes);
    RankedTensorType rt = plan.rt;
    int64_t r = rt.getRank();
    Type elem = plan.t.getElementType();
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, l, rt, outSizes)},
        {rw.getMultiDimIdentityMap(r)}, iters,
        [&](OpBuilder &b, Location nl, ValueRange) {
          ResizeBody body(b, nl, plan);
          // Per dim: taps (index, weight; weight null = 1).
          SmallVector<SmallVector<Tap>> taps(r);
          for (int64_t i = 0; i < r; ++i) {
            Value o = linalg::IndexOp::create(b, nl, i);
            if (!dims[i].interpolated)
              taps[i].push_back({o, Value()});
            else
              taps[i] = body.taps(dims[i], o);
          }
          linalg::YieldOp::create(b, nl, body.sum(taps, elem));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// What GridSample's match read: its operands, types and modes.
struct GridSamplePlan {
  Value x, grid;
  RankedTensorType t, rt;
  std::string mode, pad;
  bool align = false;
};

/// The body of the grid-sample generic at output (n, ch, oh, ow): the
/// grid's coordinates unnormalized and padded, then the taps of the mode.
class GridSampleBody {
public:
  GridSampleBody(OpBuilder &b, Location l, const GridSamplePlan &plan,
                 Value hIn, Value wIn)
      : f{b, l}, plan(plan), hIn(hIn), wIn(wIn) {}

  Value build() {
    OpBuilder &b = f.b;
    Location nl = f.l;
    n = linalg::IndexOp::create(b, nl, 0);
    ch = linalg::IndexOp::create(b, nl, 1);
    Value oh = linalg::IndexOp::create(b, nl, 2);
    Value ow = linalg::IndexOp::create(b, nl, 3);
    auto gridAt = [&](int64_t k) {
      return f64Of(
          b, nl,
          tensor::ExtractOp::create(
              b, nl, plan.grid, ValueRange{n, oh, ow, indexConst(b, nl, k)}));
    };
    Value xs = prepare(unnorm(gridAt(0), wIn), wIn);
    Value ys = prepare(unnorm(gridAt(1), hIn), hIn);
    zeroI = indexConst(b, nl, 0);
    if (plan.mode == "nearest") {
      Value ix = toIdx(math::RoundEvenOp::create(b, nl, xs));
      Value iy = toIdx(math::RoundEvenOp::create(b, nl, ys));
      return pixel(ix, iy);
    }
    return interpolate(xs, ys);
  }

private:
  using Weights = SmallVector<std::pair<int64_t, Value>>;

  /// Unnormalized coordinate along a dim of size `size`.
  Value unnorm(Value gc, Value size) {
    Value sF = f64Of(f.b, f.l, size);
    if (plan.align)
      return f.mul(f.mul(f.add(gc, f.c(1)), f.c(0.5)), f.sub(sF, f.c(1)));
    return f.mul(f.sub(f.mul(f.add(gc, f.c(1)), sF), f.c(1)), f.c(0.5));
  }

  /// `v` reflected into the image (padding_mode reflection).
  Value reflect(Value v, Value size) {
    Value sF = f64Of(f.b, f.l, size);
    Value lo = plan.align ? f.c(0) : f.c(-0.5);
    Value hi = plan.align ? f.sub(sF, f.c(1)) : f.sub(sF, f.c(0.5));
    Value range = f.sub(hi, lo);
    auto fold = [&](Value d, bool below) {
      // d >= 0 past the edge; n = floor(d / range), r = d - n range.
      Value safe = f.sel(gtF(range, f.c(0)), range, f.c(1));
      Value q = math::FloorOp::create(f.b, f.l,
                                      arith::DivFOp::create(f.b, f.l, d, safe));
      Value r = f.sub(d, f.mul(q, safe));
      Value even = arith::CmpFOp::create(
          f.b, f.l, arith::CmpFPredicate::OEQ,
          math::FloorOp::create(f.b, f.l, f.mul(q, f.c(0.5))),
          f.mul(q, f.c(0.5)));
      Value a = below ? f.add(lo, r) : f.sub(hi, r);
      Value bb = below ? f.sub(hi, r) : f.add(lo, r);
      return f.sel(even, a, bb);
    };
    Value below = fold(f.sub(lo, v), true);
    Value above = fold(f.sub(v, hi), false);
    return f.sel(lt(v, lo), below, f.sel(gtF(v, hi), above, v));
  }

  /// The coordinate per padding_mode: clamped (border), reflected, or as
  /// it is (zeros).
  Value prepare(Value v, Value size) {
    Value sF = f64Of(f.b, f.l, size);
    if (plan.pad == "border")
      return arith::MinimumFOp::create(
                 f.b, f.l, arith::MaximumFOp::create(f.b, f.l, v, f.c(0)),
                 f.sub(sF, f.c(1)))
          .getResult();
    if (plan.pad == "reflection")
      return reflect(v, size);
    return v;
  }

  /// The pixel at integer (ix, iy) (index values), per padding.
  Value pixel(Value ix, Value iy) {
    OpBuilder &b = f.b;
    Location nl = f.l;
    Value lastX = arith::SubIOp::create(b, nl, wIn, indexConst(b, nl, 1));
    Value lastY = arith::SubIOp::create(b, nl, hIn, indexConst(b, nl, 1));
    auto clampI = [&](Value v, Value last) -> Value {
      return arith::MinSIOp::create(
          b, nl, arith::MaxSIOp::create(b, nl, v, zeroI), last);
    };
    Value cx = clampI(ix, lastX), cy = clampI(iy, lastY);
    Value v =
        tensor::ExtractOp::create(b, nl, plan.x, ValueRange{n, ch, cy, cx});
    if (plan.pad != "zeros")
      return v;
    auto inR = [&](Value i, Value last) -> Value {
      return arith::AndIOp::create(
          b, nl,
          arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sge, i, zeroI),
          arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sle, i, last));
    };
    Value ok = arith::AndIOp::create(b, nl, inR(ix, lastX), inR(iy, lastY));
    return f.sel(ok, v, scalarConst(b, nl, plan.t.getElementType(), 0));
  }

  /// Bicubic weights (A = -0.75) of taps -1 .. 2 at fraction s.
  Weights cubicWeights(Value s) {
    double a = -0.75;
    auto outer = [&](Value v) {
      return f.sub(f.mul(f.add(f.mul(f.sub(f.mul(f.c(a), v), f.c(5 * a)), v),
                               f.c(8 * a)),
                         v),
                   f.c(4 * a));
    };
    auto inner = [&](Value v) {
      return f.add(f.mul(f.mul(f.sub(f.mul(f.c(a + 2), v), f.c(a + 3)), v), v),
                   f.c(1));
    };
    Value t1 = f.sub(f.c(1), s);
    return Weights{{-1, outer(f.add(s, f.c(1)))},
                   {0, inner(s)},
                   {1, inner(t1)},
                   {2, outer(f.add(t1, f.c(1)))}};
  }

  /// Bilinear or bicubic: the weighted sum of the taps around (xs, ys).
  Value interpolate(Value xs, Value ys) {
    OpBuilder &b = f.b;
    Location nl = f.l;
    Type elem = plan.t.getElementType();
    auto plus = [&](Value i, int64_t k) -> Value {
      return arith::AddIOp::create(b, nl, i, indexConst(b, nl, k));
    };
    auto weighted = [&](Value v, Value w) -> Value {
      Value we =
          elem.isF64() ? w : Value(arith::TruncFOp::create(b, nl, elem, w));
      return arith::MulFOp::create(b, nl, v, we);
    };
    Value fx = math::FloorOp::create(b, nl, xs);
    Value fy = math::FloorOp::create(b, nl, ys);
    Value tx = f.sub(xs, fx), ty = f.sub(ys, fy);
    Value ix = toIdx(fx), iy = toIdx(fy);
    Weights wx, wy;
    if (plan.mode == "bilinear") {
      wx = {{0, f.sub(f.c(1), tx)}, {1, tx}};
      wy = {{0, f.sub(f.c(1), ty)}, {1, ty}};
    } else {
      wx = cubicWeights(tx);
      wy = cubicWeights(ty);
    }
    Value out;
    for (auto &[dy, wyv] : wy)
      for (auto &[dx, wxv] : wx) {
        Value term =
            weighted(pixel(plus(ix, dx), plus(iy, dy)), f.mul(wxv, wyv));
        out = out ? Value(arith::AddFOp::create(b, nl, out, term)) : term;
      }
    return out;
  }

  Value toIdx(Value v) {
    return arith::IndexCastOp::create(
        f.b, f.l, f.b.getIndexType(),
        arith::FPToSIOp::create(f.b, f.l, f.b.getI64Type(), v));
  }
  Value lt(Value u, Value v) { return f.cmp(arith::CmpFPredicate::OLT, u, v); }
  Value gtF(Value u, Value v) { return f.cmp(arith::CmpFPredicate::OGT, u, v); }

  FloatOps f;
  const GridSamplePlan &plan;
  Value hIn, wIn;
  Value n, ch, zeroI;
};

/// GridSample (2-D, opset 16): out[n, c, h, w] samples X[n, c] at the
/// grid's normalized (x, y), unnormalized per align_corners; nearest
/// (round half to even), bilinear or bicubic (A = -0.75) taps; padding
/// zeros (taps outside read 0), border (coordinates clamped) or reflection
/// (coordinates reflected into the image, then clamped).
struct GridSampleToLinalg : OpRewritePattern<onnxir::GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::GridSampleOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    GridSamplePlan plan;
    plan.x = op->getOperand(0);
    plan.grid = op->getOperand(1);
    plan.t = llvm::dyn_cast<RankedTensorType>(plan.x.getType());
    auto gt = llvm::dyn_cast<RankedTensorType>(plan.grid.getType());
    plan.rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!plan.t || !gt || !plan.rt || plan.t.getRank() != 4 ||
        gt.getRank() != 4 || !llvm::isa<FloatType>(plan.t.getElementType()))
      return rw.notifyMatchFailure(op, "needs 4-D float tensors");
    plan.mode = op.getMode().str();
    plan.pad = op.getPaddingMode().str();
    plan.align = op.getAlignCorners() != 0;
    const std::string &mode = plan.mode, &pad = plan.pad;
    if ((mode != "bilinear" && mode != "nearest" && mode != "bicubic") ||
        (pad != "zeros" && pad != "border" && pad != "reflection")) {
      op->emitError() << "'" << op->getName() << "' mode '" << mode
                      << "' with padding '" << pad << "' is not supported";
      return failure();
    }
    Value x = plan.x, grid = plan.grid;
    RankedTensorType rt = plan.rt;
    SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, l, x, 0),
                                       tensor::getMixedSize(rw, l, x, 1),
                                       tensor::getMixedSize(rw, l, grid, 1),
                                       tensor::getMixedSize(rw, l, grid, 2)};
    for (int64_t i = 0; i < 4; ++i)
      if (!rt.isDynamicDim(i))
        sizes[i] = rw.getIndexAttr(rt.getDimSize(i));
    Value hIn = tensor::DimOp::create(rw, l, x, 2);
    Value wIn = tensor::DimOp::create(rw, l, x, 3);
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, l, rt, sizes)},
        {rw.getMultiDimIdentityMap(4)}, iters,
        [&](OpBuilder &b, Location nl, ValueRange) {
          GridSampleBody body(b, nl, plan, hIn, wIn);
          linalg::YieldOp::create(b, nl, body.build());
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxResizeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeToLinalg<onnxir::ResizeOp>,
               ResizeToLinalg<onnxir::UpsampleOp>, GridSampleToLinalg>(
      patterns.getContext());
}
