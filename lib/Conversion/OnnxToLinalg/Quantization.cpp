//===- Quantization.cpp - ONNX quantization ops to linalg -------*- C++ -*-===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv, with the ONNX semantics:
//
//   quantize(v)   = saturate(round_half_even(v / scale) + zero_point)
//   dequantize(q) = (q - zero_point) * scale
//
// saturating to the range of the quantized type (uint8 or int8, read from
// the zero point's type, uint8 when it is absent). Scales and zero points
// are per tensor (rank 0 or one element) or per axis (1-D): along `axis` for
// (De)QuantizeLinear, per row of A / per column of B for the matmuls, per
// output channel for the convolutions' weights. The Integer ops subtract
// the zero points in int32 and accumulate in int32; the QLinear ops
// requantize that accumulator in float32 with the combined scale
// a_scale * b_scale / y_scale. Quantized types reach this file as ui8/i8
// (see OnnxToLinalg.cpp on unsigned types): the extensions and conversions
// below pick the unsigned variants from them.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

/// An operand of a generic with the map that reads it.
struct Operand {
  Value value;
  AffineMap map;
};

/// How a scale or zero point `p` is read inside loops over `nLoops` dims:
/// rank 0 or one element: the same element everywhere; 1-D: indexed by loop
/// `dim` of size `size` (a dynamic 1-D `p` that holds one element at run
/// time is broadcast to it); with `dim` < 0 only per-tensor forms are
/// accepted. None when `p` is absent; failure for any other shape.
FailureOr<std::optional<Operand>> paramOperand(OpBuilder &b, Location loc,
                                               Value p, int64_t nLoops,
                                               int64_t dim, OpFoldResult size) {
  MLIRContext *ctx = b.getContext();
  if (isNone(p))
    return std::optional<Operand>();
  auto t = llvm::dyn_cast<RankedTensorType>(p.getType());
  if (!t || t.getRank() > 1)
    return failure();
  if (t.getRank() == 0)
    return std::optional<Operand>(Operand{p, AffineMap::get(nLoops, 0, ctx)});
  bool one = t.getDimSize(0) == 1 || (dim < 0 && t.isDynamicDim(0));
  if (one)
    return std::optional<Operand>(Operand{
        p, AffineMap::get(nLoops, 0, getAffineConstantExpr(0, ctx), ctx)});
  if (dim < 0)
    return failure();
  std::optional<int64_t> n = getConstantIntValue(size);
  if (!t.isDynamicDim(0) && n && t.getDimSize(0) != *n)
    return failure();
  if (t.isDynamicDim(0))
    p = expandDynamicDims(b, loc, p, {size});
  return std::optional<Operand>(
      Operand{p, AffineMap::get(nLoops, 0, getAffineDimExpr(dim, ctx), ctx)});
}

/// A generic over loops with the shape of `result` (sizes `sizes`), reading
/// `ins`; `body` gets their scalars.
Value generic(OpBuilder &b, Location loc, RankedTensorType result,
              ArrayRef<OpFoldResult> sizes, ArrayRef<Operand> ins,
              function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  for (const Operand &o : ins) {
    values.push_back(o.value);
    maps.push_back(o.map);
  }
  maps.push_back(b.getMultiDimIdentityMap(result.getRank()));
  SmallVector<utils::IteratorType> iters(result.getRank(),
                                         utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{result}, values,
             ValueRange{emptyTensor(b, loc, result, sizes)}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, body(nb, l, a.drop_back()));
             })
      .getResult(0);
}

Operand identity(OpBuilder &b, Value v) {
  return {v, b.getMultiDimIdentityMap(
                 llvm::cast<RankedTensorType>(v.getType()).getRank())};
}

/// An integer or float scalar as f32 (unsigned integers as unsigned).
Value toF32(OpBuilder &b, Location l, Value v) {
  Type t = v.getType(), f32 = b.getF32Type();
  if (t == f32)
    return v;
  if (auto ft = llvm::dyn_cast<FloatType>(t))
    return ft.getWidth() < 32 ? Value(arith::ExtFOp::create(b, l, f32, v))
                              : Value(arith::TruncFOp::create(b, l, f32, v));
  if (t.isUnsignedInteger())
    return arith::UIToFPOp::create(b, l, f32, v);
  return arith::SIToFPOp::create(b, l, f32, v);
}

