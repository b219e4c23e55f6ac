//===- Conv.cpp - ONNX Conv and ConvTranspose to linalg ---------*- C++ -*-===//
//
// N-d grouped convolution (1-D, 2-D, 3-D; pads, auto_pad, strides,
// dilations, groups, bias) as one linalg.generic over
//   (n, g, m, o_1..o_s | c, k_1..k_s)
// reading X' = pad(X) viewed as (N, G, C/G, D...) at o_i*s_i + k_i*d_i and
// W viewed as (G, M/G, C/G, K...). Depthwise convolutions (G = C) and
// pointwise ones are the same op with different shapes; the long-sequence
// ones are raised to seq.long_conv before this runs. The weights' and
// channels' sizes may be dynamic.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

/// The integers of an I64ArrayAttr, or `n` copies of `dflt` when it is
/// absent or empty.
SmallVector<int64_t> intsOr(ArrayAttr a, size_t n, int64_t dflt) {
  SmallVector<int64_t> out;
  if (a)
    for (Attribute e : a)
      out.push_back(llvm::cast<IntegerAttr>(e).getInt());
  if (out.empty())
    out.assign(n, dflt);
  return out;
}

/// The attributes Conv, ConvInteger and QLinearConv share, as their
/// accessors give them.
struct ConvAttrs {
  int64_t group = 1;
  ArrayAttr strides, dilations, pads;
  StringRef autoPad = "NOTSET";
};

template <typename OpTy> ConvAttrs convAttrs(OpTy op) {
  return {static_cast<int64_t>(op.getGroup()), op.getStridesAttr(),
          op.getDilationsAttr(), op.getPadsAttr(), op.getAutoPad()};
}

/// A size of `v` as a static attribute or a run-time dim.
OpFoldResult sizeOf(OpBuilder &b, Location loc, Value v, int64_t dim,
                    int64_t known) {
  if (!ShapedType::isDynamic(known))
    return b.getIndexAttr(known);
  return tensor::getMixedSize(b, loc, v, dim);
}

/// Dim `dim` of `v` divided by the groups (`known` when static).
OpFoldResult groupSize(OpBuilder &b, Location loc, Value v, int64_t dim,
                       int64_t known, int64_t groups) {
  if (!ShapedType::isDynamic(known))
    return b.getIndexAttr(known);
  return Value(
      arith::DivUIOp::create(b, loc, tensor::DimOp::create(b, loc, v, dim),
                             arith::ConstantIndexOp::create(b, loc, groups)));
}

/// x zero padded by `pads` (begins, then ends) on its spatial dims, or x.
Value zeroPad(OpBuilder &rw, Location loc, Value x, ArrayRef<int64_t> pads,
              Value zero) {
  if (llvm::none_of(pads, [](int64_t p) { return p != 0; }))
    return x;
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  int64_t s = xt.getRank() - 2;
  SmallVector<OpFoldResult> lo(2, rw.getIndexAttr(0)),
      hi(2, rw.getIndexAttr(0));
  for (int64_t i = 0; i < s; ++i) {
    lo.push_back(rw.getIndexAttr(pads[i]));
    hi.push_back(rw.getIndexAttr(pads[s + i]));
  }
  SmallVector<int64_t> shape(xt.getShape());
  for (int64_t i = 0; i < s; ++i)
    if (shape[2 + i] != ShapedType::kDynamic)
      shape[2 + i] += pads[i] + pads[s + i];
  return tensor::PadOp::create(
      rw, loc, RankedTensorType::get(shape, xt.getElementType()), x, lo, hi,
      zero);
}

/// The shapes of a grouped convolution: G, the channels per group of x
/// (Cg) and of the output (Mg), and w's kernel sizes.
struct ConvGroups {
  int64_t groups, cg, mg;
  SmallVector<int64_t> kernel;
  int64_t perGroup(int64_t n) const {
    return ShapedType::isDynamic(n) ? n : n / groups;
  }
};

