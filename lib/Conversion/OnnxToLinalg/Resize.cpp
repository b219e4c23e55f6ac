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
using namespace seqc::onnx_to_linalg;

namespace {

/// Per-dim run-time values, computed before the generic.
struct DimInfo {
  bool interpolated = false;
  Value in;      // index
  Value inF;     // f64
  Value scale;   // f64
  Value outW;    // f64: scale * in, the reference's output width
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

struct ResizeToLinalg : RewritePattern {
  ResizeToLinalg(MLIRContext *ctx, StringRef name)
      : RewritePattern(name, 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    Location l = op->getLoc();
    bool upsample = op->getName().getStringRef() == "onnx.Upsample";
    Value x = op->getOperand(0);
    Value roi = upsample ? Value() : op->getOperand(1);
    Value scales = upsample ? op->getOperand(1) : op->getOperand(2);
    Value sizesIn = upsample ? Value() : op->getOperand(3);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!t || !rt || t.getRank() != rt.getRank())
      return rw.notifyMatchFailure(op, "needs ranked tensors of one rank");
    std::string mode = strAttr(op, "mode", "nearest");
    std::string coord = upsample ? "asymmetric"
                                 : strAttr(op, "coordinate_transformation_mode",
                                           "half_pixel");
    std::string nearest =
        upsample ? "floor" : strAttr(op, "nearest_mode", "round_prefer_floor");
    if (mode != "nearest" && mode != "linear" && mode != "cubic") {
      op->emitError() << "'" << op->getName() << "' mode '" << mode
                      << "' is not supported";
      return failure();
    }
    if (mode != "nearest" && !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "interpolation needs floats");
    static const char *coords[] = {"half_pixel",   "pytorch_half_pixel",
                                   "align_corners", "asymmetric",
                                   "tf_half_pixel_for_nn",
                                   "tf_crop_and_resize"};
    if (!llvm::is_contained(coords, coord)) {
      op->emitError() << "'" << op->getName()
                      << "' coordinate_transformation_mode '" << coord
                      << "' is not supported";
      return failure();
    }
    // Scales are used when given and not empty; else sizes.
    auto hasElements = [](Value v) {
      if (!v || isNone(v))
        return false;
      auto vt = llvm::dyn_cast<RankedTensorType>(v.getType());
      return vt && vt.getRank() == 1 && vt.getDimSize(0) != 0;
    };
    bool useScales = hasElements(scales);
    if (!useScales && !hasElements(sizesIn))
      return rw.notifyMatchFailure(op, "needs scales or sizes");
    bool crop = coord == "tf_crop_and_resize";
    if (crop && !hasElements(roi))
      return rw.notifyMatchFailure(op, "tf_crop_and_resize needs roi");
    int64_t r = t.getRank();
    SmallVector<DimInfo> dims(r);
    SmallVector<OpFoldResult> outSizes;
    for (int64_t i = 0; i < r; ++i) {
      DimInfo &d = dims[i];
      d.in = tensor::DimOp::create(rw, l, x, i);
      d.inF = f64Of(rw, l, d.in);
      Value outIdx;
      if (useScales) {
        d.scale = f64Of(rw, l, element(rw, l, scales, i));
        Value o = math::FloorOp::create(
            rw, l, arith::MulFOp::create(rw, l, d.inF, d.scale));
        outIdx = arith::IndexCastOp::create(
            rw, l, rw.getIndexType(),
            arith::FPToSIOp::create(rw, l, rw.getI64Type(), o));
      } else {
        Value s = element(rw, l, sizesIn, i);
        outIdx = arith::IndexCastOp::create(rw, l, rw.getIndexType(), s);
        d.scale = arith::DivFOp::create(rw, l, f64Of(rw, l, s), d.inF);
      }
      d.outW = arith::MulFOp::create(rw, l, d.scale, d.inF);
      outSizes.push_back(rt.isDynamicDim(i)
                             ? OpFoldResult(outIdx)
                             : OpFoldResult(rw.getIndexAttr(rt.getDimSize(i))));
      d.interpolated = crop || t.isDynamicDim(i) || rt.isDynamicDim(i) ||
                       t.getDimSize(i) != rt.getDimSize(i);
      if (crop) {
        d.roiLo = f64Of(rw, l, element(rw, l, roi, i));
        d.roiHi = f64Of(rw, l, element(rw, l, roi, r + i));
      }
    }
    double a = floatAttr(op, "cubic_coeff_a", -0.75f);
    bool excludeOutside = intAttr(op, "exclude_outside", 0) != 0;
    double extrapolation = floatAttr(op, "extrapolation_value", 0.0f);
    Type elem = t.getElementType();

    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, l, rt, outSizes)},
        {rw.getMultiDimIdentityMap(r)}, iters,
        [&](OpBuilder &b, Location nl, ValueRange) {
          auto c = [&](double v) {
            return arith::ConstantOp::create(b, nl, b.getF64FloatAttr(v))
                .getResult();
          };
          auto add = [&](Value p, Value q) -> Value {
            return arith::AddFOp::create(b, nl, p, q);
          };
          auto sub = [&](Value p, Value q) -> Value {
            return arith::SubFOp::create(b, nl, p, q);
          };
          auto mul = [&](Value p, Value q) -> Value {
            return arith::MulFOp::create(b, nl, p, q);
          };
          auto div = [&](Value p, Value q) -> Value {
            return arith::DivFOp::create(b, nl, p, q);
          };
          auto cmp = [&](arith::CmpFPredicate p, Value u, Value v) -> Value {
            return arith::CmpFOp::create(b, nl, p, u, v);
          };
          auto sel = [&](Value cnd, Value u, Value v) -> Value {
            return arith::SelectOp::create(b, nl, cnd, u, v);
          };
          Value zeroI = indexConst(b, nl, 0), oneF = c(1), zeroF = c(0);
          // Per dim: taps (index, weight; weight null = 1).
          SmallVector<SmallVector<std::pair<Value, Value>>> taps(r);
          Value outside; // tf_crop_and_resize: some coordinate out of range
          for (int64_t i = 0; i < r; ++i) {
            Value o = linalg::IndexOp::create(b, nl, i);
            const DimInfo &d = dims[i];
            if (!d.interpolated) {
              taps[i].push_back({o, Value()});
              continue;
            }
            Value of = f64Of(b, nl, o);
            Value one1 = cmp(arith::CmpFPredicate::OEQ, d.outW, oneF);
            Value inM1 = sub(d.inF, oneF);
            Value xo;
            if (coord == "half_pixel")
              xo = sub(div(add(of, c(0.5)), d.scale), c(0.5));
            else if (coord == "pytorch_half_pixel")
              xo = sel(one1, c(-0.5), sub(div(add(of, c(0.5)), d.scale), c(0.5)));
            else if (coord == "align_corners")
              xo = sel(one1, zeroF, div(mul(of, inM1), sub(d.outW, oneF)));
            else if (coord == "asymmetric")
              xo = div(of, d.scale);
            else if (coord == "tf_half_pixel_for_nn")
              xo = div(add(of, c(0.5)), d.scale);
            else {
              Value span = sub(d.roiHi, d.roiLo);
              xo = sel(one1, div(mul(span, inM1), c(2)),
                       add(mul(d.roiLo, inM1),
                           div(mul(mul(of, span), inM1), sub(d.outW, oneF))));
              Value out = arith::OrIOp::create(
                  b, nl, cmp(arith::CmpFPredicate::OLT, xo, zeroF),
                  cmp(arith::CmpFPredicate::OGT, xo, inM1));
              outside = outside ? Value(arith::OrIOp::create(b, nl, outside, out))
                                : out;
            }
            Value x0 = math::FloorOp::create(b, nl, xo);
            Value ratio = sub(xo, x0);
            Value base = arith::IndexCastOp::create(
                b, nl, b.getIndexType(),
                arith::FPToSIOp::create(b, nl, b.getI64Type(), x0));
            Value last = arith::SubIOp::create(b, nl, d.in, indexConst(b, nl, 1));
            auto tapAt = [&](int64_t off) {
              Value ix = arith::AddIOp::create(b, nl, base, indexConst(b, nl, off));
              return Value(arith::MinSIOp::create(
                  b, nl, arith::MaxSIOp::create(b, nl, ix, zeroI), last));
            };
            auto inRange = [&](int64_t off) {
              Value ix = arith::AddIOp::create(b, nl, base, indexConst(b, nl, off));
              return Value(arith::AndIOp::create(
                  b, nl,
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sge, ix,
                                        zeroI),
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sle, ix,
                                        last)));
            };
            if (mode == "nearest") {
              // Integral coordinates take themselves; else the rounding.
              Value second;
              if (nearest == "round_prefer_floor")
                second = cmp(arith::CmpFPredicate::OGT, ratio, c(0.5));
              else if (nearest == "round_prefer_ceil")
                second = cmp(arith::CmpFPredicate::OGE, ratio, c(0.5));
              else if (nearest == "floor")
                second = arith::ConstantOp::create(b, nl, b.getBoolAttr(false));
              else
                second = cmp(arith::CmpFPredicate::OGT, ratio, zeroF);
              taps[i].push_back({sel(second, tapAt(1), tapAt(0)), Value()});
              continue;
            }
            if (mode == "linear") {
              taps[i].push_back({tapAt(0), sub(oneF, ratio)});
              taps[i].push_back({tapAt(1), ratio});
              continue;
            }
            // Cubic: taps base-1 .. base+2.
            Value s = ratio, s1 = add(ratio, oneF), t1 = sub(oneF, ratio),
                  t2 = add(t1, oneF);
            Value A = c(a);
            auto outer = [&](Value v) { // ((A v - 5A) v + 8A) v - 4A
              return sub(mul(add(mul(sub(mul(A, v), c(5 * a)), v), c(8 * a)), v),
                         c(4 * a));
            };
            auto inner = [&](Value v) { // ((A+2) v - (A+3)) v v + 1
              return add(mul(mul(sub(mul(c(a + 2), v), c(a + 3)), v), v), oneF);
            };
            SmallVector<Value> w = {outer(s1), inner(s), inner(t1), outer(t2)};
            if (excludeOutside) {
              Value sum = zeroF;
              for (int64_t k = 0; k < 4; ++k) {
                w[k] = sel(inRange(k - 1), w[k], zeroF);
                sum = add(sum, w[k]);
              }
              for (int64_t k = 0; k < 4; ++k)
                w[k] = div(w[k], sum);
            }
            for (int64_t k = 0; k < 4; ++k)
              taps[i].push_back({tapAt(k - 1), w[k]});
          }
          // Sum over the product of the taps.
          Value acc;
          SmallVector<Value> at(r);
          std::function<void(int64_t, Value)> walk = [&](int64_t i, Value w) {
            if (i == r) {
              Value v = tensor::ExtractOp::create(b, nl, x, at);
              if (mode == "nearest") {
                acc = v;
                return;
              }
              Value term = v;
              if (w) {
                Value we = elem.isF64() ? w
                                        : Value(arith::TruncFOp::create(
                                              b, nl, elem, w));
                term = arith::MulFOp::create(b, nl, v, we);
              }
              acc = acc ? Value(arith::AddFOp::create(b, nl, acc, term)) : term;
              return;
            }
            for (auto &[ix, tw] : taps[i]) {
              at[i] = ix;
              walk(i + 1, !tw ? w : (w ? mul(w, tw) : tw));
            }
          };
          walk(0, Value());
          if (outside)
            acc = sel(outside, scalarConst(b, nl, elem, extrapolation), acc);
          linalg::YieldOp::create(b, nl, acc);
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// GridSample (2-D, opset 16): out[n, c, h, w] samples X[n, c] at the
/// grid's normalized (x, y), unnormalized per align_corners; nearest
/// (round half to even), bilinear or bicubic (A = -0.75) taps; padding
/// zeros (taps outside read 0), border (coordinates clamped) or reflection
/// (coordinates reflected into the image, then clamped).
struct GridSampleToLinalg : OpRewritePattern<seqc::onnxir::GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(seqc::onnxir::GridSampleOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0), grid = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto gt = llvm::dyn_cast<RankedTensorType>(grid.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !gt || !rt || t.getRank() != 4 || gt.getRank() != 4 ||
        !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs 4-D float tensors");
    std::string mode = strAttr(op, "mode", "bilinear");
    std::string pad = strAttr(op, "padding_mode", "zeros");
    bool align = intAttr(op, "align_corners", 0) != 0;
    if ((mode != "bilinear" && mode != "nearest" && mode != "bicubic") ||
        (pad != "zeros" && pad != "border" && pad != "reflection")) {
      op->emitError() << "'" << op->getName() << "' mode '" << mode
                      << "' with padding '" << pad << "' is not supported";
      return failure();
    }
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rw, l, x, 0), tensor::getMixedSize(rw, l, x, 1),
        tensor::getMixedSize(rw, l, grid, 1),
        tensor::getMixedSize(rw, l, grid, 2)};
    for (int64_t i = 0; i < 4; ++i)
      if (!rt.isDynamicDim(i))
        sizes[i] = rw.getIndexAttr(rt.getDimSize(i));
    Type elem = t.getElementType();
    Value hIn = tensor::DimOp::create(rw, l, x, 2);
    Value wIn = tensor::DimOp::create(rw, l, x, 3);
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, l, rt, sizes)},
        {rw.getMultiDimIdentityMap(4)}, iters,
        [&](OpBuilder &b, Location nl, ValueRange) {
          auto c = [&](double v) {
            return arith::ConstantOp::create(b, nl, b.getF64FloatAttr(v))
                .getResult();
          };
          auto add = [&](Value p, Value q) -> Value {
            return arith::AddFOp::create(b, nl, p, q);
          };
          auto sub = [&](Value p, Value q) -> Value {
            return arith::SubFOp::create(b, nl, p, q);
          };
          auto mul = [&](Value p, Value q) -> Value {
            return arith::MulFOp::create(b, nl, p, q);
          };
          auto sel = [&](Value cnd, Value u, Value v) -> Value {
            return arith::SelectOp::create(b, nl, cnd, u, v);
          };
          auto lt = [&](Value u, Value v) -> Value {
            return arith::CmpFOp::create(b, nl, arith::CmpFPredicate::OLT, u, v);
          };
          auto gtF = [&](Value u, Value v) -> Value {
            return arith::CmpFOp::create(b, nl, arith::CmpFPredicate::OGT, u, v);
          };
          Value n = linalg::IndexOp::create(b, nl, 0);
          Value ch = linalg::IndexOp::create(b, nl, 1);
          Value oh = linalg::IndexOp::create(b, nl, 2);
          Value ow = linalg::IndexOp::create(b, nl, 3);
          auto gridAt = [&](int64_t k) {
            return f64Of(b, nl,
                         tensor::ExtractOp::create(
                             b, nl, grid,
                             ValueRange{n, oh, ow, indexConst(b, nl, k)}));
          };
          // Unnormalized coordinate along a dim of size `size`.
          auto unnorm = [&](Value gc, Value size) {
            Value sF = f64Of(b, nl, size);
            if (align)
              return mul(mul(add(gc, c(1)), c(0.5)), sub(sF, c(1)));
            return mul(sub(mul(add(gc, c(1)), sF), c(1)), c(0.5));
          };
          auto reflect = [&](Value v, Value size) {
            Value sF = f64Of(b, nl, size);
            Value lo = align ? c(0) : c(-0.5);
            Value hi = align ? sub(sF, c(1)) : sub(sF, c(0.5));
            Value range = sub(hi, lo);
            auto fold = [&](Value d, bool below) {
              // d >= 0 past the edge; n = floor(d / range), r = d - n range.
              Value safe = sel(gtF(range, c(0)), range, c(1));
              Value q = math::FloorOp::create(
                  b, nl, arith::DivFOp::create(b, nl, d, safe));
              Value r = sub(d, mul(q, safe));
              Value even = arith::CmpFOp::create(
                  b, nl, arith::CmpFPredicate::OEQ,
                  math::FloorOp::create(b, nl, mul(q, c(0.5))), mul(q, c(0.5)));
              Value a = below ? add(lo, r) : sub(hi, r);
              Value bb = below ? sub(hi, r) : add(lo, r);
              return sel(even, a, bb);
            };
            Value below = fold(sub(lo, v), true);
            Value above = fold(sub(v, hi), false);
            return sel(lt(v, lo), below, sel(gtF(v, hi), above, v));
          };
          auto prepare = [&](Value v, Value size) {
            Value sF = f64Of(b, nl, size);
            if (pad == "border")
              return arith::MinimumFOp::create(
                         b, nl, arith::MaximumFOp::create(b, nl, v, c(0)),
                         sub(sF, c(1)))
                  .getResult();
            if (pad == "reflection")
              return reflect(v, size);
            return v;
          };
          Value xs = prepare(unnorm(gridAt(0), wIn), wIn);
          Value ys = prepare(unnorm(gridAt(1), hIn), hIn);
          Value zeroI = indexConst(b, nl, 0);
          // The pixel at integer (ix, iy) (index values), per padding.
          auto pixel = [&](Value ix, Value iy) -> Value {
            Value lastX = arith::SubIOp::create(b, nl, wIn, indexConst(b, nl, 1));
            Value lastY = arith::SubIOp::create(b, nl, hIn, indexConst(b, nl, 1));
            auto clampI = [&](Value v, Value last) -> Value {
              return arith::MinSIOp::create(
                  b, nl, arith::MaxSIOp::create(b, nl, v, zeroI), last);
            };
            Value cx = clampI(ix, lastX), cy = clampI(iy, lastY);
            Value v = tensor::ExtractOp::create(b, nl, x,
                                                ValueRange{n, ch, cy, cx});
            if (pad != "zeros")
              return v;
            auto inR = [&](Value i, Value last) -> Value {
              return arith::AndIOp::create(
                  b, nl,
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sge, i,
                                        zeroI),
                  arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sle, i,
                                        last));
            };
            Value ok = arith::AndIOp::create(b, nl, inR(ix, lastX), inR(iy, lastY));
            return sel(ok, v, scalarConst(b, nl, elem, 0));
          };
          auto toIdx = [&](Value f) -> Value {
            return arith::IndexCastOp::create(
                b, nl, b.getIndexType(),
                arith::FPToSIOp::create(b, nl, b.getI64Type(), f));
          };
          auto plus = [&](Value i, int64_t k) -> Value {
            return arith::AddIOp::create(b, nl, i, indexConst(b, nl, k));
          };
          auto weighted = [&](Value v, Value w) -> Value {
            Value we = elem.isF64() ? w
                                    : Value(arith::TruncFOp::create(b, nl, elem, w));
            return arith::MulFOp::create(b, nl, v, we);
          };
          Value out;
          if (mode == "nearest") {
            Value ix = toIdx(math::RoundEvenOp::create(b, nl, xs));
            Value iy = toIdx(math::RoundEvenOp::create(b, nl, ys));
            out = pixel(ix, iy);
          } else {
            Value fx = math::FloorOp::create(b, nl, xs);
            Value fy = math::FloorOp::create(b, nl, ys);
            Value tx = sub(xs, fx), ty = sub(ys, fy);
            Value ix = toIdx(fx), iy = toIdx(fy);
            SmallVector<std::pair<int64_t, Value>> wx, wy;
            if (mode == "bilinear") {
              wx = {{0, sub(c(1), tx)}, {1, tx}};
              wy = {{0, sub(c(1), ty)}, {1, ty}};
            } else {
              double a = -0.75;
              auto coeffs = [&](Value s) {
                auto outer = [&](Value v) {
                  return sub(mul(add(mul(sub(mul(c(a), v), c(5 * a)), v),
                                     c(8 * a)),
                                 v),
                             c(4 * a));
                };
                auto inner = [&](Value v) {
                  return add(mul(mul(sub(mul(c(a + 2), v), c(a + 3)), v), v),
                             c(1));
                };
                Value t1 = sub(c(1), s);
                return SmallVector<std::pair<int64_t, Value>>{
                    {-1, outer(add(s, c(1)))},
                    {0, inner(s)},
                    {1, inner(t1)},
                    {2, outer(add(t1, c(1)))}};
              };
              wx = coeffs(tx);
              wy = coeffs(ty);
            }
            for (auto &[dy, wyv] : wy)
              for (auto &[dx, wxv] : wx) {
                Value term = weighted(pixel(plus(ix, dx), plus(iy, dy)),
                                      mul(wxv, wyv));
                out = out ? Value(arith::AddFOp::create(b, nl, out, term))
                          : term;
              }
          }
          linalg::YieldOp::create(b, nl, out);
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxResizeToLinalgPatterns(RewritePatternSet &patterns) {
  for (StringRef name : {"onnx.Resize", "onnx.Upsample"})
    patterns.add(std::make_unique<ResizeToLinalg>(patterns.getContext(), name));
  patterns.add<GridSampleToLinalg>(patterns.getContext());
}