/// A float scalar as `t` (a float type).
Value fromF32(OpBuilder &b, Location l, Value v, Type t) {
  if (t == v.getType())
    return v;
  if (llvm::cast<FloatType>(t).getWidth() < 32)
    return arith::TruncFOp::create(b, l, t, v);
  return arith::ExtFOp::create(b, l, t, v);
}

/// An 8/16/32-bit integer scalar as i32 (zero- or sign-extended by its
/// signedness).
Value toI32(OpBuilder &b, Location l, Value v) {
  Type i32 = b.getI32Type();
  unsigned w = v.getType().getIntOrFloatBitWidth();
  if (w == 32)
    return v;
  if (v.getType().isUnsignedInteger())
    return arith::ExtUIOp::create(b, l, i32, v);
  return arith::ExtSIOp::create(b, l, i32, v);
}

/// The range of quantized type `q`.
std::pair<double, double> qRange(Type q) {
  unsigned w = q.getIntOrFloatBitWidth();
  if (q.isUnsignedInteger())
    return {0.0, std::ldexp(1.0, w) - 1};
  return {-std::ldexp(1.0, w - 1), std::ldexp(1.0, w - 1) - 1};
}

/// saturate(round_half_even(v) + zp) as `q`; v and zp are f32 (zp already
/// integral). A NaN gives the low end of the range.
Value quantizeScalar(OpBuilder &b, Location l, Value v, Value zp, Type q) {
  auto [lo, hi] = qRange(q);
  Type f32 = b.getF32Type();
  Value r = arith::AddFOp::create(b, l, math::RoundEvenOp::create(b, l, v), zp);
  // maxnumf: a NaN saturates to the low end instead of reaching fptosi
  // (whose result would be poison).
  r = arith::MaxNumFOp::create(b, l, r, scalarConst(b, l, f32, lo));
  r = arith::MinNumFOp::create(b, l, r, scalarConst(b, l, f32, hi));
  Value i = arith::FPToSIOp::create(b, l, b.getI32Type(), r);
  if (q.getIntOrFloatBitWidth() == 32)
    return i;
  return arith::TruncIOp::create(b, l, q, i);
}

bool isQuantizedType(Type t) {
  return t.isInteger(8) || t.isUnsignedInteger(8);
}

RankedTensorType ranked(Value v) {
  return llvm::dyn_cast<RankedTensorType>(v.getType());
}

/// The operands of a QuantizeLinear / DequantizeLinear generic: x, the scale
/// and (when given) the zero point, per tensor or along `axisAttr` (the
/// op's axis, default 1; past the rank of a rank-0/1 x only the per-tensor
/// forms). Failure for parameters of any other shape.
FailureOr<SmallVector<Operand>> linearOperands(OpBuilder &b, Location loc,
                                               Operation *op, Value x,
                                               int64_t axisAttr) {
  int64_t r = ranked(x).getRank();
  int64_t axis = normalizeAxis(axisAttr, r);
  if (axis < 0 || axis >= r)
    axis = -1;
  OpFoldResult size =
      axis >= 0 ? tensor::getMixedSize(b, loc, x, axis) : OpFoldResult();
  Value zpV = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
  auto scale = paramOperand(b, loc, op->getOperand(1), r, axis, size);
  auto zp = paramOperand(b, loc, zpV, r, axis, size);
  if (failed(scale) || !*scale || failed(zp))
    return failure();
  SmallVector<Operand> ins = {identity(b, x), **scale};
  if (*zp)
    ins.push_back(**zp);
  return ins;
}