/// The group views X' (N, G, Cg, D...) of the padded input and W' (G, Mg,
/// Cg, K...) of the weights.
std::pair<Value, Value> groupViews(OpBuilder &rw, Location loc, Value padded,
                                   Value w, const ConvGroups &g) {
  auto pt = llvm::cast<RankedTensorType>(padded.getType());
  auto wt = llvm::cast<RankedTensorType>(w.getType());
  Type elem = pt.getElementType();
  int64_t s = pt.getRank() - 2, groups = g.groups;
  SmallVector<ReassociationIndices> xGroups = {{0}, {1, 2}};
  SmallVector<int64_t> xShape = {pt.getDimSize(0), groups, g.cg};
  SmallVector<OpFoldResult> xSizes = {
      tensor::getMixedSize(rw, loc, padded, 0), rw.getIndexAttr(groups),
      groupSize(rw, loc, padded, 1, g.cg, groups)};
  for (int64_t i = 0; i < s; ++i) {
    xGroups.push_back({3 + i});
    xShape.push_back(pt.getDimSize(2 + i));
    xSizes.push_back(tensor::getMixedSize(rw, loc, padded, 2 + i));
  }
  Value xv = tensor::ExpandShapeOp::create(
      rw, loc, RankedTensorType::get(xShape, elem), padded, xGroups, xSizes);
  SmallVector<ReassociationIndices> wGroups = {{0, 1}, {2}};
  // W's channels per group are its own dim 1 (static even when C is not).
  SmallVector<int64_t> wShape = {groups, g.mg, wt.getDimSize(1)};
  SmallVector<OpFoldResult> wSizes = {rw.getIndexAttr(groups),
                                      groupSize(rw, loc, w, 0, g.mg, groups),
                                      sizeOf(rw, loc, w, 1, wt.getDimSize(1))};
  for (int64_t i = 0; i < s; ++i) {
    wGroups.push_back({3 + i});
    wShape.push_back(g.kernel[i]);
    wSizes.push_back(sizeOf(rw, loc, w, 2 + i, g.kernel[i]));
  }
  Value wv = tensor::ExpandShapeOp::create(
      rw, loc, RankedTensorType::get(wShape, elem), w, wGroups, wSizes);
  return {xv, wv};
}

/// The run-time size of output spatial dim i: (in' - span) / stride + 1
/// over the padded input, span = (k - 1) * dilation + 1 with k read from w
/// when dynamic.
Value convOutSize(OpBuilder &rw, Location loc, Value padded, Value w, int64_t i,
                  int64_t kernel, const ConvParams &p) {
  Value span;
  if (ShapedType::isDynamic(kernel)) {
    Value k = tensor::DimOp::create(rw, loc, w, 2 + i);
    span = arith::AddIOp::create(
        rw, loc,
        arith::MulIOp::create(
            rw, loc,
            arith::SubIOp::create(rw, loc, k,
                                  arith::ConstantIndexOp::create(rw, loc, 1)),
            arith::ConstantIndexOp::create(rw, loc, p.dilations[i])),
        arith::ConstantIndexOp::create(rw, loc, 1));
  } else {
    span = arith::ConstantIndexOp::create(rw, loc,
                                          (kernel - 1) * p.dilations[i] + 1);
  }
  Value in = tensor::DimOp::create(rw, loc, padded, 2 + i);
  Value n = arith::SubIOp::create(rw, loc, in, span);
  n = arith::DivSIOp::create(
      rw, loc, n, arith::ConstantIndexOp::create(rw, loc, p.strides[i]));
  return arith::AddIOp::create(rw, loc, n,
                               arith::ConstantIndexOp::create(rw, loc, 1));
}

