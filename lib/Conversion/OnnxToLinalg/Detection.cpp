//===- Detection.cpp - ONNX object-detection ops to linalg ------*- C++ -*-===//
//
// RoiAlign (a linalg.generic over the pooled output whose body samples each
// bin on a grid with bilinear interpolation, in scf loops) and
// NonMaxSuppression (greedy selection per batch and class in scf loops,
// its output sized by the number of boxes selected at run time).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

using FP = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

/// What RoiAlign's match read: operands, types and attributes.
struct RoiAlignPlan {
  Value x, rois, batch;
  RankedTensorType xt, rot, rt;
  Type elem;
  bool isMax = false, halfPixel = true;
  int64_t oh = 1, ow = 1, ratio = 0;
  double scale = 1;
};

/// Checks RoiAlign's types and attributes.
LogicalResult matchRoiAlign(onnxir::RoiAlignOp op, PatternRewriter &rw,
                            RoiAlignPlan &p) {
  p.x = op->getOperand(0);
  p.rois = op->getOperand(1);
  p.batch = op->getOperand(2);
  p.xt = llvm::dyn_cast<RankedTensorType>(p.x.getType());
  p.rot = llvm::dyn_cast<RankedTensorType>(p.rois.getType());
  auto bt = llvm::dyn_cast<RankedTensorType>(p.batch.getType());
  p.rt = llvm::dyn_cast<RankedTensorType>(op.getType());
  if (!p.xt || !p.rot || !bt || !p.rt || p.xt.getRank() != 4 ||
      p.rot.getRank() != 2 || bt.getRank() != 1 || p.rt.getRank() != 4 ||
      !llvm::isa<FloatType>(p.xt.getElementType()) ||
      p.rot.getElementType() != p.xt.getElementType() ||
      !bt.getElementType().isSignlessInteger())
    return rw.notifyMatchFailure(
        op, "needs X (N, C, H, W), rois (R, 4), batch_indices (R)");
  StringRef mode = op.getMode();
  StringRef ctm = op.getCoordinateTransformationMode();
  if ((mode != "avg" && mode != "max") ||
      (ctm != "half_pixel" && ctm != "output_half_pixel"))
    return rw.notifyMatchFailure(op, "unknown mode");
  p.isMax = mode == "max";
  p.halfPixel = ctm == "half_pixel";
  p.oh = op.getOutputHeight();
  p.ow = op.getOutputWidth();
  p.ratio = op.getSamplingRatio();
  p.scale = op.getSpatialScale().convertToFloat();
  if (p.oh < 1 || p.ow < 1 || p.ratio < 0)
    return rw.notifyMatchFailure(op, "bad output size or sampling ratio");
  p.elem = p.xt.getElementType();
  return success();
}

/// The body of the RoiAlign generic at output (roi, channel, ph, pw): the
/// bin's sampling grid in two scf.for loops, each sample bilinear.
class RoiAlignBody {
public:
  RoiAlignBody(OpBuilder &b, Location l, const RoiAlignPlan &p, Value h,
               Value w, Value nBatch)
      : b(b), l(l), p(p), h(h), w(w), nBatch(nBatch) {}