/// QuantizeLinear(x, y_scale[, y_zero_point]) {axis}.
struct QuantizeLinearToLinalg : OpRewritePattern<onnxir::QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::QuantizeLinearOp op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    Value x = op->getOperand(0);
    auto xt = ranked(x);
    auto rt = ranked(op->getResult(0));
    if (!xt || !rt || !isQuantizedType(rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked x and a uint8/int8 y");
    FailureOr<SmallVector<Operand>> ins =
        linearOperands(rw, loc, op, x, op.getAxis());
    if (failed(ins))
      return rw.notifyMatchFailure(op, "scale and zero point must be "
                                       "scalars or 1-D along axis");
    Type q = rt.getElementType();
    Value y = generic(rw, loc, rt, tensor::getMixedSizes(rw, loc, x), *ins,
                      [&](OpBuilder &b, Location l, ValueRange a) {
                        Value v = arith::DivFOp::create(b, l, toF32(b, l, a[0]),
                                                        toF32(b, l, a[1]));
                        Value z = a.size() > 2
                                      ? toF32(b, l, a[2])
                                      : scalarConst(b, l, b.getF32Type(), 0);
                        return quantizeScalar(b, l, v, z, q);
                      });
    rw.replaceOp(op, y);
    return success();
  }
};

/// DequantizeLinear(x, x_scale[, x_zero_point]) {axis}.
struct DequantizeLinearToLinalg : OpRewritePattern<onnxir::DequantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::DequantizeLinearOp op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    Value x = op->getOperand(0);
    auto xt = ranked(x);
    auto rt = ranked(op->getResult(0));
    if (!xt || !rt || !llvm::isa<IntegerType>(xt.getElementType()) ||
        xt.getElementType().getIntOrFloatBitWidth() > 32 ||
        !llvm::isa<FloatType>(rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs an 8/32-bit integer x");
    FailureOr<SmallVector<Operand>> ins =
        linearOperands(rw, loc, op, x, op.getAxis());
    if (failed(ins))
      return rw.notifyMatchFailure(op, "scale and zero point must be "
                                       "scalars or 1-D along axis");
    Type elem = rt.getElementType();
    Value y = generic(
        rw, loc, rt, tensor::getMixedSizes(rw, loc, x), *ins,
        [&](OpBuilder &b, Location l, ValueRange a) {
          // The difference is exact in int32, then scaled in f32.
          Value d = toI32(b, l, a[0]);
          if (a.size() > 2)
            d = arith::SubIOp::create(b, l, d, toI32(b, l, a[2]));
          Value f = arith::SIToFPOp::create(b, l, b.getF32Type(), d);
          return fromF32(
              b, l, arith::MulFOp::create(b, l, f, toF32(b, l, a[1])), elem);
        });
    rw.replaceOp(op, y);
    return success();
  }
};