/// The output (N, G, Mg, O...) initialized with the bias [+ `b` (M), may be
/// null or none], else zero.
Value convInit(OpBuilder &rw, Location loc, Value x, Value padded, Value w,
               Value b, RankedTensorType rt, const ConvParams &p,
               const ConvGroups &g, Value zero) {
  MLIRContext *ctx = rw.getContext();
  int64_t s = rt.getRank() - 2, groups = g.groups;
  Type elem = rt.getElementType();
  SmallVector<int64_t> yShape = {rt.getDimSize(0), groups, g.mg};
  SmallVector<OpFoldResult> ySizes = {tensor::getMixedSize(rw, loc, x, 0),
                                      rw.getIndexAttr(groups),
                                      groupSize(rw, loc, w, 0, g.mg, groups)};
  for (int64_t i = 0; i < s; ++i) {
    yShape.push_back(rt.getDimSize(2 + i));
    if (!rt.isDynamicDim(2 + i))
      ySizes.push_back(rw.getIndexAttr(rt.getDimSize(2 + i)));
    else
      ySizes.push_back(convOutSize(rw, loc, padded, w, i, g.kernel[i], p));
  }
  auto yType = RankedTensorType::get(yShape, elem);
  Value init = emptyTensor(rw, loc, yType, ySizes);
  if (!b || isNone(b))
    return linalg::FillOp::create(rw, loc, zero, init).getResult(0);
  int64_t nPar = 3 + s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  // The bias's own size (it may be static where M is not).
  auto bt = llvm::dyn_cast<RankedTensorType>(b.getType());
  int64_t bm = bt && bt.getRank() == 1 ? g.perGroup(bt.getDimSize(0)) : g.mg;
  Value bv = tensor::ExpandShapeOp::create(
      rw, loc, RankedTensorType::get({groups, bm}, elem), b,
      SmallVector<ReassociationIndices>{{0, 1}},
      SmallVector<OpFoldResult>{rw.getIndexAttr(groups),
                                groupSize(rw, loc, b, 0, bm, groups)});
  SmallVector<utils::IteratorType> par(nPar, utils::IteratorType::parallel);
  return linalg::GenericOp::create(rw, loc, TypeRange{yType}, ValueRange{bv},
                                   ValueRange{init},
                                   {AffineMap::get(nPar, 0, {d(1), d(2)}, ctx),
                                    rw.getMultiDimIdentityMap(nPar)},
                                   par,
                                   [](OpBuilder &nb, Location l, ValueRange a) {
                                     linalg::YieldOp::create(nb, l, a[0]);
                                   })
      .getResult(0);
}

} // namespace

