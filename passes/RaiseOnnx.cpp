//===- RaiseOnnx.cpp - seq-raise-onnx ---------------------------*- C++ -*-===//
//
// Implements `seq-raise-onnx`: ONNX subgraphs that compute a token mixer
// become the seq op, so that algorithm selection and the fast lowerings see
// them: depthwise 1-D convolutions -> seq.long_conv, DFT and STFT ->
// seq.fft/rfft.
//
//===----------------------------------------------------------------------===//

#include "ConstantData.h"
#include "Reference/Utils.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
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

/// The integer value of a scalar/1-element constant, or nullopt.
static std::optional<int64_t> constantInt(Value v) {
  Attribute attr;
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    attr = c.getValue();
  else if (auto c = v.getDefiningOp<onnxir::ConstantOp>())
    attr = c.getValueAttr();
  auto dense = llvm::dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense || dense.getNumElements() != 1)
    return std::nullopt;
  return (*dense.begin()).getSExtValue();
}

/// A complex<f32> tensor as ONNX carries it: (re, im) in a trailing dim.
static Value toOnnxComplex(OpBuilder &rw, Location loc, Value y) {
  MLIRContext *ctx = rw.getContext();
  int64_t rank = llvm::cast<RankedTensorType>(y.getType()).getRank();
  SmallVector<OpFoldResult> outSizes = ref::sizesOf(rw, loc, y);
  outSizes.push_back(rw.getIndexAttr(2));
  SmallVector<AffineExpr> drop;
  for (int64_t d = 0; d < rank; ++d)
    drop.push_back(rw.getAffineDimExpr(d));
  return ref::generic(
      rw, loc, {y}, ref::filled(rw, loc, outSizes, rw.getF32Type(), Value()),
      {AffineMap::get(rank + 1, 0, drop, ctx),
       AffineMap::getMultiDimIdentityMap(rank + 1, ctx)},
      std::string(rank + 1, 'p'),
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value isRe = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                           ref::loopIndex(b, l, rank),
                                           ref::indexConst(b, l, 0));
        linalg::YieldOp::create(
            b, l,
            Value(arith::SelectOp::create(b, l, isRe,
                                          complex::ReOp::create(b, l, a[0]),
                                          complex::ImOp::create(b, l, a[0]))));
      });
}