/// DynamicQuantizeLinear(x) -> y (uint8), y_scale, y_zero_point: the
/// range [min(0, min x), max(0, max x)] mapped onto [0, 255].
struct DynamicQuantizeLinearToLinalg
    : OpRewritePattern<onnxir::DynamicQuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::DynamicQuantizeLinearOp op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    Value x = op->getOperand(0);
    auto xt = ranked(x);
    auto yt = ranked(op->getResult(0));
    auto st = ranked(op->getResult(1));
    auto zt = ranked(op->getResult(2));
    if (!xt || !yt || !st || !zt || !xt.getElementType().isF32() ||
        !isQuantizedType(yt.getElementType()) || st.getRank() != 0 ||
        zt.getRank() != 0)
      return rw.notifyMatchFailure(op, "needs f32 x and rank-0 scale/zp");
    Type f32 = rw.getF32Type(), q = yt.getElementType();
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < xt.getRank(); ++i)
      all.push_back(i);
    auto extreme = [&](bool isMax) -> Value {
      Value init = isMax ? lowest(rw, loc, f32) : highest(rw, loc, f32);
      Value red = reduceDims(
          rw, loc, x, all, init,
          [&](OpBuilder &b, Location l, Value acc, Value v) -> Value {
            if (isMax)
              return arith::MaximumFOp::create(b, l, acc, v);
            return arith::MinimumFOp::create(b, l, acc, v);
          });
      Value v = tensor::ExtractOp::create(rw, loc, red, ValueRange{});
      Value zero = scalarConst(rw, loc, f32, 0);
      return isMax ? Value(arith::MaximumFOp::create(rw, loc, v, zero))
                   : Value(arith::MinimumFOp::create(rw, loc, v, zero));
    };
    Value mx = extreme(true), mn = extreme(false);
    auto [lo, hi] = qRange(q);
    Value scale =
        arith::DivFOp::create(rw, loc, arith::SubFOp::create(rw, loc, mx, mn),
                              scalarConst(rw, loc, f32, hi - lo));
    // An all-zero x has scale 0: divide by 1 instead (y and the zero point
    // are then 0) rather than produce NaNs.
    Value isZero = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OEQ,
                                         scale, scalarConst(rw, loc, f32, 0));
    Value divisor = arith::SelectOp::create(
        rw, loc, isZero, scalarConst(rw, loc, f32, 1), scale);
    // zero_point = saturate(round(qmin - min / scale)).
    Value zpF =
        arith::SubFOp::create(rw, loc, scalarConst(rw, loc, f32, lo),
                              arith::DivFOp::create(rw, loc, mn, divisor));
    zpF = math::RoundEvenOp::create(rw, loc, zpF);
    zpF =
        arith::MaximumFOp::create(rw, loc, zpF, scalarConst(rw, loc, f32, lo));
    zpF =
        arith::MinimumFOp::create(rw, loc, zpF, scalarConst(rw, loc, f32, hi));
    Value zpQ = quantizeScalar(rw, loc, zpF, scalarConst(rw, loc, f32, 0), q);
    Value y =
        generic(rw, loc, yt, tensor::getMixedSizes(rw, loc, x),
                {identity(rw, x)}, [&](OpBuilder &b, Location l, ValueRange a) {
                  return quantizeScalar(
                      b, l, arith::DivFOp::create(b, l, a[0], divisor), zpF, q);
                });
    rw.replaceOp(op, {y, tensor::FromElementsOp::create(rw, loc, st, scale),
                      tensor::FromElementsOp::create(rw, loc, zt, zpQ)});
    return success();
  }
};

