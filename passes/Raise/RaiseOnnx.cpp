//===- RaiseOnnx.cpp - seq-raise-onnx ---------------------------*- C++ -*-===//
//
// Implements `seq-raise-onnx`: ONNX subgraphs that compute a token mixer
// become the seq op, so that algorithm selection and the fast lowerings see
// them: depthwise 1-D convolutions -> seq.long_conv, DFT and STFT ->
// seq.fft/rfft, and 1-D convolutions whose constant weights are a windowed
// DFT basis (an STFT written as a Conv) -> windowed frames + seq.rfft;
// FFT convolutions spelled with DFT ops -> seq.long_conv (RaiseFFTConv.cpp).
//
//===----------------------------------------------------------------------===//

#include "Lower/Reference/Utils.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"
#include "seqc/Utils/ConstantData.h"
#include "seqc/Utils/MathConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

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

/// What DepthwiseConvToLongConv matched: `c` channels of `k` taps, the
/// mode their pads give, and the bias (null when absent).
struct DepthwisePlan {
  int64_t c, k;
  seq::ConvMode mode;
  Value bias;
};

/// Matches onnx.Conv(X: B x C x L, W: C x 1 x K, B?) with group = C, unit
/// strides and dilations, and pads that keep the length: causal (K-1, 0) or
/// centred (K-1 - (K-1)/2, (K-1)/2).
static FailureOr<DepthwisePlan> matchDepthwiseConv(onnxir::ConvOp op,
                                                   PatternRewriter &rw) {
  auto xt = llvm::dyn_cast<RankedTensorType>(op.getX().getType());
  auto wt = llvm::dyn_cast<RankedTensorType>(op.getW().getType());
  auto yt = llvm::dyn_cast<RankedTensorType>(op.getY().getType());
  if (!xt || !wt || !yt || xt.getRank() != 3 || wt.getRank() != 3 ||
      !xt.getElementType().isF32() || !wt.hasStaticShape())
    return rw.notifyMatchFailure(op, "not a 1-D f32 conv");
  int64_t c = wt.getDimSize(0), k = wt.getDimSize(2);
  if (wt.getDimSize(1) != 1 || xt.getDimSize(1) != c ||
      int64_t(op.getGroup()) != c)
    return rw.notifyMatchFailure(op, "not depthwise");
  if (!allEqual(op.getStrides(), 1) || !allEqual(op.getDilations(), 1) ||
      op.getAutoPad() != "NOTSET")
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
  Value bias = llvm::isa<NoneType>(op.getB().getType()) ? Value() : op.getB();
  if (bias) {
    auto bt = llvm::dyn_cast<RankedTensorType>(bias.getType());
    if (!bt || bt.getRank() != 1)
      return rw.notifyMatchFailure(op, "bias is not 1-D");
  }
  return DepthwisePlan{c, k, mode, bias};
}

/// The long_conv kernel kernel[c, i] = W[c, 0, K-1-i] of a C x 1 x K conv
/// weight: reversed at compile time when W is a constant, by a generic
/// otherwise.
static Value reversedKernel(OpBuilder &rw, Location loc, Value weight,
                            int64_t c, int64_t k) {
  auto kt = RankedTensorType::get(
      {c, k}, llvm::cast<RankedTensorType>(weight.getType()).getElementType());
  if (std::optional<std::vector<float>> w = readF32Constant(weight)) {
    std::vector<float> rev(w->size());
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < k; ++i)
        rev[ch * k + i] = (*w)[ch * k + (k - 1 - i)];
    return arith::ConstantOp::create(
        rw, loc, DenseElementsAttr::get(kt, ArrayRef<float>(rev)));
  }
  Value w2 = tensor::CollapseShapeOp::create(
      rw, loc, kt, weight, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  Value init =
      tensor::EmptyOp::create(rw, loc, kt.getShape(), kt.getElementType());
  MLIRContext *ctx = rw.getContext();
  return ref::generic(
      rw, loc, {}, init, {AffineMap::getMultiDimIdentityMap(2, ctx)}, "pp",
      [&](OpBuilder &b, Location l, ValueRange) {
        Value i = ref::loopIndex(b, l, 1);
        Value src =
            arith::SubIOp::create(b, l, ref::indexConst(b, l, k - 1), i);
        Value v = tensor::ExtractOp::create(
            b, l, w2, ValueRange{ref::loopIndex(b, l, 0), src});
        linalg::YieldOp::create(b, l, v);
      });
}