  Value build() {
    Type elem = p.elem;
    auto c = [&](double v) { return scalarConst(b, l, elem, v); };
    auto ic = [&](int64_t v) { return indexConst(b, l, v); };
    Value ri = linalg::IndexOp::create(b, l, 0);
    ch = linalg::IndexOp::create(b, l, 1);
    Value ph = linalg::IndexOp::create(b, l, 2);
    Value pw = linalg::IndexOp::create(b, l, 3);
    bi = arith::IndexCastOp::create(
        b, l, b.getIndexType(),
        tensor::ExtractOp::create(b, l, p.batch, ValueRange{ri}));
    // An out-of-range batch index reads image 0 (never out of bounds).
    Value bok = arith::AndIOp::create(
        b, l, arith::CmpIOp::create(b, l, IP::sge, bi, ic(0)),
        arith::CmpIOp::create(b, l, IP::slt, bi, nBatch));
    bi = arith::SelectOp::create(b, l, bok, bi, ic(0));
    auto roi = [&](int64_t k) -> Value {
      Value v = tensor::ExtractOp::create(b, l, p.rois, ValueRange{ri, ic(k)});
      v = arith::MulFOp::create(b, l, v, c(p.scale));
      return p.halfPixel ? Value(arith::SubFOp::create(b, l, v, c(0.5))) : v;
    };
    Value x0 = roi(0), y0 = roi(1), x1 = roi(2), y1 = roi(3);
    Value roiW = arith::SubFOp::create(b, l, x1, x0);
    Value roiH = arith::SubFOp::create(b, l, y1, y0);
    if (!p.halfPixel) {
      roiW = arith::MaximumFOp::create(b, l, roiW, c(1));
      roiH = arith::MaximumFOp::create(b, l, roiH, c(1));
    }
    Value binH = arith::DivFOp::create(b, l, roiH, c(p.oh));
    Value binW = arith::DivFOp::create(b, l, roiW, c(p.ow));
    Value gh = grid(binH), gw = grid(binW);
    Value count = arith::MaxSIOp::create(
        b, l, arith::MulIOp::create(b, l, gh, gw), ic(1));
    hF = toF(h);
    wF = toF(w);
    startY = arith::AddFOp::create(b, l, y0,
                                   arith::MulFOp::create(b, l, toF(ph), binH));
    startX = arith::AddFOp::create(b, l, x0,
                                   arith::MulFOp::create(b, l, toF(pw), binW));
    stepY = arith::DivFOp::create(b, l, binH, toF(gh));
    stepX = arith::DivFOp::create(b, l, binW, toF(gw));
    Value v = sampleGrid(gh, gw);
    if (p.isMax) {
      // An empty grid gives 0.
      Value empty = arith::CmpIOp::create(
          b, l, IP::eq, arith::MulIOp::create(b, l, gh, gw), ic(0));
      return arith::SelectOp::create(b, l, empty, c(0), v);
    }
    return arith::DivFOp::create(b, l, v, toF(count));
  }

private:
  /// An index as a float of the element type.
  Value toF(Value i) {
    return arith::SIToFPOp::create(
        b, l, p.elem, arith::IndexCastOp::create(b, l, b.getI64Type(), i));
  }

  /// The samples per axis of a bin: sampling_ratio, or ceil(bin size).
  Value grid(Value bin) {
    if (p.ratio > 0)
      return indexConst(b, l, p.ratio);
    Value g = math::CeilOp::create(b, l, bin);
    g = arith::FPToSIOp::create(b, l, b.getI64Type(), g);
    g = arith::IndexCastOp::create(b, l, b.getIndexType(), g);
    return arith::MaxSIOp::create(b, l, g, indexConst(b, l, 0));
  }

  /// The low and high pixel of a coordinate clamped to [0, n - 1] and the
  /// weight of the high one.
  std::tuple<Value, Value, Value> corners(OpBuilder &cb, Location cl, Value v,
                                          Value n) {
    Type elem = p.elem;
    v = arith::MaximumFOp::create(cb, cl, v, scalarConst(cb, cl, elem, 0));
    Value lo = arith::IndexCastOp::create(
        cb, cl, cb.getIndexType(),
        arith::FPToSIOp::create(cb, cl, cb.getI64Type(), v));
    Value last = arith::SubIOp::create(cb, cl, n, indexConst(cb, cl, 1));
    Value atEnd = arith::CmpIOp::create(cb, cl, IP::sge, lo, last);
    lo = arith::SelectOp::create(cb, cl, atEnd, last, lo);
    Value hi = arith::SelectOp::create(
        cb, cl, atEnd, last,
        arith::AddIOp::create(cb, cl, lo, indexConst(cb, cl, 1)));
    Value loF = arith::SIToFPOp::create(
        cb, cl, elem, arith::IndexCastOp::create(cb, cl, cb.getI64Type(), lo));
    Value frac = arith::SubFOp::create(cb, cl, v, loF);
    frac = arith::SelectOp::create(cb, cl, atEnd, scalarConst(cb, cl, elem, 0),
                                   frac);
    return {lo, hi, frac};
  }