LogicalResult seqc::onnx_to_linalg::readConvParams(Operation *op,
                                                   RankedTensorType xt,
                                                   RankedTensorType wt,
                                                   ConvParams &p) {
  std::optional<ConvAttrs> attrs =
      llvm::TypeSwitch<Operation *, std::optional<ConvAttrs>>(op)
          .Case<onnxir::ConvOp, onnxir::ConvIntegerOp, onnxir::QLinearConvOp>(
              [](auto conv) { return convAttrs(conv); })
          .Default([](Operation *) { return std::nullopt; });
  if (!attrs)
    return failure();
  int64_t s = xt.getRank() - 2;
  p.groups = attrs->group;
  if (wt.getRank() != s + 2 || p.groups <= 0)
    return failure();
  // Channel counts may be dynamic (read at run time; the groups divide
  // them, as a valid model's do).
  int64_t c = xt.getDimSize(1), m = wt.getDimSize(0);
  if ((!ShapedType::isDynamic(c) && c % p.groups) ||
      (!ShapedType::isDynamic(m) && m % p.groups) ||
      (!ShapedType::isDynamic(c) && !wt.isDynamicDim(1) &&
       wt.getDimSize(1) != c / p.groups))
    return failure();
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  p.strides = intsOr(attrs->strides, s, 1);
  p.dilations = intsOr(attrs->dilations, s, 1);
  p.pads = intsOr(attrs->pads, 2 * s, 0);
  if (p.strides.size() != size_t(s) || p.dilations.size() != size_t(s) ||
      p.pads.size() != size_t(2 * s))
    return failure();
  // SAME padding is resolved at compile time from the kernel sizes.
  StringRef autoPad = attrs->autoPad;
  if ((autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") &&
      llvm::any_of(kernel, ShapedType::isDynamic))
    return failure();
  return resolveAutoPad(autoPad, xt, kernel, p.strides, p.dilations, p.pads);
}

Value seqc::onnx_to_linalg::buildConv(OpBuilder &rw, Location loc, Value x,
                                      Value w, Value b, RankedTensorType rt,
                                      const ConvParams &p) {
  MLIRContext *ctx = rw.getContext();
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  auto wt = llvm::cast<RankedTensorType>(w.getType());
  int64_t s = xt.getRank() - 2;
  ConvGroups g{p.groups, 0, 0,
               SmallVector<int64_t>(wt.getShape().drop_front(2))};
  g.cg = g.perGroup(xt.getDimSize(1));
  g.mg = g.perGroup(wt.getDimSize(0));
  ArrayRef<int64_t> strides = p.strides, dil = p.dilations;
  Type elem = xt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elem);
  Value zero = scalarConst(rw, loc, elem, 0);
  // 1. Zero padding; 2. the group views; 3. the output with the bias.
  Value padded = zeroPad(rw, loc, x, p.pads, zero);
  auto [xv, wv] = groupViews(rw, loc, padded, w, g);
  Value init = convInit(rw, loc, x, padded, w, b, rt, p, g, zero);
  auto yType = llvm::cast<RankedTensorType>(init.getType());
  int64_t nPar = 3 + s, nLoops = nPar + 1 + s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  // 4. The convolution.
  SmallVector<AffineExpr> xe = {d(0), d(1), d(nPar)},
                          we = {d(1), d(2), d(nPar)}, ye;
  for (int64_t i = 0; i < nPar; ++i)
    ye.push_back(d(i));
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(3 + i) * strides[i] + d(nPar + 1 + i) * dil[i]);
    we.push_back(d(nPar + 1 + i));
  }
  SmallVector<utils::IteratorType> iters(nPar, utils::IteratorType::parallel);
  iters.append(1 + s, utils::IteratorType::reduction);
  Value y =
      linalg::GenericOp::create(
          rw, loc, TypeRange{yType}, ValueRange{xv, wv}, ValueRange{init},
          {AffineMap::get(nLoops, 0, xe, ctx),
           AffineMap::get(nLoops, 0, we, ctx),
           AffineMap::get(nLoops, 0, ye, ctx)},
          iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            // Integers (ConvInteger, QLinearConv) wrap.
            Value prod = isFloat
                             ? Value(arith::MulFOp::create(nb, l, a[0], a[1]))
                             : Value(arith::MulIOp::create(nb, l, a[0], a[1]));
            linalg::YieldOp::create(
                nb, l,
                isFloat ? Value(arith::AddFOp::create(nb, l, a[2], prod))
                        : Value(arith::AddIOp::create(nb, l, a[2], prod)));
          })
          .getResult(0);
  // 5. Back to (N, M, O...).
  SmallVector<ReassociationIndices> yGroups = {{0}, {1, 2}};
  for (int64_t i = 0; i < s; ++i)
    yGroups.push_back({3 + i});
  Value out = tensor::CollapseShapeOp::create(rw, loc, y, yGroups);
  return castIfNeeded(rw, loc, out, rt);
}