/// onnx.Conv(X: B x C x L, W: C x 1 x K, B?) with group = C -> seq.long_conv.
/// ONNX Conv correlates: y[t] = sum_j W[j] x[t + j - pl]; with k[i] =
/// W[K-1-i] this is y[t] = sum_i k[i] x[t - i + (K-1-pl)], seq's
/// convolution with shift K-1-pl: 0 (causal) or (K-1)/2 (centered).
struct DepthwiseConvToLongConv : OpRewritePattern<onnxir::ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvOp op,
                                PatternRewriter &rw) const override {
    FailureOr<DepthwisePlan> plan = matchDepthwiseConv(op, rw);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    Value kernel = reversedKernel(rw, loc, op.getW(), plan->c, plan->k);
    // The result has the input's type; cast back where the op's differs.
    Value y = seq::LongConvOp::create(rw, loc, op.getX(), kernel, plan->bias,
                                      plan->mode);
    if (y.getType() != op.getY().getType())
      y = tensor::CastOp::create(rw, loc, op.getY().getType(), y);
    rw.replaceOp(op, y);
    return success();
  }
};

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
      std::string(rank + 1, 'p'), [&](OpBuilder &b, Location l, ValueRange a) {
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

/// `v`, or null when it is an absent optional input (type none).
static Value presentOrNull(Value v) {
  return llvm::isa<NoneType>(v.getType()) ? Value() : v;
}

/// Replaces `op` by the complex `y` in ONNX's (re, im) layout, cast to the
/// op's type.
static void replaceWithOnnxComplex(PatternRewriter &rw, Operation *op,
                                   Value y) {
  Value out = toOnnxComplex(rw, op->getLoc(), y);
  Type type = op->getResult(0).getType();
  if (out.getType() != type)
    out = tensor::CastOp::create(rw, op->getLoc(), type, out);
  rw.replaceOp(op, out);
}

/// What STFTToSeq matched: the signal's trailing dim (1: real, 2: complex),
/// whether the output is onesided, and the window and frame_length
/// operands (null when absent; one of them is there).
struct STFTPlan {
  int64_t parts;
  bool onesided;
  Value window, frameLength;

  /// Whether the frames are real (and transformed by seq.rfft).
  bool real() const { return parts == 1 && onesided; }
};

static FailureOr<STFTPlan> matchSTFT(onnxir::STFTOp op, PatternRewriter &rw) {
  auto st = llvm::dyn_cast<RankedTensorType>(op.getSignal().getType());
  auto ot = llvm::dyn_cast<RankedTensorType>(op.getOutput().getType());
  if (!st || !ot || st.getRank() != 3 || !st.getElementType().isF32())
    return rw.notifyMatchFailure(op, "signal is not [batch, length, 1|2]");
  int64_t parts = st.getDimSize(2);
  if (parts != 1 && parts != 2)
    return rw.notifyMatchFailure(op, "last dim is not 1 or 2");
  bool onesided = op.getOnesided() != 0;
  if (onesided && parts == 2)
    return rw.notifyMatchFailure(op, "onesided needs a real signal");
  STFTPlan plan{parts, onesided, presentOrNull(op.getWindow()),
                presentOrNull(op.getFrameLength())};
  if (!plan.window && !plan.frameLength)
    return rw.notifyMatchFailure(op, "neither window nor frame_length");
  return plan;
}

/// An STFT's frame length, step and number of frames as index values, and
/// their static values where known (constants, or the window's size).
struct Framing {
  Value length, step, count;
  std::optional<int64_t> staticLength, staticStep, staticCount;
};

static Framing buildFraming(OpBuilder &rw, Location loc, onnxir::STFTOp op,
                            const STFTPlan &plan) {
  Framing fr;
  fr.staticStep = readScalarInt(op.getFrameStep());
  if (plan.frameLength) {
    fr.staticLength = readScalarInt(plan.frameLength);
    fr.length = fr.staticLength ? ref::indexConst(rw, loc, *fr.staticLength)
                                : scalarIndex(rw, loc, plan.frameLength);
  } else {
    auto wt = llvm::cast<RankedTensorType>(plan.window.getType());
    if (!wt.isDynamicDim(0))
      fr.staticLength = wt.getDimSize(0);
    fr.length = ref::dimValue(rw, loc, plan.window, 0);
  }
  fr.step = fr.staticStep ? ref::indexConst(rw, loc, *fr.staticStep)
                          : scalarIndex(rw, loc, op.getFrameStep());
  // frames = (L - frame_length) / step + 1
  Value len = ref::dimValue(rw, loc, op.getSignal(), 1);
  fr.count = arith::AddIOp::create(
      rw, loc,
      arith::DivUIOp::create(
          rw, loc, arith::SubIOp::create(rw, loc, len, fr.length), fr.step),
      ref::indexConst(rw, loc, 1));
  auto st = llvm::cast<RankedTensorType>(op.getSignal().getType());
  if (fr.staticLength && fr.staticStep && !st.isDynamicDim(1))
    fr.staticCount = (st.getDimSize(1) - *fr.staticLength) / *fr.staticStep + 1;
  return fr;
}

/// The windowed frames [batch, frames, frame length] of the STFT's signal:
/// f32 when the plan is real, complex<f32> otherwise.
static Value buildFrames(OpBuilder &rw, Location loc, onnxir::STFTOp op,
                         const STFTPlan &plan, const Framing &fr) {
  Type f32 = rw.getF32Type();
  auto c64 = ComplexType::get(f32);
  auto size = [&](std::optional<int64_t> s, Value v) -> OpFoldResult {
    return s ? OpFoldResult(rw.getIndexAttr(*s)) : OpFoldResult(v);
  };
  SmallVector<OpFoldResult> fsizes = {ref::sizesOf(rw, loc, op.getSignal())[0],
                                      size(fr.staticCount, fr.count),
                                      size(fr.staticLength, fr.length)};
  bool real = plan.real();
  Value window = plan.window;
  return ref::generic(
      rw, loc, {}, ref::filled(rw, loc, fsizes, real ? f32 : c64, Value()),
      {AffineMap::getMultiDimIdentityMap(3, rw.getContext())}, "ppp",
      [&](OpBuilder &b, Location l, ValueRange) {
        Value bi = ref::loopIndex(b, l, 0), f = ref::loopIndex(b, l, 1),
              t = ref::loopIndex(b, l, 2);
        Value pos = arith::AddIOp::create(
            b, l, arith::MulIOp::create(b, l, f, fr.step), t);
        auto part = [&](int64_t p) -> Value {
          return tensor::ExtractOp::create(
              b, l, op.getSignal(),
              ValueRange{bi, pos, ref::indexConst(b, l, p)});
        };
        Value re = part(0);
        Value im = plan.parts == 2 ? part(1) : ref::floatConst(b, l, f32, 0.0);
        if (window) {
          Value w = tensor::ExtractOp::create(b, l, window, ValueRange{t});
          re = arith::MulFOp::create(b, l, re, w);
          im = arith::MulFOp::create(b, l, im, w);
        }
        Value v =
            real ? re : Value(complex::CreateOp::create(b, l, c64, re, im));
        linalg::YieldOp::create(b, l, v);
      });
}

/// onnx.STFT (opset 17) -> frames (windowed) -> seq.rfft / seq.fft along
/// the frame axis. Frame step and length may be run-time values.
struct STFTToSeq : OpRewritePattern<onnxir::STFTOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::STFTOp op,
                                PatternRewriter &rw) const override {
    FailureOr<STFTPlan> plan = matchSTFT(op, rw);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    Framing fr = buildFraming(rw, loc, op, *plan);
    Value framed = buildFrames(rw, loc, op, *plan, fr);

    Value y;
    if (plan->real())
      y = seq::RFFTOp::create(rw, loc, framed, /*axis=*/2);
    else
      y = seq::FFTOp::create(rw, loc, framed, /*axis=*/2);
    replaceWithOnnxComplex(rw, op, y);
    return success();
  }
};