  /// start + (i + 0.5) * step: the coordinate of sample i.
  Value sampleCoord(OpBuilder &sb, Location sl, Value start, Value i,
                    Value step) {
    return arith::AddFOp::create(
        sb, sl, start,
        arith::MulFOp::create(
            sb, sl,
            arith::AddFOp::create(
                sb, sl,
                arith::SIToFPOp::create(
                    sb, sl, p.elem,
                    arith::IndexCastOp::create(sb, sl, sb.getI64Type(), i)),
                scalarConst(sb, sl, p.elem, 0.5)),
            step));
  }

  /// The sum (or maximum) over the gh x gw samples of the bin.
  Value sampleGrid(Value gh, Value gw) {
    Value init = scalarConst(
        b, l, p.elem, p.isMax ? -std::numeric_limits<double>::infinity() : 0);
    auto outer = scf::ForOp::create(
        b, l, indexConst(b, l, 0), gh, indexConst(b, l, 1), ValueRange{init},
        [&](OpBuilder &yb, Location yl, Value iy, ValueRange yIt) {
          Value yy = sampleCoord(yb, yl, startY, iy, stepY);
          auto inner = scf::ForOp::create(
              yb, yl, indexConst(yb, yl, 0), gw, indexConst(yb, yl, 1),
              ValueRange{yIt[0]},
              [&](OpBuilder &xb, Location xl, Value ix, ValueRange xIt) {
                Value xx = sampleCoord(xb, xl, startX, ix, stepX);
                scf::YieldOp::create(xb, xl, sample(xb, xl, yy, xx, xIt[0]));
              });
          scf::YieldOp::create(yb, yl, inner.getResults());
        });
    return outer.getResult(0);
  }

  /// acc combined with the bilinear sample at (yy, xx): its four weighted
  /// corners summed, or (mode max) the largest of them. Samples more than
  /// one pixel outside the image weigh 0.
  Value sample(OpBuilder &xb, Location xl, Value yy, Value xx, Value acc) {
    auto fc = [&](double v) { return scalarConst(xb, xl, p.elem, v); };
    Value outside = arith::OrIOp::create(
        xb, xl,
        arith::OrIOp::create(xb, xl,
                             arith::CmpFOp::create(xb, xl, FP::OLT, yy, fc(-1)),
                             arith::CmpFOp::create(xb, xl, FP::OGT, yy, hF)),
        arith::OrIOp::create(xb, xl,
                             arith::CmpFOp::create(xb, xl, FP::OLT, xx, fc(-1)),
                             arith::CmpFOp::create(xb, xl, FP::OGT, xx, wF)));
    auto [yLo, yHi, ly] = corners(xb, xl, yy, h);
    auto [xLo, xHi, lx] = corners(xb, xl, xx, w);
    Value hy = arith::SubFOp::create(xb, xl, fc(1), ly);
    Value hx = arith::SubFOp::create(xb, xl, fc(1), lx);
    auto px = [&](Value yi, Value xi, Value wy, Value wx) {
      Value v =
          tensor::ExtractOp::create(xb, xl, p.x, ValueRange{bi, ch, yi, xi});
      Value wt = arith::MulFOp::create(xb, xl, wy, wx);
      wt = arith::SelectOp::create(xb, xl, outside, fc(0), wt);
      return Value(arith::MulFOp::create(xb, xl, wt, v));
    };
    Value v1 = px(yLo, xLo, hy, hx), v2 = px(yLo, xHi, hy, lx),
          v3 = px(yHi, xLo, ly, hx), v4 = px(yHi, xHi, ly, lx);
    if (p.isMax) {
      Value m = arith::MaximumFOp::create(
          xb, xl, arith::MaximumFOp::create(xb, xl, v1, v2),
          arith::MaximumFOp::create(xb, xl, v3, v4));
      return arith::MaximumFOp::create(xb, xl, acc, m);
    }
    return arith::AddFOp::create(
        xb, xl, acc,
        arith::AddFOp::create(xb, xl, arith::AddFOp::create(xb, xl, v1, v2),
                              arith::AddFOp::create(xb, xl, v3, v4)));
  }