namespace {

struct ConvToLinalg : OpRewritePattern<onnxir::ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvOp op,
                                PatternRewriter &rw) const override {
    auto xt = llvm::dyn_cast<RankedTensorType>(op.getX().getType());
    auto wt = llvm::dyn_cast<RankedTensorType>(op.getW().getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!xt || !wt || !rt || xt.getRank() < 3 ||
        !llvm::isa<FloatType>(xt.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    ConvParams p;
    if (failed(readConvParams(op, xt, wt, p)))
      return rw.notifyMatchFailure(
          op, "needs weights of x's rank, consistent groups and attributes, "
              "static weights and dims for SAME padding");
    Value b = op.getB();
    if (!isNone(b)) {
      auto bt = llvm::dyn_cast<RankedTensorType>(b.getType());
      if (!bt || bt.getRank() != 1)
        return rw.notifyMatchFailure(op, "needs a 1-D bias");
    }
    rw.replaceOp(
        op, buildConv(rw, op.getLoc(), op.getX(), op.getW(), op.getB(), rt, p));
    return success();
  }
};

/// What ConvTranspose's match read and decided: operands, types,
/// attributes, and per spatial dim the leading pad and (output_shape or
/// SAME) the static output size.
struct ConvTransposePlan {
  Value x, w, bias;
  RankedTensorType xt, wt, rt;
  int64_t sp, group, cIn, cogOut;
  SmallVector<int64_t> kernel, strides, dil, outPad, pads, outShape;
  std::string autoPad;
  SmallVector<int64_t> padBegin, fixedOut;

  /// Whether the output sizes come from output_shape or SAME padding.
  bool fromShape() const {
    return !outShape.empty() || autoPad == "SAME_UPPER" ||
           autoPad == "SAME_LOWER";
  }
};

/// Checks ConvTranspose's types and attributes and resolves its pads.
LogicalResult matchConvTranspose(onnxir::ConvTransposeOp op,
                                 PatternRewriter &rw, ConvTransposePlan &p) {
  p.x = op->getOperand(0);
  p.w = op->getOperand(1);
  p.bias = op->getOperand(2);
  p.xt = llvm::dyn_cast<RankedTensorType>(p.x.getType());
  p.wt = llvm::dyn_cast<RankedTensorType>(p.w.getType());
  p.rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!p.xt || !p.wt || !p.rt || p.xt.getRank() < 3 ||
      p.wt.getRank() != p.xt.getRank() ||
      !llvm::isa<FloatType>(p.xt.getElementType()))
    return rw.notifyMatchFailure(op, "needs ranked float tensors");
  int64_t sp = p.sp = p.xt.getRank() - 2;
  p.group = op.getGroup();
  p.kernel.assign(p.wt.getShape().drop_front(2).begin(),
                  p.wt.getShape().drop_front(2).end());
  p.strides = intsOr(op.getStridesAttr(), sp, 1);
  p.dil = intsOr(op.getDilationsAttr(), sp, 1);
  p.outPad = intsOr(op.getOutputPaddingAttr(), sp, 0);
  p.pads = intsOr(op.getPadsAttr(), 2 * sp, 0);
  p.outShape = intsOr(op.getOutputShapeAttr(), 0, 0);
  p.autoPad = op.getAutoPad().str();
  // The weights' sizes may be dynamic (read at run time; the groups
  // divide the input channels, as a valid model's do).
  p.cIn = p.wt.getDimSize(0);
  p.cogOut = p.wt.getDimSize(1);
  if (p.group <= 0 || (!ShapedType::isDynamic(p.cIn) && p.cIn % p.group != 0))
    return rw.notifyMatchFailure(op, "bad group");
  p.padBegin.assign(sp, 0);
  p.fixedOut.assign(sp, ShapedType::kDynamic);
  for (int64_t i = 0; i < sp; ++i) {
    int64_t in = p.xt.getDimSize(2 + i);
    bool dynKernel = ShapedType::isDynamic(p.kernel[i]);
    if (dynKernel && p.fromShape())
      return rw.notifyMatchFailure(op,
                                   "output_shape or SAME with dynamic weights");
    if (!dynKernel && p.fromShape()) {
      if (ShapedType::isDynamic(in))
        return rw.notifyMatchFailure(op, "output_shape with dynamic input");
      int64_t full = (p.kernel[i] - 1) * p.dil[i] + 1;
      int64_t out = !p.outShape.empty() ? p.outShape[p.outShape.size() - sp + i]
                                        : in * p.strides[i];
      int64_t total = p.strides[i] * (in - 1) + p.outPad[i] + full - out;
      total = std::max<int64_t>(total, 0);
      p.padBegin[i] = p.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      p.fixedOut[i] = out;
      continue;
    }
    if (p.autoPad == "VALID")
      p.pads[i] = p.pads[sp + i] = 0;
    p.padBegin[i] = p.pads[i];
  }
  return success();
}