/// What DFTToSeq matched: the signal's rank without the trailing (re, im)
/// dim, that dim's size (1: real, 2: complex), the normalized axis, the
/// direction and sidedness, and a constant dft_length.
struct DFTPlan {
  int64_t rank, parts, axis;
  bool inverse, onesided;
  std::optional<int64_t> length;
};

static FailureOr<DFTPlan> matchDFT(onnxir::DFTOp op, PatternRewriter &rw) {
  auto it = llvm::dyn_cast<RankedTensorType>(op.getInput().getType());
  auto ot = llvm::dyn_cast<RankedTensorType>(op.getOutput().getType());
  if (!it || !ot || !it.getElementType().isF32() || it.getRank() < 2)
    return rw.notifyMatchFailure(op, "not a ranked f32 signal");
  DFTPlan plan{};
  plan.rank = it.getRank() - 1; // without the (re, im) dim
  plan.parts = it.getDimSize(plan.rank);
  if (plan.parts != 1 && plan.parts != 2)
    return rw.notifyMatchFailure(op, "last dim is not 1 or 2");
  std::optional<int64_t> axis = normalizeAxis(int64_t(op.getAxis()), plan.rank);
  if (!axis)
    return rw.notifyMatchFailure(op, "axis out of range");
  plan.axis = *axis;
  plan.inverse = op.getInverse() != 0;
  plan.onesided = op.getOnesided() != 0;
  if (plan.onesided && (plan.inverse || plan.parts == 2))
    return rw.notifyMatchFailure(op, "onesided needs a real forward DFT");
  if (!llvm::isa<NoneType>(op.getDftLength().getType())) {
    plan.length = readScalarInt(op.getDftLength());
    if (!plan.length || *plan.length <= 0)
      return rw.notifyMatchFailure(op, "dft_length is not a constant");
  }
  return plan;
}