/// A scalar (rank 0 or one element) integer tensor read as an index value.
static Value scalarIndex(OpBuilder &b, Location loc, Value t) {
  auto tt = llvm::cast<RankedTensorType>(t.getType());
  SmallVector<Value> idx(tt.getRank(), ref::indexConst(b, loc, 0));
  Value v = tensor::ExtractOp::create(b, loc, t, idx);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// onnx.STFT (opset 17) -> frames (windowed) -> seq.rfft / seq.fft along
/// the frame axis. Frame step and length may be run-time values.
struct STFTToSeq : OpRewritePattern<onnxir::STFTOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::STFTOp op,
                                PatternRewriter &rw) const override {
    auto st = llvm::dyn_cast<RankedTensorType>(op.getSignal().getType());
    auto ot = llvm::dyn_cast<RankedTensorType>(op.getOutput().getType());
    if (!st || !ot || st.getRank() != 3 || !st.getElementType().isF32())
      return rw.notifyMatchFailure(op, "signal is not [batch, length, 1|2]");
    int64_t parts = st.getDimSize(2);
    if (parts != 1 && parts != 2)
      return rw.notifyMatchFailure(op, "last dim is not 1 or 2");
    bool onesided = op.getOnesided().value_or(1) != 0;
    if (onesided && parts == 2)
      return rw.notifyMatchFailure(op, "onesided needs a real signal");
    Value window = llvm::isa<NoneType>(op.getWindow().getType())
                       ? Value()
                       : op.getWindow();
    Value lengthIn = llvm::isa<NoneType>(op.getFrameLength().getType())
                         ? Value()
                         : op.getFrameLength();
    if (!window && !lengthIn)
      return rw.notifyMatchFailure(op, "neither window nor frame_length");

    Location loc = op.getLoc();
    Type f32 = rw.getF32Type();
    auto c64 = ComplexType::get(f32);
    // Frame length and step: static when constants (or the window's size).
    std::optional<int64_t> flStatic, stepStatic = constantInt(op.getFrameStep());
    Value fl;
    if (lengthIn) {
      flStatic = constantInt(lengthIn);
      fl = flStatic ? ref::indexConst(rw, loc, *flStatic)
                    : scalarIndex(rw, loc, lengthIn);
    } else {
      auto wt = llvm::cast<RankedTensorType>(window.getType());
      if (!wt.isDynamicDim(0))
        flStatic = wt.getDimSize(0);
      fl = ref::dimValue(rw, loc, window, 0);
    }
    Value step = stepStatic ? ref::indexConst(rw, loc, *stepStatic)
                            : scalarIndex(rw, loc, op.getFrameStep());
    // frames = (L - frame_length) / step + 1
    Value len = ref::dimValue(rw, loc, op.getSignal(), 1);
    Value frames = arith::AddIOp::create(
        rw, loc,
        arith::DivUIOp::create(rw, loc, arith::SubIOp::create(rw, loc, len, fl),
                               step),
        ref::indexConst(rw, loc, 1));
    std::optional<int64_t> framesStatic;
    if (flStatic && stepStatic && !st.isDynamicDim(1))
      framesStatic = (st.getDimSize(1) - *flStatic) / *stepStatic + 1;

    auto size = [&](std::optional<int64_t> s, Value v) -> OpFoldResult {
      return s ? OpFoldResult(rw.getIndexAttr(*s)) : OpFoldResult(v);
    };
    SmallVector<OpFoldResult> fsizes = {
        ref::sizesOf(rw, loc, op.getSignal())[0], size(framesStatic, frames),
        size(flStatic, fl)};
    bool real = parts == 1 && onesided;
    MLIRContext *ctx = rw.getContext();
    Value framed = ref::generic(
        rw, loc, {}, ref::filled(rw, loc, fsizes, real ? f32 : c64, Value()),
        {AffineMap::getMultiDimIdentityMap(3, ctx)}, "ppp",
        [&](OpBuilder &b, Location l, ValueRange) {
          Value bi = ref::loopIndex(b, l, 0), f = ref::loopIndex(b, l, 1),
                t = ref::loopIndex(b, l, 2);
          Value pos = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, f, step), t);
          auto part = [&](int64_t p) -> Value {
            return tensor::ExtractOp::create(
                b, l, op.getSignal(),
                ValueRange{bi, pos, ref::indexConst(b, l, p)});
          };
          Value re = part(0);
          Value im = parts == 2 ? part(1) : ref::floatConst(b, l, f32, 0.0);
          if (window) {
            Value w = tensor::ExtractOp::create(b, l, window, ValueRange{t});
            re = arith::MulFOp::create(b, l, re, w);
            im = arith::MulFOp::create(b, l, im, w);
          }
          Value v = real ? re
                         : Value(complex::CreateOp::create(b, l, c64, re, im));
          linalg::YieldOp::create(b, l, v);
        });

    auto ft = llvm::cast<RankedTensorType>(framed.getType());
    SmallVector<int64_t> yShape(ft.getShape());
    if (!ft.isDynamicDim(2) && real)
      yShape[2] = ft.getDimSize(2) / 2 + 1;
    auto yt = RankedTensorType::get(yShape, c64);
    Value y;
    if (real)
      y = seq::RFFTOp::create(rw, loc, yt, framed, rw.getI64IntegerAttr(2),
                              IntegerAttr(), seq::ImplKindAttr());
    else
      y = seq::FFTOp::create(rw, loc, yt, framed, rw.getI64IntegerAttr(2),
                             UnitAttr(), IntegerAttr(), seq::ImplKindAttr());
    Value out = toOnnxComplex(rw, loc, y);
    if (out.getType() != op.getType())
      out = tensor::CastOp::create(rw, loc, op.getType(), out);
    rw.replaceOp(op, out);
    return success();
  }
};