  OpBuilder &b;
  Location l;
  const RoiAlignPlan &p;
  Value h, w, nBatch;
  // Set by build() for the sampling loops.
  Value bi, ch, hF, wF, startY, startX, stepY, stepX;
};

/// RoiAlign on X (N, C, H, W), rois (R, 4) as (x1, y1, x2, y2) and
/// batch_indices (R) into (R, C, output_height, output_width). Each bin
/// averages (or, for mode max, takes the largest weighted corner of) a
/// grid of sampling_ratio^2 bilinear samples (adaptive: ceil(roi size /
/// bins) per axis). half_pixel shifts the roi by -0.5; output_half_pixel
/// (the legacy form) does not, and makes rois at least 1 pixel. Samples
/// more than one pixel outside the image count as 0; others are clamped.
struct RoiAlignToLinalg : OpRewritePattern<onnxir::RoiAlignOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::RoiAlignOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    RoiAlignPlan p;
    if (failed(matchRoiAlign(op, rw, p)))
      return failure();
    Value x = p.x;
    Value h = tensor::DimOp::create(rw, loc, x, 2);
    Value w = tensor::DimOp::create(rw, loc, x, 3);
    Value nBatch = tensor::DimOp::create(rw, loc, x, 0);
    SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, loc, p.rois, 0),
                                       tensor::getMixedSize(rw, loc, x, 1),
                                       rw.getIndexAttr(p.oh),
                                       rw.getIndexAttr(p.ow)};
    auto outType = RankedTensorType::get(
        {p.rot.getDimSize(0), p.xt.getDimSize(1), p.oh, p.ow}, p.elem);
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{outType}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, outType, sizes)},
        {rw.getMultiDimIdentityMap(4)}, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          RoiAlignBody body(b, l, p, h, w, nBatch);
          linalg::YieldOp::create(b, l, body.build());
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, g.getResult(0), p.rt));
    return success();
  }
};

/// What NonMaxSuppression's match read: the operands (the optional ones
/// null when absent), types and center_point_box.
struct NmsPlan {
  Value boxes, scores, maxOutT, iouT, scoreT;
  RankedTensorType rt;
  Type elem;
  bool center = false;
};

/// Whether `v` is a rank-0 or non-empty 1-D ranked tensor.
bool scalarLike(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() <= 1 && (t.getRank() == 0 || t.getDimSize(0) != 0);
}