/// The DFT's input without its trailing dim: for a onesided transform the
/// real signal (a view, no copy), otherwise complex<f32> from (re, im) or
/// (re, 0).
static Value dftSignal(OpBuilder &rw, Location loc, Value input,
                       const DFTPlan &plan) {
  MLIRContext *ctx = rw.getContext();
  Type f32 = rw.getF32Type();
  auto c64 = ComplexType::get(f32);
  int64_t rank = plan.rank, parts = plan.parts;
  SmallVector<OpFoldResult> sizes = ref::sizesOf(rw, loc, input);
  sizes.pop_back();
  if (parts == 1 && plan.onesided) {
    // Drop the unit (re) dim.
    SmallVector<ReassociationIndices> reassoc;
    for (int64_t d = 0; d < rank; ++d)
      reassoc.push_back({d});
    reassoc.back().push_back(rank);
    return tensor::CollapseShapeOp::create(rw, loc, input, reassoc);
  }
  auto project = [&](int64_t part) {
    SmallVector<AffineExpr> es;
    for (int64_t d = 0; d < rank; ++d)
      es.push_back(rw.getAffineDimExpr(d));
    es.push_back(rw.getAffineConstantExpr(part));
    return AffineMap::get(rank, 0, es, ctx);
  };
  SmallVector<Value> ins = {input};
  SmallVector<AffineMap> maps = {project(0)};
  if (parts == 2) {
    ins.push_back(input);
    maps.push_back(project(1));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  return ref::generic(
      rw, loc, ins, ref::filled(rw, loc, sizes, c64, Value()), maps,
      std::string(rank, 'p'), [&](OpBuilder &b, Location l, ValueRange a) {
        Value im = parts == 2 ? a[1] : ref::floatConst(b, l, f32, 0.0);
        linalg::YieldOp::create(
            b, l, Value(complex::CreateOp::create(b, l, c64, a[0], im)));
      });
}

/// onnx.DFT (opset 17) -> seq.fft / seq.rfft. ONNX carries complex numbers
/// as a trailing dim of 2 (real signals: 1); seq uses complex<f32>.
struct DFTToSeq : OpRewritePattern<onnxir::DFTOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::DFTOp op,
                                PatternRewriter &rw) const override {
    FailureOr<DFTPlan> plan = matchDFT(op, rw);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    Value signal = dftSignal(rw, loc, op.getInput(), *plan);

    // The transform.
    auto it = llvm::cast<RankedTensorType>(op.getInput().getType());
    SmallVector<int64_t> outShape(it.getShape().drop_back());
    int64_t axis = plan->axis;
    int64_t n = plan->length ? *plan->length : outShape[axis];
    outShape[axis] =
        ShapedType::isDynamic(n) ? n : (plan->onesided ? n / 2 + 1 : n);
    auto yt =
        RankedTensorType::get(outShape, ComplexType::get(rw.getF32Type()));
    IntegerAttr lenAttr =
        plan->length ? rw.getI64IntegerAttr(*plan->length) : IntegerAttr();
    Value y;
    if (plan->onesided)
      y = seq::RFFTOp::create(rw, loc, yt, signal, rw.getI64IntegerAttr(axis),
                              lenAttr, seq::ImplKindAttr());
    else
      y = seq::FFTOp::create(rw, loc, yt, signal, rw.getI64IntegerAttr(axis),
                             plan->inverse ? rw.getUnitAttr() : UnitAttr(),
                             lenAttr, seq::ImplKindAttr());
    replaceWithOnnxComplex(rw, op, y);
    return success();
  }
};