/// onnx.DFT (opset 17) -> seq.fft / seq.rfft. ONNX carries complex numbers
/// as a trailing dim of 2 (real signals: 1); seq uses complex<f32>.
struct DFTToSeq : OpRewritePattern<onnxir::DFTOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::DFTOp op,
                                PatternRewriter &rw) const override {
    auto it = llvm::dyn_cast<RankedTensorType>(op.getInput().getType());
    auto ot = llvm::dyn_cast<RankedTensorType>(op.getOutput().getType());
    if (!it || !ot || !it.getElementType().isF32() || it.getRank() < 2)
      return rw.notifyMatchFailure(op, "not a ranked f32 signal");
    int64_t rank = it.getRank() - 1; // without the (re, im) dim
    int64_t parts = it.getDimSize(rank);
    if (parts != 1 && parts != 2)
      return rw.notifyMatchFailure(op, "last dim is not 1 or 2");
    int64_t axis = op.getAxis().value_or(1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return rw.notifyMatchFailure(op, "axis out of range");
    bool inverse = op.getInverse().value_or(0) != 0;
    bool onesided = op.getOnesided().value_or(0) != 0;
    if (onesided && (inverse || parts == 2))
      return rw.notifyMatchFailure(op, "onesided needs a real forward DFT");
    std::optional<int64_t> length;
    if (!llvm::isa<NoneType>(op.getDftLength().getType())) {
      length = constantInt(op.getDftLength());
      if (!length || *length <= 0)
        return rw.notifyMatchFailure(op, "dft_length is not a constant");
    }

    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Type f32 = rw.getF32Type();
    auto c64 = ComplexType::get(f32);
    SmallVector<OpFoldResult> sizes = ref::sizesOf(rw, loc, op.getInput());
    sizes.pop_back();
    SmallVector<int64_t> shape(it.getShape().drop_back());

    // The signal without its trailing dim: real, or complex from (re, im).
    Value signal;
    auto project = [&](int64_t part) {
      SmallVector<AffineExpr> es;
      for (int64_t d = 0; d < rank; ++d)
        es.push_back(rw.getAffineDimExpr(d));
      es.push_back(rw.getAffineConstantExpr(part));
      return AffineMap::get(rank, 0, es, ctx);
    };
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    std::string iters(rank, 'p');
    if (parts == 1 && onesided) {
      signal = ref::generic(rw, loc, {op.getInput()},
                            ref::filled(rw, loc, sizes, f32, Value()),
                            {project(0), id}, iters,
                            [&](OpBuilder &b, Location l, ValueRange a) {
                              linalg::YieldOp::create(b, l, a[0]);
                            });
    } else {
      SmallVector<Value> ins = {op.getInput()};
      SmallVector<AffineMap> maps = {project(0)};
      if (parts == 2) {
        ins.push_back(op.getInput());
        maps.push_back(project(1));
      }
      maps.push_back(id);
      signal = ref::generic(
          rw, loc, ins, ref::filled(rw, loc, sizes, c64, Value()), maps, iters,
          [&](OpBuilder &b, Location l, ValueRange a) {
            Value im = parts == 2 ? a[1] : ref::floatConst(b, l, f32, 0.0);
            linalg::YieldOp::create(
                b, l, Value(complex::CreateOp::create(b, l, c64, a[0], im)));
          });
    }

    // The transform.
    int64_t n = length ? *length : shape[axis];
    SmallVector<int64_t> outShape = shape;
    outShape[axis] = ShapedType::isDynamic(n) ? n : (onesided ? n / 2 + 1 : n);
    auto yt = RankedTensorType::get(outShape, c64);
    IntegerAttr lenAttr = length ? rw.getI64IntegerAttr(*length) : IntegerAttr();
    Value y;
    if (onesided)
      y = seq::RFFTOp::create(rw, loc, yt, signal, rw.getI64IntegerAttr(axis),
                              lenAttr, seq::ImplKindAttr());
    else
      y = seq::FFTOp::create(rw, loc, yt, signal, rw.getI64IntegerAttr(axis),
                             inverse ? rw.getUnitAttr() : UnitAttr(), lenAttr,
                             seq::ImplKindAttr());

    Value out = toOnnxComplex(rw, loc, y);
    if (out.getType() != op.getType())
      out = tensor::CastOp::create(rw, loc, op.getType(), out);
    rw.replaceOp(op, out);
    return success();
  }
};

struct SeqRaiseOnnxPass
    : seqc::impl::SeqRaiseOnnxPassBase<SeqRaiseOnnxPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DepthwiseConvToLongConv, DFTToSeq, STFTToSeq>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