/// The output sizes: the result type's static ones, else from the
/// attributes: (in - 1) * stride + output_padding + (k - 1) * dilation + 1
/// - pads (k read from w when dynamic).
SmallVector<OpFoldResult> convTransposeSizes(PatternRewriter &rw, Location loc,
                                             const ConvTransposePlan &p) {
  int64_t sp = p.sp;
  auto ic = [&](int64_t v) { return indexConst(rw, loc, v); };
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, loc, p.x, 0)};
  if (!ShapedType::isDynamic(p.cogOut))
    sizes.push_back(rw.getIndexAttr(p.cogOut * p.group));
  else
    sizes.push_back(Value(arith::MulIOp::create(
        rw, loc, tensor::DimOp::create(rw, loc, p.w, 1), ic(p.group))));
  for (int64_t i = 0; i < sp; ++i) {
    if (!ShapedType::isDynamic(p.fixedOut[i])) {
      sizes.push_back(rw.getIndexAttr(p.fixedOut[i]));
      continue;
    }
    if (!p.rt.isDynamicDim(2 + i)) {
      sizes.push_back(rw.getIndexAttr(p.rt.getDimSize(2 + i)));
      continue;
    }
    int64_t pads = p.pads[i] + p.pads[sp + i];
    if (ShapedType::isDynamic(p.kernel[i])) {
      Value k = tensor::DimOp::create(rw, loc, p.w, 2 + i);
      Value full = arith::AddIOp::create(
          rw, loc,
          arith::MulIOp::create(
              rw, loc, arith::SubIOp::create(rw, loc, k, ic(1)), ic(p.dil[i])),
          ic(1));
      Value d = tensor::DimOp::create(rw, loc, p.x, 2 + i);
      sizes.push_back(Value(arith::AddIOp::create(
          rw, loc,
          arith::MulIOp::create(rw, loc,
                                arith::SubIOp::create(rw, loc, d, ic(1)),
                                ic(p.strides[i])),
          arith::AddIOp::create(rw, loc, full, ic(p.outPad[i] - pads)))));
      continue;
    }
    int64_t full = (p.kernel[i] - 1) * p.dil[i] + 1;
    int64_t extra = p.outPad[i] + full - pads;
    Value d = tensor::DimOp::create(rw, loc, p.x, 2 + i);
    sizes.push_back(Value(arith::AddIOp::create(
        rw, loc,
        arith::MulIOp::create(rw, loc, arith::SubIOp::create(rw, loc, d, ic(1)),
                              ic(p.strides[i])),
        ic(extra))));
  }
  return sizes;
}

/// The body of the ConvTranspose generic at output (n, m, o...): loops
/// (scf.for) over the group's input channels and the kernel taps summing
/// x[n, c, i] * w[c, m mod Mg, k] wherever o = i * stride + k * dilation -
/// pad_begin has an integral i in range.
class ConvTransposeBody {
public:
  ConvTransposeBody(OpBuilder &b, Location l, const ConvTransposePlan &p)
      : b(b), l(l), p(p) {}

  Value build() {
    int64_t r = p.rt.getRank();
    for (int64_t i = 0; i < r; ++i)
      o.push_back(linalg::IndexOp::create(b, l, i));
    Value cogV = ShapedType::isDynamic(p.cogOut) ? wDim(b, l, 1)
                                                 : indexConst(b, l, p.cogOut);
    cigV = ShapedType::isDynamic(p.cIn)
               ? Value(arith::DivUIOp::create(b, l, wDim(b, l, 0),
                                              indexConst(b, l, p.group)))
               : indexConst(b, l, p.cIn / p.group);
    Value grp = arith::DivUIOp::create(b, l, o[1], cogV);
    ocl = arith::RemUIOp::create(b, l, o[1], cogV);
    cBase = arith::MulIOp::create(b, l, grp, cigV);
    zero = indexConst(b, l, 0);
    one = indexConst(b, l, 1);
    Value init =
        !isNone(p.bias)
            ? Value(tensor::ExtractOp::create(b, l, p.bias, ValueRange{o[1]}))
            : scalarConst(b, l, p.xt.getElementType(), 0);
    SmallVector<Value> ivs;
    return loops(b, l, 0, ivs, init);
  }

private:
  Value wDim(OpBuilder &ob, Location ol, int64_t d) {
    return tensor::DimOp::create(ob, ol, p.w, d);
  }

