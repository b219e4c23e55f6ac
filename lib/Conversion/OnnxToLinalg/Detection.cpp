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
    Value x = op->getOperand(0), rois = op->getOperand(1),
          batch = op->getOperand(2);
    auto xt = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rot = llvm::dyn_cast<RankedTensorType>(rois.getType());
    auto bt = llvm::dyn_cast<RankedTensorType>(batch.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!xt || !rot || !bt || !rt || xt.getRank() != 4 || rot.getRank() != 2 ||
        bt.getRank() != 1 || rt.getRank() != 4 ||
        !llvm::isa<FloatType>(xt.getElementType()) ||
        rot.getElementType() != xt.getElementType() ||
        !bt.getElementType().isSignlessInteger())
      return rw.notifyMatchFailure(
          op, "needs X (N, C, H, W), rois (R, 4), batch_indices (R)");
    std::string mode = strAttr(op, "mode", "avg");
    std::string ctm = strAttr(op, "coordinate_transformation_mode", "half_pixel");
    if ((mode != "avg" && mode != "max") ||
        (ctm != "half_pixel" && ctm != "output_half_pixel"))
      return rw.notifyMatchFailure(op, "unknown mode");
    bool isMax = mode == "max", halfPixel = ctm == "half_pixel";
    int64_t oh = intAttr(op, "output_height", 1);
    int64_t ow = intAttr(op, "output_width", 1);
    int64_t ratio = intAttr(op, "sampling_ratio", 0);
    double scale = floatAttr(op, "spatial_scale", 1.0f);
    if (oh < 1 || ow < 1 || ratio < 0)
      return rw.notifyMatchFailure(op, "bad output size or sampling ratio");
    Type elem = xt.getElementType();
    Value h = tensor::DimOp::create(rw, loc, x, 2);
    Value w = tensor::DimOp::create(rw, loc, x, 3);
    Value nBatch = tensor::DimOp::create(rw, loc, x, 0);
    SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, loc, rois, 0),
                                       tensor::getMixedSize(rw, loc, x, 1),
                                       rw.getIndexAttr(oh), rw.getIndexAttr(ow)};
    auto outType = RankedTensorType::get(
        {rot.getDimSize(0), xt.getDimSize(1), oh, ow}, elem);
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{outType}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, outType, sizes)},
        {rw.getMultiDimIdentityMap(4)}, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          auto c = [&](double v) { return scalarConst(b, l, elem, v); };
          auto ic = [&](int64_t v) { return indexConst(b, l, v); };
          auto toF = [&](Value i) -> Value {
            return arith::SIToFPOp::create(
                b, l, elem, arith::IndexCastOp::create(b, l, b.getI64Type(), i));
          };
          Value ri = linalg::IndexOp::create(b, l, 0);
          Value ch = linalg::IndexOp::create(b, l, 1);
          Value ph = linalg::IndexOp::create(b, l, 2);
          Value pw = linalg::IndexOp::create(b, l, 3);
          Value bi = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              tensor::ExtractOp::create(b, l, batch, ValueRange{ri}));
          // An out-of-range batch index reads image 0 (never out of bounds).
          Value bok = arith::AndIOp::create(
              b, l, arith::CmpIOp::create(b, l, IP::sge, bi, ic(0)),
              arith::CmpIOp::create(b, l, IP::slt, bi, nBatch));
          bi = arith::SelectOp::create(b, l, bok, bi, ic(0));
          auto roi = [&](int64_t k) -> Value {
            Value v = tensor::ExtractOp::create(b, l, rois, ValueRange{ri, ic(k)});
            v = arith::MulFOp::create(b, l, v, c(scale));
            return halfPixel ? Value(arith::SubFOp::create(b, l, v, c(0.5))) : v;
          };
          Value x0 = roi(0), y0 = roi(1), x1 = roi(2), y1 = roi(3);
          Value roiW = arith::SubFOp::create(b, l, x1, x0);
          Value roiH = arith::SubFOp::create(b, l, y1, y0);
          if (!halfPixel) {
            roiW = arith::MaximumFOp::create(b, l, roiW, c(1));
            roiH = arith::MaximumFOp::create(b, l, roiH, c(1));
          }
          Value binH = arith::DivFOp::create(b, l, roiH, c(oh));
          Value binW = arith::DivFOp::create(b, l, roiW, c(ow));
          auto grid = [&](Value bin) -> Value {
            if (ratio > 0)
              return ic(ratio);
            Value g = math::CeilOp::create(b, l, bin);
            g = arith::FPToSIOp::create(b, l, b.getI64Type(), g);
            g = arith::IndexCastOp::create(b, l, b.getIndexType(), g);
            return arith::MaxSIOp::create(b, l, g, ic(0));
          };
          Value gh = grid(binH), gw = grid(binW);
          Value count = arith::MaxSIOp::create(
              b, l, arith::MulIOp::create(b, l, gh, gw), ic(1));
          Value hF = toF(h), wF = toF(w);
          Value startY = arith::AddFOp::create(
              b, l, y0, arith::MulFOp::create(b, l, toF(ph), binH));
          Value startX = arith::AddFOp::create(
              b, l, x0, arith::MulFOp::create(b, l, toF(pw), binW));
          Value stepY = arith::DivFOp::create(b, l, binH, toF(gh));
          Value stepX = arith::DivFOp::create(b, l, binW, toF(gw));
          // The low and high pixel of a coordinate clamped to [0, n - 1]
          // and the weight of the high one.
          auto corners = [&](OpBuilder &cb, Location cl, Value v,
                             Value n) -> std::tuple<Value, Value, Value> {
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
                cb, cl, elem,
                arith::IndexCastOp::create(cb, cl, cb.getI64Type(), lo));
            Value frac = arith::SubFOp::create(cb, cl, v, loF);
            frac = arith::SelectOp::create(cb, cl, atEnd,
                                           scalarConst(cb, cl, elem, 0), frac);
            return {lo, hi, frac};
          };
          Value init = c(isMax ? -std::numeric_limits<double>::infinity() : 0);
          auto outer = scf::ForOp::create(
              b, l, ic(0), gh, ic(1), ValueRange{init},
              [&](OpBuilder &yb, Location yl, Value iy, ValueRange yIt) {
                Value yy = arith::AddFOp::create(
                    yb, yl, startY,
                    arith::MulFOp::create(
                        yb, yl,
                        arith::AddFOp::create(
                            yb, yl,
                            arith::SIToFPOp::create(
                                yb, yl, elem,
                                arith::IndexCastOp::create(yb, yl,
                                                           yb.getI64Type(), iy)),
                            scalarConst(yb, yl, elem, 0.5)),
                        stepY));
                auto inner = scf::ForOp::create(
                    yb, yl, indexConst(yb, yl, 0), gw, indexConst(yb, yl, 1),
                    ValueRange{yIt[0]},
                    [&](OpBuilder &xb, Location xl, Value ix, ValueRange xIt) {
                      auto fc = [&](double v) {
                        return scalarConst(xb, xl, elem, v);
                      };
                      Value xx = arith::AddFOp::create(
                          xb, xl, startX,
                          arith::MulFOp::create(
                              xb, xl,
                              arith::AddFOp::create(
                                  xb, xl,
                                  arith::SIToFPOp::create(
                                      xb, xl, elem,
                                      arith::IndexCastOp::create(
                                          xb, xl, xb.getI64Type(), ix)),
                                  fc(0.5)),
                              stepX));
                      Value outside = arith::OrIOp::create(
                          xb, xl,
                          arith::OrIOp::create(
                              xb, xl,
                              arith::CmpFOp::create(xb, xl, FP::OLT, yy, fc(-1)),
                              arith::CmpFOp::create(xb, xl, FP::OGT, yy, hF)),
                          arith::OrIOp::create(
                              xb, xl,
                              arith::CmpFOp::create(xb, xl, FP::OLT, xx, fc(-1)),
                              arith::CmpFOp::create(xb, xl, FP::OGT, xx, wF)));
                      auto [yLo, yHi, ly] = corners(xb, xl, yy, h);
                      auto [xLo, xHi, lx] = corners(xb, xl, xx, w);
                      Value hy = arith::SubFOp::create(xb, xl, fc(1), ly);
                      Value hx = arith::SubFOp::create(xb, xl, fc(1), lx);
                      auto px = [&](Value yi, Value xi, Value wy, Value wx) {
                        Value v = tensor::ExtractOp::create(
                            xb, xl, x, ValueRange{bi, ch, yi, xi});
                        Value wt = arith::MulFOp::create(xb, xl, wy, wx);
                        wt = arith::SelectOp::create(xb, xl, outside, fc(0), wt);
                        return Value(arith::MulFOp::create(xb, xl, wt, v));
                      };
                      Value v1 = px(yLo, xLo, hy, hx), v2 = px(yLo, xHi, hy, lx),
                            v3 = px(yHi, xLo, ly, hx), v4 = px(yHi, xHi, ly, lx);
                      Value acc;
                      if (isMax) {
                        Value m = arith::MaximumFOp::create(
                            xb, xl,
                            arith::MaximumFOp::create(xb, xl, v1, v2),
                            arith::MaximumFOp::create(xb, xl, v3, v4));
                        acc = arith::MaximumFOp::create(xb, xl, xIt[0], m);
                      } else {
                        acc = arith::AddFOp::create(
                            xb, xl, xIt[0],
                            arith::AddFOp::create(
                                xb, xl, arith::AddFOp::create(xb, xl, v1, v2),
                                arith::AddFOp::create(xb, xl, v3, v4)));
                      }
                      scf::YieldOp::create(xb, xl, acc);
                    });
                scf::YieldOp::create(yb, yl, inner.getResults());
              });
          Value v = outer.getResult(0);
          if (isMax) {
            // An empty grid gives 0.
            Value empty = arith::CmpIOp::create(
                b, l, IP::eq, arith::MulIOp::create(b, l, gh, gw), ic(0));
            v = arith::SelectOp::create(b, l, empty, c(0), v);
          } else {
            v = arith::DivFOp::create(b, l, v, toF(count));
          }
          linalg::YieldOp::create(b, l, v);
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, g.getResult(0), rt));
    return success();
  }
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
    Location loc = op.getLoc();
    Value boxes = op->getOperand(0), scores = op->getOperand(1);
    auto bt = llvm::dyn_cast<RankedTensorType>(boxes.getType());
    auto st = llvm::dyn_cast<RankedTensorType>(scores.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    auto optional = [&](unsigned i) -> Value {
      if (op->getNumOperands() <= i || isNone(op->getOperand(i)))
        return Value();
      return op->getOperand(i);
    };
    Value maxOutT = optional(2), iouT = optional(3), scoreT = optional(4);
    auto scalarLike = [](Value v) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      return t && t.getRank() <= 1 &&
             (t.getRank() == 0 || t.getDimSize(0) != 0);
    };
    if (!bt || !st || !rt || bt.getRank() != 3 || st.getRank() != 3 ||
        rt.getRank() != 2 || !llvm::isa<FloatType>(bt.getElementType()) ||
        st.getElementType() != bt.getElementType() ||
        !rt.getElementType().isSignlessInteger(64) ||
        (maxOutT && !scalarLike(maxOutT)) || (iouT && !scalarLike(iouT)) ||
        (scoreT && !scalarLike(scoreT)))
      return rw.notifyMatchFailure(
          op, "needs boxes (B, N, 4), scores (B, C, N) and scalar limits");
    Type elem = bt.getElementType();
    Type i64 = rw.getI64Type();
    bool center = intAttr(op, "center_point_box", 0) != 0;
    auto ic = [&](OpBuilder &b, Location l, int64_t v) {
      return indexConst(b, l, v);
    };
    // The first element of a rank-0 or 1-D tensor; `dflt` if it is empty.
    auto scalarOr = [&](Value t, Value dflt) -> Value {
      auto tt = llvm::cast<RankedTensorType>(t.getType());
      if (tt.getRank() == 0 || !tt.isDynamicDim(0))
        return tensor::ExtractOp::create(
            rw, loc, t, SmallVector<Value>(tt.getRank(), ic(rw, loc, 0)));
      Value some = arith::CmpIOp::create(
          rw, loc, IP::sgt, tensor::DimOp::create(rw, loc, t, 0),
          ic(rw, loc, 0));
      auto ifOp = scf::IfOp::create(
          rw, loc, some,
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(
                b, l,
                Value(tensor::ExtractOp::create(b, l, t,
                                                ValueRange{ic(b, l, 0)})));
          },
          [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, dflt); });
      return ifOp.getResult(0);
    };
    auto asElem = [&](Value v) -> Value {
      if (v.getType() == elem)
        return v;
      if (llvm::isa<FloatType>(v.getType()))
        return v.getType().getIntOrFloatBitWidth() > elem.getIntOrFloatBitWidth()
                   ? Value(arith::TruncFOp::create(rw, loc, elem, v))
                   : Value(arith::ExtFOp::create(rw, loc, elem, v));
      return arith::SIToFPOp::create(rw, loc, elem, v);
    };
    Value nB = tensor::DimOp::create(rw, loc, scores, 0);
    Value nC = tensor::DimOp::create(rw, loc, scores, 1);
    Value nN = tensor::DimOp::create(rw, loc, scores, 2);
    Value maxOut = ic(rw, loc, 0);
    if (maxOutT) {
      Type et = llvm::cast<RankedTensorType>(maxOutT.getType()).getElementType();
      if (!et.isSignlessInteger())
        return rw.notifyMatchFailure(op, "needs an integer box limit");
      maxOut = arith::IndexCastOp::create(
          rw, loc, rw.getIndexType(),
          scalarOr(maxOutT, scalarConst(rw, loc, et, 0)));
    }
    maxOut = arith::MaxSIOp::create(
        rw, loc, arith::MinSIOp::create(rw, loc, maxOut, nN), ic(rw, loc, 0));
    auto threshold = [&](Value t) -> Value {
      Type et = llvm::cast<RankedTensorType>(t.getType()).getElementType();
      return asElem(scalarOr(t, scalarConst(rw, loc, et, 0)));
    };
    Value iouThr = iouT ? threshold(iouT) : scalarConst(rw, loc, elem, 0);
    Value scoreThr = scoreT ? threshold(scoreT) : Value();
    Value cap = arith::MulIOp::create(
        rw, loc, arith::MulIOp::create(rw, loc, nB, nC), nN);
    auto bufType = RankedTensorType::get({ShapedType::kDynamic, 3}, i64);
    Value buf = tensor::EmptyOp::create(rw, loc, bufType, ValueRange{cap});
    auto liveType = RankedTensorType::get({ShapedType::kDynamic}, rw.getI1Type());
    Value zero = ic(rw, loc, 0), one = ic(rw, loc, 1);

    // The corners (y1, x1, y2, x2), ordered, of box i of batch b.
    auto corners = [&](OpBuilder &b, Location l, Value bi,
                       Value i) -> SmallVector<Value> {
      SmallVector<Value> v;
      for (int64_t k = 0; k < 4; ++k)
        v.push_back(tensor::ExtractOp::create(b, l, boxes,
                                              ValueRange{bi, i, ic(b, l, k)}));
      if (center) {
        Value half = scalarConst(b, l, elem, 0.5);
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
    };
    // Whether boxes p and q overlap with IoU > iouThr.
    auto suppresses = [&](OpBuilder &b, Location l, ArrayRef<Value> p,
                          ArrayRef<Value> q) -> Value {
      Value zeroF = scalarConst(b, l, elem, 0);
      Value ih = arith::SubFOp::create(
          b, l, arith::MinimumFOp::create(b, l, p[2], q[2]),
          arith::MaximumFOp::create(b, l, p[0], q[0]));
      Value iw = arith::SubFOp::create(
          b, l, arith::MinimumFOp::create(b, l, p[3], q[3]),
          arith::MaximumFOp::create(b, l, p[1], q[1]));
      Value inter = arith::MulFOp::create(
          b, l, arith::MaximumFOp::create(b, l, ih, zeroF),
          arith::MaximumFOp::create(b, l, iw, zeroF));
      auto area = [&](ArrayRef<Value> r) -> Value {
        return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, r[2], r[0]),
                                     arith::SubFOp::create(b, l, r[3], r[1]));
      };
      Value ap = area(p), aq = area(q);
      Value uni = arith::SubFOp::create(b, l, arith::AddFOp::create(b, l, ap, aq),
                                        inter);
      Value valid = arith::AndIOp::create(
          b, l,
          arith::AndIOp::create(b, l,
                                arith::CmpFOp::create(b, l, FP::OGT, ap, zeroF),
                                arith::CmpFOp::create(b, l, FP::OGT, aq, zeroF)),
          arith::AndIOp::create(
              b, l, arith::CmpFOp::create(b, l, FP::OGT, inter, zeroF),
              arith::CmpFOp::create(b, l, FP::OGT, uni, zeroF)));
      Value safeUni = arith::SelectOp::create(b, l, valid, uni,
                                              scalarConst(b, l, elem, 1));
      Value iou = arith::DivFOp::create(b, l, inter, safeUni);
      return arith::AndIOp::create(
          b, l, valid, arith::CmpFOp::create(b, l, FP::OGT, iou, iouThr));
    };

    auto batchLoop = scf::ForOp::create(
        rw, loc, zero, nB, one, ValueRange{buf, zero},
        [&](OpBuilder &b0, Location l0, Value bi, ValueRange it0) {
          auto classLoop = scf::ForOp::create(
              b0, l0, zero, nC, one, ValueRange{it0[0], it0[1]},
              [&](OpBuilder &b1, Location l1, Value ci, ValueRange it1) {
                auto score = [&](OpBuilder &b, Location l, Value i) -> Value {
                  return tensor::ExtractOp::create(b, l, scores,
                                                   ValueRange{bi, ci, i});
                };
                // Live boxes: those above the score threshold.
                Value live0 =
                    tensor::EmptyOp::create(b1, l1, liveType, ValueRange{nN});
                auto init = scf::ForOp::create(
                    b1, l1, zero, nN, one, ValueRange{live0},
                    [&](OpBuilder &b, Location l, Value i, ValueRange it) {
                      Value ok = scalarConst(b, l, b.getI1Type(), 1);
                      if (scoreThr)
                        ok = arith::CmpFOp::create(b, l, FP::OGT,
                                                   score(b, l, i), scoreThr);
                      scf::YieldOp::create(
                          b, l,
                          Value(tensor::InsertOp::create(b, l, ok, it[0],
                                                         ValueRange{i})));
                    });
                auto selectLoop = scf::ForOp::create(
                    b1, l1, zero, maxOut, one,
                    ValueRange{init.getResult(0), it1[0], it1[1]},
                    [&](OpBuilder &b2, Location l2, Value, ValueRange it2) {
                      Value live = it2[0];
                      // The best live box, or -1.
                      auto best = scf::ForOp::create(
                          b2, l2, zero, nN, one,
                          ValueRange{ic(b2, l2, -1), scalarConst(b2, l2, elem, 0)},
                          [&](OpBuilder &b, Location l, Value i, ValueRange it) {
                            Value alive = tensor::ExtractOp::create(
                                b, l, live, ValueRange{i});
                            Value sc = score(b, l, i);
                            Value none = arith::CmpIOp::create(
                                b, l, IP::slt, it[0], ic(b, l, 0));
                            Value higher = arith::CmpFOp::create(
                                b, l, FP::OGT, sc, it[1]);
                            Value take = arith::AndIOp::create(
                                b, l, alive,
                                arith::OrIOp::create(b, l, none, higher));
                            scf::YieldOp::create(
                                b, l,
                                ValueRange{
                                    arith::SelectOp::create(b, l, take, i, it[0]),
                                    arith::SelectOp::create(b, l, take, sc,
                                                            it[1])});
                          });
                      Value k = best.getResult(0);
                      Value found = arith::CmpIOp::create(b2, l2, IP::sge, k,
                                                          ic(b2, l2, 0));
                      auto ifOp = scf::IfOp::create(
                          b2, l2, found,
                          [&](OpBuilder &tb, Location tl) {
                            Value count = it2[2];
                            Value out = it2[1];
                            Value vals[3] = {bi, ci, k};
                            for (int64_t j = 0; j < 3; ++j)
                              out = tensor::InsertOp::create(
                                  tb, tl,
                                  arith::IndexCastOp::create(tb, tl, i64, vals[j]),
                                  out, ValueRange{count, ic(tb, tl, j)});
                            Value lv = tensor::InsertOp::create(
                                tb, tl, scalarConst(tb, tl, tb.getI1Type(), 0),
                                live, ValueRange{k});
                            SmallVector<Value> kb = corners(tb, tl, bi, k);
                            auto kill = scf::ForOp::create(
                                tb, tl, zero, nN, one, ValueRange{lv},
                                [&](OpBuilder &b, Location l, Value j,
                                    ValueRange it) {
                                  Value alive = tensor::ExtractOp::create(
                                      b, l, it[0], ValueRange{j});
                                  Value sup = suppresses(
                                      b, l, kb, corners(b, l, bi, j));
                                  Value keep = arith::AndIOp::create(
                                      b, l, alive,
                                      arith::XOrIOp::create(
                                          b, l, sup,
                                          scalarConst(b, l, b.getI1Type(), 1)));
                                  scf::YieldOp::create(
                                      b, l,
                                      Value(tensor::InsertOp::create(
                                          b, l, keep, it[0], ValueRange{j})));
                                });
                            scf::YieldOp::create(
                                tb, tl,
                                ValueRange{kill.getResult(0), out,
                                           arith::AddIOp::create(
                                               tb, tl, count, ic(tb, tl, 1))});
                          },
                          [&](OpBuilder &eb, Location el) {
                            scf::YieldOp::create(eb, el, it2);
                          });
                      scf::YieldOp::create(b2, l2, ifOp.getResults());
                    });
                scf::YieldOp::create(
                    b1, l1,
                    ValueRange{selectLoop.getResult(1), selectLoop.getResult(2)});
              });
          scf::YieldOp::create(b0, l0, classLoop.getResults());
        });
    Value count = batchLoop.getResult(1);
    SmallVector<OpFoldResult> offs = {rw.getIndexAttr(0), rw.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {count, rw.getIndexAttr(3)};
    SmallVector<OpFoldResult> strides = {rw.getIndexAttr(1), rw.getIndexAttr(1)};
    Value y = tensor::ExtractSliceOp::create(rw, loc, bufType,
                                             batchLoop.getResult(0), offs, sizes,
                                             strides);
    rw.replaceOp(op, castIfNeeded(rw, loc, y, rt));
    return success();
  }
};

} // namespace

void seqc::populateOnnxDetectionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RoiAlignToLinalg, NmsToLinalg>(patterns.getContext());
}