/// Whether the constant weight W (O x 1 x N) of a Conv is a windowed DFT
/// basis, as audio front ends build their STFT: O = 2F, F <= N/2 + 1, and
/// for k < F
///   W[k, n]     = w[n] cos(2 pi k n / N)
///   W[F + k, n] = s w[n] sin(2 pi k n / N)        (one sign s = +-1)
/// with the window w = W[0] (to 1e-4 of max |w|: exporters round the basis
/// to f32). Returns s and fills `window`, or 0.
static int stftBasisSign(ArrayRef<float> wdata, int64_t o, int64_t n,
                         std::vector<float> &window) {
  if (o % 2 || o / 2 > n / 2 + 1 || n < 2)
    return 0;
  int64_t f = o / 2;
  window.assign(wdata.begin(), wdata.begin() + n);
  double peak = 0;
  for (float v : window)
    peak = std::max(peak, double(std::fabs(v)));
  if (peak == 0)
    return 0;
  double tol = 1e-4 * peak;
  // The sign from the largest sine term, then every entry against it.
  int sign = 1;
  double largest = 0;
  for (int64_t k = 0; k < f; ++k)
    for (int64_t t = 0; t < n; ++t) {
      double sinPart =
          window[t] * std::sin(2.0 * kPi * double((k * t) % n) / double(n));
      if (std::fabs(sinPart) > largest) {
        largest = std::fabs(sinPart);
        sign = (wdata[(f + k) * n + t] > 0) == (sinPart > 0) ? 1 : -1;
      }
    }
  for (int64_t k = 0; k < f; ++k) {
    for (int64_t t = 0; t < n; ++t) {
      double theta = 2.0 * kPi * double((k * t) % n) / double(n);
      double w = window[t];
      if (std::fabs(wdata[k * n + t] - w * std::cos(theta)) > tol ||
          std::fabs(wdata[(f + k) * n + t] - sign * w * std::sin(theta)) > tol)
        return 0;
    }
  }
  return sign;
}

/// What ConvBasisToRFFT matched: O = 2F output channels of N taps, the
/// basis sign s and window w (stftBasisSign), the hop (stride) and the
/// left pad.
struct BasisPlan {
  int64_t o, n;
  int sign;
  std::vector<float> window;
  int64_t hop, padLeft;
};