/// Checks NonMaxSuppression's types.
LogicalResult matchNms(onnxir::NonMaxSuppressionOp op, PatternRewriter &rw,
                       NmsPlan &p) {
  p.boxes = op->getOperand(0);
  p.scores = op->getOperand(1);
  auto bt = llvm::dyn_cast<RankedTensorType>(p.boxes.getType());
  auto st = llvm::dyn_cast<RankedTensorType>(p.scores.getType());
  p.rt = llvm::dyn_cast<RankedTensorType>(op.getType());
  auto optional = [&](unsigned i) -> Value {
    if (op->getNumOperands() <= i || isNone(op->getOperand(i)))
      return Value();
    return op->getOperand(i);
  };
  p.maxOutT = optional(2);
  p.iouT = optional(3);
  p.scoreT = optional(4);
  if (!bt || !st || !p.rt || bt.getRank() != 3 || st.getRank() != 3 ||
      p.rt.getRank() != 2 || !llvm::isa<FloatType>(bt.getElementType()) ||
      st.getElementType() != bt.getElementType() ||
      !p.rt.getElementType().isSignlessInteger(64) ||
      (p.maxOutT && !scalarLike(p.maxOutT)) ||
      (p.iouT && !scalarLike(p.iouT)) || (p.scoreT && !scalarLike(p.scoreT)))
    return rw.notifyMatchFailure(
        op, "needs boxes (B, N, 4), scores (B, C, N) and scalar limits");
  if (p.maxOutT && !llvm::cast<RankedTensorType>(p.maxOutT.getType())
                        .getElementType()
                        .isSignlessInteger())
    return rw.notifyMatchFailure(op, "needs an integer box limit");
  p.elem = bt.getElementType();
  p.center = op.getCenterPointBox() != 0;
  return success();
}

/// Builds the selection loops of NonMaxSuppression: per batch and class, a
/// live mask and up to max_output_boxes_per_class rounds of selecting the
/// best live box and killing the boxes it suppresses.
class NmsBuilder {
public:
  NmsBuilder(PatternRewriter &rw, Location loc, const NmsPlan &p)
      : rw(rw), loc(loc), p(p) {}