  /// Loop `depth` (0: input channel of the group, then each kernel dim)
  /// around the ones below it, accumulating into `acc`.
  Value loops(OpBuilder &lb, Location ll, int64_t depth,
              SmallVector<Value> &ivs, Value acc) {
    if (depth == 1 + p.sp)
      return tap(lb, ll, ivs, acc);
    Value ub;
    if (depth == 0)
      ub = cigV;
    else if (ShapedType::isDynamic(p.kernel[depth - 1]))
      ub = wDim(lb, ll, 1 + depth);
    else
      ub = indexConst(lb, ll, p.kernel[depth - 1]);
    auto f = scf::ForOp::create(
        lb, ll, zero, ub, one, ValueRange{acc},
        [&](OpBuilder &fb, Location fl, Value iv, ValueRange it) {
          ivs.push_back(iv);
          Value res = loops(fb, fl, depth + 1, ivs, it[0]);
          ivs.pop_back();
          scf::YieldOp::create(fb, fl, res);
        });
    return f.getResult(0);
  }

  /// acc plus the product at ivs = {c, k_1..k_s} where it is valid.
  Value tap(OpBuilder &lb, Location ll, ArrayRef<Value> ivs, Value acc) {
    Value valid;
    SmallVector<Value> xAt = {o[0],
                              arith::AddIOp::create(lb, ll, cBase, ivs[0])};
    SmallVector<Value> wAt = {xAt[1], ocl};
    for (int64_t i = 0; i < p.sp; ++i) {
      Value num = arith::SubIOp::create(
          lb, ll,
          arith::AddIOp::create(lb, ll, o[2 + i],
                                indexConst(lb, ll, p.padBegin[i])),
          arith::MulIOp::create(lb, ll, ivs[1 + i],
                                indexConst(lb, ll, p.dil[i])));
      Value sV = indexConst(lb, ll, p.strides[i]);
      Value q = arith::DivSIOp::create(lb, ll, num, sV);
      Value exact =
          arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq,
                                arith::RemSIOp::create(lb, ll, num, sV), zero);
      Value dim = tensor::DimOp::create(lb, ll, p.x, 2 + i);
      Value inR = arith::AndIOp::create(
          lb, ll,
          arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::sge, num, zero),
          arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt, q, dim));
      Value ok = arith::AndIOp::create(lb, ll, exact, inR);
      valid = valid ? Value(arith::AndIOp::create(lb, ll, valid, ok)) : ok;
      xAt.push_back(arith::SelectOp::create(lb, ll, ok, q, zero));
      wAt.push_back(ivs[1 + i]);
    }
    Value xv = tensor::ExtractOp::create(lb, ll, p.x, xAt);
    Value wv = tensor::ExtractOp::create(lb, ll, p.w, wAt);
    Value prod = arith::MulFOp::create(lb, ll, xv, wv);
    Value sum = arith::AddFOp::create(lb, ll, acc, prod);
    return arith::SelectOp::create(lb, ll, valid, sum, acc);
  }

  OpBuilder &b;
  Location l;
  const ConvTransposePlan &p;
  SmallVector<Value> o;
  Value cigV, ocl, cBase, zero, one;
};

/// ConvTranspose (1-D, 2-D, 3-D; strides, dilations, pads or auto_pad or
/// output_shape, output_padding, groups, bias) in gather form: a generic
/// over the output whose body loops (scf.for) over the group's input
/// channels and the kernel taps, reading x[n, c, i] with
/// o = i * stride + k * dilation - pad_begin wherever that i is integral and
/// in range. The output sizes are the result type's (ONNX shape inference
/// fills them in) or computed from the attributes.
struct ConvTransposeToLinalg : OpRewritePattern<onnxir::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvTransposeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    ConvTransposePlan p;
    if (failed(matchConvTranspose(op, rw, p)))
      return failure();
    SmallVector<OpFoldResult> sizes = convTransposeSizes(rw, loc, p);
    int64_t r = p.rt.getRank();
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{p.rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, p.rt, sizes)},
        {rw.getMultiDimIdentityMap(r)}, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          linalg::YieldOp::create(b, l, ConvTransposeBody(b, l, p).build());
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxConvToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvToLinalg, ConvTransposeToLinalg>(patterns.getContext());
}