static FailureOr<BasisPlan> matchConvBasis(onnxir::ConvOp op,
                                           PatternRewriter &rw) {
  auto xt = llvm::dyn_cast<RankedTensorType>(op.getX().getType());
  auto wt = llvm::dyn_cast<RankedTensorType>(op.getW().getType());
  auto yt = llvm::dyn_cast<RankedTensorType>(op.getY().getType());
  if (!xt || !wt || !yt || xt.getRank() != 3 || wt.getRank() != 3 ||
      !xt.getElementType().isF32() || !wt.hasStaticShape() ||
      xt.getDimSize(1) != 1 || wt.getDimSize(1) != 1 || op.getGroup() != 1)
    return rw.notifyMatchFailure(op, "not a 1-channel 1-D f32 conv");
  if (!llvm::isa<NoneType>(op.getB().getType()))
    return rw.notifyMatchFailure(op, "has a bias");
  if (!allEqual(op.getDilations(), 1) || op.getAutoPad() != "NOTSET")
    return rw.notifyMatchFailure(op, "dilated or auto-padded");
  BasisPlan plan{};
  plan.o = wt.getDimSize(0);
  plan.n = wt.getDimSize(2);
  // Worth it only when the basis is larger than an FFT's work.
  if (double(plan.o) <= 5.0 * std::log2(double(plan.n)))
    return rw.notifyMatchFailure(op, "too few output channels");
  std::optional<std::vector<float>> wdata = readF32Constant(op.getW());
  if (!wdata)
    return rw.notifyMatchFailure(op, "weights are not a constant");
  plan.sign = stftBasisSign(*wdata, plan.o, plan.n, plan.window);
  if (!plan.sign)
    return rw.notifyMatchFailure(op, "weights are not a DFT basis");
  plan.hop = 1;
  plan.padLeft = 0;
  if (auto st = op.getStrides())
    plan.hop = llvm::cast<IntegerAttr>((*st)[0]).getInt();
  if (auto p = op.getPads())
    plan.padLeft = llvm::cast<IntegerAttr>((*p)[0]).getInt();
  return plan;
}

/// The windowed frames [B, frames, N] of the conv's input,
///   frames[b, f, t] = x[b, 0, f hop + t - padLeft] w[t] (0 outside),
/// with as many frames as the Conv has outputs; sets `fsizes` to their
/// sizes.
static Value buildConvFrames(OpBuilder &rw, Location loc, onnxir::ConvOp op,
                             const BasisPlan &plan,
                             SmallVector<OpFoldResult> &fsizes) {
  MLIRContext *ctx = rw.getContext();
  Type f32 = rw.getF32Type();
  int64_t n = plan.n, hop = plan.hop, padLeft = plan.padLeft;
  Value win = arith::ConstantOp::create(
      rw, loc,
      DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                             ArrayRef<float>(plan.window)));
  // Frames: (T + pads - N) / hop + 1, as the Conv's output length.
  Value len = ref::dimValue(rw, loc, op.getX(), 2);
  auto yt = llvm::cast<RankedTensorType>(op.getY().getType());
  OpFoldResult frames;
  if (!yt.isDynamicDim(2)) {
    frames = rw.getIndexAttr(yt.getDimSize(2));
  } else {
    int64_t padRight = 0;
    if (auto p = op.getPads())
      padRight = llvm::cast<IntegerAttr>((*p)[1]).getInt();
    frames = arith::AddIOp::create(
                 rw, loc,
                 arith::DivUIOp::create(
                     rw, loc,
                     arith::AddIOp::create(
                         rw, loc, len,
                         ref::indexConst(rw, loc, padLeft + padRight - n)),
                     ref::indexConst(rw, loc, hop)),
                 ref::indexConst(rw, loc, 1))
                 .getResult();
  }
  fsizes = {tensor::getMixedSize(rw, loc, op.getX(), 0), frames,
            rw.getIndexAttr(n)};
  return ref::generic(
      rw, loc, {win}, ref::filled(rw, loc, fsizes, f32, Value()),
      {AffineMap::get(3, 0, {rw.getAffineDimExpr(2)}, ctx),
       AffineMap::getMultiDimIdentityMap(3, ctx)},
      "ppp", [&](OpBuilder &b, Location l, ValueRange a) {
        Value pos = arith::SubIOp::create(
            b, l,
            arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, ref::loopIndex(b, l, 1),
                                      ref::indexConst(b, l, hop)),
                ref::loopIndex(b, l, 2)),
            ref::indexConst(b, l, padLeft));
        Value in = arith::AndIOp::create(
            b, l,
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, pos,
                                  ref::indexConst(b, l, 0)),
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, pos, len));
        Value safe =
            arith::SelectOp::create(b, l, in, pos, ref::indexConst(b, l, 0));
        Value v = tensor::ExtractOp::create(b, l, op.getX(),
                                            ValueRange{ref::loopIndex(b, l, 0),
                                                       ref::indexConst(b, l, 0),
                                                       safe});
        v = arith::MulFOp::create(b, l, v, a[0]);
        linalg::YieldOp::create(
            b, l,
            Value(arith::SelectOp::create(b, l, in, v,
                                          ref::floatConst(b, l, f32, 0.0))));
      });
}