  /// The (count, 3) selected indices.
  Value build() {
    Type elem = p.elem;
    Value nB = tensor::DimOp::create(rw, loc, p.scores, 0);
    Value nC = tensor::DimOp::create(rw, loc, p.scores, 1);
    nN = tensor::DimOp::create(rw, loc, p.scores, 2);
    maxOut = ic(rw, loc, 0);
    if (p.maxOutT) {
      Type et =
          llvm::cast<RankedTensorType>(p.maxOutT.getType()).getElementType();
      maxOut = arith::IndexCastOp::create(
          rw, loc, rw.getIndexType(),
          scalarOr(p.maxOutT, scalarConst(rw, loc, et, 0)));
    }
    maxOut = arith::MaxSIOp::create(
        rw, loc, arith::MinSIOp::create(rw, loc, maxOut, nN), ic(rw, loc, 0));
    iouThr = p.iouT ? threshold(p.iouT) : scalarConst(rw, loc, elem, 0);
    scoreThr = p.scoreT ? threshold(p.scoreT) : Value();
    Value cap = arith::MulIOp::create(
        rw, loc, arith::MulIOp::create(rw, loc, nB, nC), nN);
    auto bufType =
        RankedTensorType::get({ShapedType::kDynamic, 3}, rw.getI64Type());
    Value buf = tensor::EmptyOp::create(rw, loc, bufType, ValueRange{cap});
    liveType = RankedTensorType::get({ShapedType::kDynamic}, rw.getI1Type());
    zero = ic(rw, loc, 0);
    one = ic(rw, loc, 1);
    auto batchLoop = scf::ForOp::create(
        rw, loc, zero, nB, one, ValueRange{buf, zero},
        [&](OpBuilder &b0, Location l0, Value bi, ValueRange it0) {
          auto classLoop = scf::ForOp::create(
              b0, l0, zero, nC, one, ValueRange{it0[0], it0[1]},
              [&](OpBuilder &b1, Location l1, Value ci, ValueRange it1) {
                scf::YieldOp::create(b1, l1, selectClass(b1, l1, bi, ci, it1));
              });
          scf::YieldOp::create(b0, l0, classLoop.getResults());
        });
    Value count = batchLoop.getResult(1);
    SmallVector<OpFoldResult> offs = {rw.getIndexAttr(0), rw.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {count, rw.getIndexAttr(3)};
    SmallVector<OpFoldResult> strides = {rw.getIndexAttr(1),
                                         rw.getIndexAttr(1)};
    return tensor::ExtractSliceOp::create(
        rw, loc, bufType, batchLoop.getResult(0), offs, sizes, strides);
  }

private:
  static Value ic(OpBuilder &b, Location l, int64_t v) {
    return indexConst(b, l, v);
  }

  /// The first element of a rank-0 or 1-D tensor; `dflt` if it is empty.
  Value scalarOr(Value t, Value dflt) {
    auto tt = llvm::cast<RankedTensorType>(t.getType());
    if (tt.getRank() == 0 || !tt.isDynamicDim(0))
      return tensor::ExtractOp::create(
          rw, loc, t, SmallVector<Value>(tt.getRank(), ic(rw, loc, 0)));
    Value some = arith::CmpIOp::create(
        rw, loc, IP::sgt, tensor::DimOp::create(rw, loc, t, 0), ic(rw, loc, 0));
    auto ifOp = scf::IfOp::create(
        rw, loc, some,
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(b, l,
                               Value(tensor::ExtractOp::create(
                                   b, l, t, ValueRange{ic(b, l, 0)})));
        },
        [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, dflt); });
    return ifOp.getResult(0);
  }

  /// `v` converted to the boxes' element type.
  Value asElem(Value v) {
    Type elem = p.elem;
    if (v.getType() == elem)
      return v;
    if (llvm::isa<FloatType>(v.getType()))
      return v.getType().getIntOrFloatBitWidth() > elem.getIntOrFloatBitWidth()
                 ? Value(arith::TruncFOp::create(rw, loc, elem, v))
                 : Value(arith::ExtFOp::create(rw, loc, elem, v));
    return arith::SIToFPOp::create(rw, loc, elem, v);
  }

  /// A threshold operand's value (0 when empty) in the element type.
  Value threshold(Value t) {
    Type et = llvm::cast<RankedTensorType>(t.getType()).getElementType();
    return asElem(scalarOr(t, scalarConst(rw, loc, et, 0)));
  }

  /// The corners (y1, x1, y2, x2), ordered, of box i of batch bi.
  SmallVector<Value> corners(OpBuilder &b, Location l, Value bi, Value i) {
    SmallVector<Value> v;
    for (int64_t k = 0; k < 4; ++k)
      v.push_back(tensor::ExtractOp::create(b, l, p.boxes,
                                            ValueRange{bi, i, ic(b, l, k)}));
    if (p.center) {
      Value half = scalarConst(b, l, p.elem, 0.5);
      Value hw = arith::MulFOp::create(b, l, v[2], half);
      Value hh = arith::MulFOp::create(b, l, v[3], half);
      return {arith::SubFOp::create(b, l, v[1], hh),
              arith::SubFOp::create(b, l, v[0], hw),
              arith::AddFOp::create(b, l, v[1], hh),
              arith::AddFOp::create(b, l, v[0], hw)};
    }
    return {arith::MinimumFOp::create(b, l, v[0], v[2]),
            arith::MinimumFOp::create(b, l, v[1], v[3]),
            arith::MaximumFOp::create(b, l, v[0], v[2]),
            arith::MaximumFOp::create(b, l, v[1], v[3])};
  }

  /// Whether boxes q and r overlap with IoU > iouThr.
  Value suppresses(OpBuilder &b, Location l, ArrayRef<Value> q,
                   ArrayRef<Value> r) {
    Type elem = p.elem;
    Value zeroF = scalarConst(b, l, elem, 0);
    Value ih =
        arith::SubFOp::create(b, l, arith::MinimumFOp::create(b, l, q[2], r[2]),
                              arith::MaximumFOp::create(b, l, q[0], r[0]));
    Value iw =
        arith::SubFOp::create(b, l, arith::MinimumFOp::create(b, l, q[3], r[3]),
                              arith::MaximumFOp::create(b, l, q[1], r[1]));
    Value inter =
        arith::MulFOp::create(b, l, arith::MaximumFOp::create(b, l, ih, zeroF),
                              arith::MaximumFOp::create(b, l, iw, zeroF));
    auto area = [&](ArrayRef<Value> x) -> Value {
      return arith::MulFOp::create(b, l,
                                   arith::SubFOp::create(b, l, x[2], x[0]),
                                   arith::SubFOp::create(b, l, x[3], x[1]));
    };
    Value aq = area(q), ar = area(r);
    Value uni =
        arith::SubFOp::create(b, l, arith::AddFOp::create(b, l, aq, ar), inter);
    Value valid = arith::AndIOp::create(
        b, l,
        arith::AndIOp::create(b, l,
                              arith::CmpFOp::create(b, l, FP::OGT, aq, zeroF),
                              arith::CmpFOp::create(b, l, FP::OGT, ar, zeroF)),
        arith::AndIOp::create(
            b, l, arith::CmpFOp::create(b, l, FP::OGT, inter, zeroF),
            arith::CmpFOp::create(b, l, FP::OGT, uni, zeroF)));
    Value safeUni =
        arith::SelectOp::create(b, l, valid, uni, scalarConst(b, l, elem, 1));
    Value iou = arith::DivFOp::create(b, l, inter, safeUni);
    return arith::AndIOp::create(
        b, l, valid, arith::CmpFOp::create(b, l, FP::OGT, iou, iouThr));
  }

  /// The score of box i of class ci in batch bi.
  Value score(OpBuilder &b, Location l, Value bi, Value ci, Value i) {
    return tensor::ExtractOp::create(b, l, p.scores, ValueRange{bi, ci, i});
  }

  /// One class's selection: the live mask, then the selection rounds.
  /// `it` = (buffer, count); returns the new ones.
  SmallVector<Value> selectClass(OpBuilder &b1, Location l1, Value bi, Value ci,
                                 ValueRange it1) {
    // Live boxes: those above the score threshold.
    Value live0 = tensor::EmptyOp::create(b1, l1, liveType, ValueRange{nN});
    auto init = scf::ForOp::create(
        b1, l1, zero, nN, one, ValueRange{live0},
        [&](OpBuilder &b, Location l, Value i, ValueRange it) {
          Value ok = scalarConst(b, l, b.getI1Type(), 1);
          if (scoreThr)
            ok = arith::CmpFOp::create(b, l, FP::OGT, score(b, l, bi, ci, i),
                                       scoreThr);
          scf::YieldOp::create(
              b, l,
              Value(tensor::InsertOp::create(b, l, ok, it[0], ValueRange{i})));
        });
    auto selectLoop = scf::ForOp::create(
        b1, l1, zero, maxOut, one,
        ValueRange{init.getResult(0), it1[0], it1[1]},
        [&](OpBuilder &b2, Location l2, Value, ValueRange it2) {
          scf::YieldOp::create(b2, l2, selectRound(b2, l2, bi, ci, it2));
        });
    return {selectLoop.getResult(1), selectLoop.getResult(2)};
  }

  /// The best live box of the class (the highest score, ties the lower
  /// index), or -1.
  Value bestBox(OpBuilder &b2, Location l2, Value bi, Value ci, Value live) {
    auto best = scf::ForOp::create(
        b2, l2, zero, nN, one,
        ValueRange{ic(b2, l2, -1), scalarConst(b2, l2, p.elem, 0)},
        [&](OpBuilder &b, Location l, Value i, ValueRange it) {
          Value alive = tensor::ExtractOp::create(b, l, live, ValueRange{i});
          Value sc = score(b, l, bi, ci, i);
          Value none = arith::CmpIOp::create(b, l, IP::slt, it[0], ic(b, l, 0));
          Value higher = arith::CmpFOp::create(b, l, FP::OGT, sc, it[1]);
          Value take = arith::AndIOp::create(
              b, l, alive, arith::OrIOp::create(b, l, none, higher));
          scf::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, i, it[0]),
                         arith::SelectOp::create(b, l, take, sc, it[1])});
        });
    return best.getResult(0);
  }

  /// One selection round; `it2` = (live, buffer, count).
  ValueRange selectRound(OpBuilder &b2, Location l2, Value bi, Value ci,
                         ValueRange it2) {
    Value live = it2[0];
    Value k = bestBox(b2, l2, bi, ci, live);
    Value found = arith::CmpIOp::create(b2, l2, IP::sge, k, ic(b2, l2, 0));
    auto ifOp = scf::IfOp::create(
        b2, l2, found,
        [&](OpBuilder &tb, Location tl) {
          scf::YieldOp::create(tb, tl, selectBox(tb, tl, bi, ci, k, it2));
        },
        [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, it2); });
    return ifOp.getResults();
  }

  /// Box k selected: its (batch, class, box) row written at `count`, k
  /// dead, and every live box it suppresses dead.
  SmallVector<Value> selectBox(OpBuilder &tb, Location tl, Value bi, Value ci,
                               Value k, ValueRange it2) {
    Value live = it2[0];
    Value count = it2[2];
    Value out = it2[1];
    Value vals[3] = {bi, ci, k};
    for (int64_t j = 0; j < 3; ++j)
      out = tensor::InsertOp::create(
          tb, tl, arith::IndexCastOp::create(tb, tl, tb.getI64Type(), vals[j]),
          out, ValueRange{count, ic(tb, tl, j)});
    Value lv = tensor::InsertOp::create(
        tb, tl, scalarConst(tb, tl, tb.getI1Type(), 0), live, ValueRange{k});
    SmallVector<Value> kb = corners(tb, tl, bi, k);
    auto kill = scf::ForOp::create(
        tb, tl, zero, nN, one, ValueRange{lv},
        [&](OpBuilder &b, Location l, Value j, ValueRange it) {
          Value alive = tensor::ExtractOp::create(b, l, it[0], ValueRange{j});
          Value sup = suppresses(b, l, kb, corners(b, l, bi, j));
          Value keep = arith::AndIOp::create(
              b, l, alive,
              arith::XOrIOp::create(b, l, sup,
                                    scalarConst(b, l, b.getI1Type(), 1)));
          scf::YieldOp::create(b, l,
                               Value(tensor::InsertOp::create(b, l, keep, it[0],
                                                              ValueRange{j})));
        });
    return {kill.getResult(0), out,
            arith::AddIOp::create(tb, tl, count, ic(tb, tl, 1))};
  }

  PatternRewriter &rw;
  Location loc;
  const NmsPlan &p;
  Value nN, maxOut, iouThr, scoreThr, zero, one;
  RankedTensorType liveType;
};

/// NonMaxSuppression on boxes (B, N, 4) and scores (B, C, N). Per batch and
/// class, greedily: the live box with the highest score (ties: the lower
/// index) is selected and every live box overlapping it with IoU >
/// iou_threshold dies; boxes start live when their score exceeds
/// score_threshold (if given); at most max_output_boxes_per_class (default
/// 0) are selected. IoU is 0 for boxes without area. The selected (batch,
/// class, box) triples are written in that order into a (B * C * N, 3)
/// buffer, and the result is its first `count` rows.
struct NmsToLinalg : OpRewritePattern<onnxir::NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::NonMaxSuppressionOp op,
                                PatternRewriter &rw) const override {
    NmsPlan p;
    if (failed(matchNms(op, rw, p)))
      return failure();
    Value y = NmsBuilder(rw, op.getLoc(), p).build();
    rw.replaceOp(op, castIfNeeded(rw, op.getLoc(), y, p.rt));
    return success();
  }
};

} // namespace

void seqc::populateOnnxDetectionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RoiAlignToLinalg, NmsToLinalg>(patterns.getContext());
}