/// The int32 product (A - a_zero_point) x (B - b_zero_point) of A (..., M,
/// K) and B (..., K, N), numpy-broadcast batch dims, into `rt` (i32): one
/// generic over (batch..., m, n, k). a_zero_point is per tensor or per row
/// (M), b_zero_point per tensor or per column (N). Failure for other forms.
FailureOr<Value> integerMatMul(OpBuilder &b, Location loc, Value a, Value bm,
                               Value azp, Value bzp, RankedTensorType rt) {
  MLIRContext *ctx = b.getContext();
  auto at = ranked(a), bt = ranked(bm);
  if (!at || !bt || at.getRank() < 2 || bt.getRank() < 2 ||
      rt.getRank() != std::max(at.getRank(), bt.getRank()))
    return failure();
  int64_t ra = at.getRank(), rb = bt.getRank(), rr = rt.getRank();
  int64_t nb = rr - 2, m = nb, n = nb + 1, k = nb + 2, nLoops = rr + 1;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  // Result sizes: batch dims from whichever operand has them (the larger
  // run-time size when both are dynamic), M from A, N from B.
  SmallVector<OpFoldResult> sizes;
  for (int64_t r = 0; r < nb; ++r) {
    if (!rt.isDynamicDim(r)) {
      sizes.push_back(b.getIndexAttr(rt.getDimSize(r)));
      continue;
    }
    SmallVector<Value> dyn;
    std::optional<int64_t> fixed;
    for (auto [v, t] : {std::pair(a, at), std::pair(bm, bt)}) {
      int64_t i = r - (nb - (t.getRank() - 2));
      if (i < 0 || t.getDimSize(i) == 1)
        continue;
      if (!t.isDynamicDim(i))
        fixed = t.getDimSize(i);
      else
        dyn.push_back(tensor::DimOp::create(b, loc, v, i));
    }
    if (fixed)
      sizes.push_back(b.getIndexAttr(*fixed));
    else if (dyn.empty())
      sizes.push_back(b.getIndexAttr(1));
    else if (dyn.size() == 1)
      sizes.push_back(dyn[0]);
    else
      sizes.push_back(Value(arith::MaxSIOp::create(b, loc, dyn[0], dyn[1])));
  }
  sizes.push_back(tensor::getMixedSize(b, loc, a, ra - 2));
  sizes.push_back(tensor::getMixedSize(b, loc, bm, rb - 1));
  // Batch maps (static size-1 dims broadcast), and dynamic batch dims that
  // may be 1 at run time expanded to the result's size.
  auto batch = [&](Value &v, RankedTensorType t) {
    SmallVector<AffineExpr> es;
    SmallVector<OpFoldResult> targets(t.getRank(), OpFoldResult());
    int64_t tb = t.getRank() - 2;
    for (int64_t i = 0; i < tb; ++i) {
      int64_t r = nb - tb + i;
      es.push_back(t.getDimSize(i) == 1 && rt.getDimSize(r) != 1
                       ? getAffineConstantExpr(0, ctx)
                       : d(r));
      if (t.isDynamicDim(i) && rt.getDimSize(r) != 1)
        targets[i] = sizes[r];
    }
    v = expandDynamicDims(b, loc, v, targets);
    return es;
  };
  SmallVector<AffineExpr> aEs = batch(a, at), bEs = batch(bm, bt);
  aEs.append({d(m), d(k)});
  bEs.append({d(k), d(n)});
  SmallVector<AffineExpr> outEs;
  for (int64_t i = 0; i < rr; ++i)
    outEs.push_back(d(i));
  SmallVector<Value> ins = {a, bm};
  SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, aEs, ctx),
                                 AffineMap::get(nLoops, 0, bEs, ctx)};
  auto azpOp = paramOperand(b, loc, azp, nLoops, m, sizes[m]);
  auto bzpOp = paramOperand(b, loc, bzp, nLoops, n, sizes[n]);
  if (failed(azpOp) || failed(bzpOp))
    return failure();
  for (const std::optional<Operand> &o : {*azpOp, *bzpOp})
    if (o) {
      ins.push_back(o->value);
      maps.push_back(o->map);
    }
  maps.push_back(AffineMap::get(nLoops, 0, outEs, ctx));
  Value zero = scalarConst(b, loc, b.getI32Type(), 0);
  Value init =
      linalg::FillOp::create(b, loc, zero, emptyTensor(b, loc, rt, sizes))
          .getResult(0);
  SmallVector<utils::IteratorType> iters(rr, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  bool hasA = bool(*azpOp), hasB = bool(*bzpOp);
  return linalg::GenericOp::create(
             b, loc, TypeRange{rt}, ins, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange x) {
               Value av = toI32(nb, l, x[0]), bv = toI32(nb, l, x[1]);
               size_t i = 2;
               if (hasA)
                 av = arith::SubIOp::create(nb, l, av, toI32(nb, l, x[i++]));
               if (hasB)
                 bv = arith::SubIOp::create(nb, l, bv, toI32(nb, l, x[i++]));
               Value p = arith::MulIOp::create(nb, l, av, bv);
               linalg::YieldOp::create(
                   nb, l, Value(arith::AddIOp::create(nb, l, x.back(), p)));
             })
      .getResult(0);
}

/// `x` - `zp` as an i32 tensor; zp per tensor or (when `dim` >= 0) 1-D along
/// dim `dim` of x.
FailureOr<Value> subtractZeroPoint(OpBuilder &b, Location loc, Value x,
                                   Value zp, int64_t dim) {
  auto xt = ranked(x);
  auto zpOp = paramOperand(b, loc, zp, xt.getRank(), dim,
                           dim >= 0 ? tensor::getMixedSize(b, loc, x, dim)
                                    : OpFoldResult());
  if (failed(zpOp))
    return failure();
  SmallVector<Operand> ins = {identity(b, x)};
  if (*zpOp)
    ins.push_back(**zpOp);
  auto t = RankedTensorType::get(xt.getShape(), b.getI32Type());
  return generic(b, loc, t, tensor::getMixedSizes(b, loc, x), ins,
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   Value v = toI32(nb, l, a[0]);
                   if (a.size() > 1)
                     v = arith::SubIOp::create(nb, l, v, toI32(nb, l, a[1]));
                   return v;
                 });
}