/// The conv's output [B, O, frames] from the spectrum X [B, frames, N/2+1]
/// of its frames: y[b, r, f] = r < F ? re X[b, f, r] : -s im X[b, f, r - F].
static Value basisRows(OpBuilder &rw, Location loc, Value spec,
                       const BasisPlan &plan, ArrayRef<OpFoldResult> fsizes) {
  int64_t bins = plan.o / 2;
  int sign = plan.sign;
  SmallVector<OpFoldResult> ysizes = {fsizes[0], rw.getIndexAttr(plan.o),
                                      fsizes[1]};
  return ref::generic(
      rw, loc, {}, ref::filled(rw, loc, ysizes, rw.getF32Type(), Value()),
      {AffineMap::getMultiDimIdentityMap(3, rw.getContext())}, "ppp",
      [&](OpBuilder &b, Location l, ValueRange) {
        Value r = ref::loopIndex(b, l, 1);
        Value isRe = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r,
                                           ref::indexConst(b, l, bins));
        Value bin = arith::SelectOp::create(
            b, l, isRe, r,
            arith::SubIOp::create(b, l, r, ref::indexConst(b, l, bins)));
        Value z = tensor::ExtractOp::create(
            b, l, spec,
            ValueRange{ref::loopIndex(b, l, 0), ref::loopIndex(b, l, 2), bin});
        Value im = complex::ImOp::create(b, l, z);
        if (sign > 0)
          im = arith::NegFOp::create(b, l, im);
        linalg::YieldOp::create(
            b, l,
            Value(arith::SelectOp::create(b, l, isRe,
                                          complex::ReOp::create(b, l, z), im)));
      });
}

/// onnx.Conv(X: B x 1 x T, W: 2F x 1 x N constant) whose W is a windowed
/// DFT basis (stftBasisSign) -> windowed frames of X -> seq.rfft of length
/// N -> rows re(X_k) then -s im(X_k). An STFT written as a convolution
/// costs 2F N multiply-adds per frame; the FFT ~2.5 N log2 N flops.
struct ConvBasisToRFFT : OpRewritePattern<onnxir::ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvOp op,
                                PatternRewriter &rw) const override {
    FailureOr<BasisPlan> plan = matchConvBasis(op, rw);
    if (failed(plan))
      return failure();
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> fsizes;
    Value framed = buildConvFrames(rw, loc, op, *plan, fsizes);
    auto ft = llvm::cast<RankedTensorType>(framed.getType());
    auto spt = RankedTensorType::get(
        {ft.getDimSize(0), ft.getDimSize(1), plan->n / 2 + 1},
        ComplexType::get(rw.getF32Type()));
    Value spec = seq::RFFTOp::create(rw, loc, framed, /*axis=*/2);
    assert(spec.getType() == spt && "frames of n points give n/2+1 bins");
    (void)spt;
    Value y = basisRows(rw, loc, spec, *plan, fsizes);
    if (y.getType() != op.getY().getType())
      y = tensor::CastOp::create(rw, loc, op.getY().getType(), y);
    rw.replaceOp(op, y);
    return success();
  }
};

struct SeqRaiseOnnxPass : seqc::impl::SeqRaiseOnnxPassBase<SeqRaiseOnnxPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DepthwiseConvToLongConv, ConvBasisToRFFT, DFTToSeq, STFTToSeq>(
        &getContext());
    // FFT convolutions written with DFT ops, before DFTToSeq takes them apart.
    populateRaiseFFTConvPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
