//===- RaiseOnnx.cpp - seq-raise-onnx ---------------------------*- C++ -*-===//
//
// Implements `seq-raise-onnx`: ONNX subgraphs that compute a token mixer
// become the seq op, so that algorithm selection and the fast lowerings see
// them. Today: depthwise 1-D convolutions -> seq.long_conv.
//
//===----------------------------------------------------------------------===//

#include "ConstantData.h"
#include "Reference/Utils.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace seqc {
#define GEN_PASS_DEF_SEQRAISEONNXPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

/// Whether an optional integer-array attribute is absent or all `value`.
static bool allEqual(std::optional<ArrayAttr> attr, int64_t value) {
  if (!attr)
    return true;
  return llvm::all_of(*attr, [&](Attribute a) {
    auto i = llvm::dyn_cast<IntegerAttr>(a);
    return i && i.getInt() == value;
  });
}

namespace {

/// onnx.Conv(X: B x C x L, W: C x 1 x K, B?) with group = C -> seq.long_conv.
/// ONNX Conv correlates: y[t] = sum_j W[j] x[t + j - pl]; with k[i] =
/// W[K-1-i] this is y[t] = sum_i k[i] x[t - i + (K-1-pl)], seq's
/// convolution with shift K-1-pl: 0 (causal) or (K-1)/2 (centered).
struct DepthwiseConvToLongConv : OpRewritePattern<onnxir::ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvOp op,
                                PatternRewriter &rw) const override {
    auto xt = llvm::dyn_cast<RankedTensorType>(op.getX().getType());
    auto wt = llvm::dyn_cast<RankedTensorType>(op.getW().getType());
    auto yt = llvm::dyn_cast<RankedTensorType>(op.getY().getType());
    if (!xt || !wt || !yt || xt.getRank() != 3 || wt.getRank() != 3 ||
        !xt.getElementType().isF32() || !wt.hasStaticShape())
      return rw.notifyMatchFailure(op, "not a 1-D f32 conv");
    int64_t c = wt.getDimSize(0), k = wt.getDimSize(2);
    if (wt.getDimSize(1) != 1 || xt.getDimSize(1) != c ||
        op.getGroup().value_or(1) != c)
      return rw.notifyMatchFailure(op, "not depthwise");
    if (!allEqual(op.getStrides(), 1) || !allEqual(op.getDilations(), 1) ||
        op.getAutoPad().value_or("NOTSET") != "NOTSET")
      return rw.notifyMatchFailure(op, "strided, dilated or auto-padded");
    SmallVector<int64_t> pads;
    if (auto p = op.getPads())
      for (Attribute a : *p)
        pads.push_back(llvm::cast<IntegerAttr>(a).getInt());
    if (pads.size() != 2 || pads[0] + pads[1] != k - 1)
      return rw.notifyMatchFailure(op, "output length differs from input");
    seq::ConvMode mode;
    if (pads[0] == k - 1)
      mode = seq::ConvMode::causal;
    else if (pads[0] == k - 1 - (k - 1) / 2)
      mode = seq::ConvMode::centered;
    else
      return rw.notifyMatchFailure(op, "pads neither causal nor centred");

    Location loc = op.getLoc();
    auto kt = RankedTensorType::get({c, k}, wt.getElementType());
    Value kernel;
    if (std::optional<std::vector<float>> w = readF32Constant(op.getW())) {
      std::vector<float> rev(w->size());
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t i = 0; i < k; ++i)
          rev[ch * k + i] = (*w)[ch * k + (k - 1 - i)];
      kernel = arith::ConstantOp::create(
          rw, loc, DenseElementsAttr::get(kt, ArrayRef<float>(rev)));
    } else {
      // Reverse at run time: kernel[c, i] = W[c, 0, K-1-i].
      Value w2 = tensor::CollapseShapeOp::create(
          rw, loc, kt, op.getW(), ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      Value init = tensor::EmptyOp::create(rw, loc, kt.getShape(),
                                           kt.getElementType());
      MLIRContext *ctx = rw.getContext();
      kernel = ref::generic(
          rw, loc, {}, init, {AffineMap::getMultiDimIdentityMap(2, ctx)}, "pp",
          [&](OpBuilder &b, Location l, ValueRange) {
            Value i = ref::loopIndex(b, l, 1);
            Value src = arith::SubIOp::create(b, l, ref::indexConst(b, l, k - 1),
                                              i);
            Value v = tensor::ExtractOp::create(
                b, l, w2, ValueRange{ref::loopIndex(b, l, 0), src});
            linalg::YieldOp::create(b, l, v);
          });
    }
    Value bias = llvm::isa<NoneType>(op.getB().getType()) ? Value()
                                                          : op.getB();
    if (bias) {
      auto bt = llvm::dyn_cast<RankedTensorType>(bias.getType());
      if (!bt || bt.getRank() != 1)
        return rw.notifyMatchFailure(op, "bias is not 1-D");
    }
    // The result has the input's shape; keep the op's (maybe more precise)
    // type when they agree.
    Type resultType = xt;
    Value y = seq::LongConvOp::create(
        rw, loc, resultType, op.getX(), kernel, bias,
        seq::ConvModeAttr::get(rw.getContext(), mode), seq::ImplKindAttr());
    if (y.getType() != op.getY().getType())
      y = tensor::CastOp::create(rw, loc, op.getY().getType(), y);
    rw.replaceOp(op, y);
    return success();
  }
};

struct SeqRaiseOnnxPass
    : seqc::impl::SeqRaiseOnnxPassBase<SeqRaiseOnnxPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DepthwiseConvToLongConv>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