/// The int32 convolution of (x - x_zero_point) and (w - w_zero_point)
/// [+ bias] into `rt` (i32): x_zero_point per tensor, w_zero_point per
/// tensor or per output channel. Subtracting before the zero padding pads
/// with the zero point, as ONNX does.
FailureOr<Value> integerConv(OpBuilder &b, Location loc, Operation *op, Value x,
                             Value w, Value xzp, Value wzp, Value bias,
                             RankedTensorType rt) {
  auto xt = ranked(x), wt = ranked(w);
  if (!xt || !wt || xt.getRank() < 3)
    return failure();
  ConvParams p;
  if (failed(readConvParams(op, xt, wt, p)))
    return failure();
  auto xs = subtractZeroPoint(b, loc, x, xzp, -1);
  auto ws = subtractZeroPoint(b, loc, w, wzp, 0);
  if (failed(xs) || failed(ws))
    return failure();
  return buildConv(b, loc, *xs, *ws, bias, rt, p);
}

/// MatMulInteger(A, B[, a_zero_point, b_zero_point]) -> int32.
struct MatMulIntegerToLinalg : OpRewritePattern<onnxir::MatMulIntegerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::MatMulIntegerOp op,
                                PatternRewriter &rw) const override {
    auto rt = ranked(op->getResult(0));
    auto opnd = [&](unsigned i) {
      return i < op->getNumOperands() ? op->getOperand(i) : Value();
    };
    if (!rt || !rt.getElementType().isInteger(32))
      return rw.notifyMatchFailure(op, "needs a ranked int32 result");
    auto y =
        integerMatMul(rw, op->getLoc(), opnd(0), opnd(1), opnd(2), opnd(3), rt);
    if (failed(y))
      return rw.notifyMatchFailure(
          op, "needs operands of rank >= 2 and per-tensor, per-row (A) or "
              "per-column (B) zero points");
    rw.replaceOp(op, *y);
    return success();
  }
};

/// ConvInteger(x, w[, x_zero_point, w_zero_point]) -> int32.
struct ConvIntegerToLinalg : OpRewritePattern<onnxir::ConvIntegerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvIntegerOp op,
                                PatternRewriter &rw) const override {
    auto rt = ranked(op->getResult(0));
    auto opnd = [&](unsigned i) {
      return i < op->getNumOperands() ? op->getOperand(i) : Value();
    };
    if (!rt || !rt.getElementType().isInteger(32))
      return rw.notifyMatchFailure(op, "needs a ranked int32 result");
    auto y = integerConv(rw, op->getLoc(), op, opnd(0), opnd(1), opnd(2),
                         opnd(3), Value(), rt);
    if (failed(y))
      return rw.notifyMatchFailure(op, "unsupported ConvInteger form");
    rw.replaceOp(op, *y);
    return success();
  }
};

/// requantize(acc) = saturate(round(acc * s1 * s2 / ys) + yzp) over the
/// int32 accumulator `acc`, each parameter read through its operand (or,
/// for an absent zero point, 0), into `rt`.
Value requantize(OpBuilder &b, Location loc, Value acc, RankedTensorType rt,
                 Operand s1, Operand s2, Operand ys,
                 std::optional<Operand> yzp) {
  SmallVector<Operand> ins = {identity(b, acc), s1, s2, ys};
  if (yzp)
    ins.push_back(*yzp);
  Type q = rt.getElementType();
  return generic(b, loc, rt, tensor::getMixedSizes(b, loc, acc), ins,
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   Value scale = arith::DivFOp::create(
                       nb, l,
                       arith::MulFOp::create(nb, l, toF32(nb, l, a[1]),
                                             toF32(nb, l, a[2])),
                       toF32(nb, l, a[3]));
                   Value v =
                       arith::MulFOp::create(nb, l, toF32(nb, l, a[0]), scale);
                   Value z = a.size() > 4
                                 ? toF32(nb, l, a[4])
                                 : scalarConst(nb, l, nb.getF32Type(), 0);
                   return quantizeScalar(nb, l, v, z, q);
                 });
}

/// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp).
struct QLinearMatMulToLinalg : OpRewritePattern<onnxir::QLinearMatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::QLinearMatMulOp op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    auto rt = ranked(op->getResult(0));
    if (!rt || rt.getRank() < 2 || !isQuantizedType(rt.getElementType()) ||
        op->getNumOperands() != 8)
      return rw.notifyMatchFailure(op, "needs a ranked uint8/int8 result");
    auto accType = RankedTensorType::get(rt.getShape(), rw.getI32Type());
    auto acc = integerMatMul(rw, loc, op->getOperand(0), op->getOperand(3),
                             op->getOperand(2), op->getOperand(5), accType);
    if (failed(acc))
      return rw.notifyMatchFailure(
          op, "needs operands of rank >= 2 and per-tensor, per-row (a) or "
              "per-column (b) parameters");
    // Per row (a, y) and per column (b) of the result.
    int64_t r = rt.getRank();
    OpFoldResult rows = tensor::getMixedSize(rw, loc, *acc, r - 2);
    OpFoldResult cols = tensor::getMixedSize(rw, loc, *acc, r - 1);
    auto as = paramOperand(rw, loc, op->getOperand(1), r, r - 2, rows);
    auto bs = paramOperand(rw, loc, op->getOperand(4), r, r - 1, cols);
    auto ys = paramOperand(rw, loc, op->getOperand(6), r, r - 2, rows);
    auto yzp = paramOperand(rw, loc, op->getOperand(7), r, r - 2, rows);
    if (failed(as) || failed(bs) || failed(ys) || failed(yzp) || !*as || !*bs ||
        !*ys)
      return rw.notifyMatchFailure(op, "unsupported scale shapes");
    rw.replaceOp(op, requantize(rw, loc, *acc, rt, **as, **bs, **ys, *yzp));
    return success();
  }
};

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B]).
struct QLinearConvToLinalg : OpRewritePattern<onnxir::QLinearConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::QLinearConvOp op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    auto rt = ranked(op->getResult(0));
    if (!rt || rt.getRank() < 3 || !isQuantizedType(rt.getElementType()) ||
        op->getNumOperands() < 8)
      return rw.notifyMatchFailure(op, "needs a ranked uint8/int8 result");
    Value bias = op->getNumOperands() > 8 ? op->getOperand(8) : Value();
    if (bias && !isNone(bias) &&
        (!ranked(bias) || !ranked(bias).getElementType().isInteger(32)))
      return rw.notifyMatchFailure(op, "needs an int32 bias");
    auto accType = RankedTensorType::get(rt.getShape(), rw.getI32Type());
    auto acc = integerConv(rw, loc, op, op->getOperand(0), op->getOperand(3),
                           op->getOperand(2), op->getOperand(5), bias, accType);
    if (failed(acc))
      return rw.notifyMatchFailure(op, "unsupported QLinearConv form");
    // x and y per tensor, w per tensor or per output channel (dim 1).
    int64_t r = rt.getRank();
    auto xs = paramOperand(rw, loc, op->getOperand(1), r, -1, {});
    auto ws = paramOperand(rw, loc, op->getOperand(4), r, 1,
                           tensor::getMixedSize(rw, loc, *acc, 1));
    auto ys = paramOperand(rw, loc, op->getOperand(6), r, -1, {});
    auto yzp = paramOperand(rw, loc, op->getOperand(7), r, -1, {});
    if (failed(xs) || failed(ws) || failed(ys) || failed(yzp) || !*xs || !*ws ||
        !*ys)
      return rw.notifyMatchFailure(op, "unsupported scale shapes");
    rw.replaceOp(op, requantize(rw, loc, *acc, rt, **xs, **ws, **ys, *yzp));
    return success();
  }
};

} // namespace

void seqc::populateOnnxQuantizationToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearToLinalg, DequantizeLinearToLinalg,
               DynamicQuantizeLinearToLinalg, MatMulIntegerToLinalg,
               ConvIntegerToLinalg, QLinearMatMulToLinalg, QLinearConvToLinalg>(
      patterns.getContext());
}
