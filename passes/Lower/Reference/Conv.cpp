//===- Conv.cpp - Reference lowering of long_conv and ssm_kernel -*- C++
//-*-===//
//
// seq.long_conv is the direct O(L K) sum, reading x with bounds checks;
// seq.ssm_kernel is the O(C N L) Vandermonde sum in complex arithmetic.
//
//===----------------------------------------------------------------------===//

#include "Lower/Reference/Utils.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::seq;

namespace {

struct LowerLongConv : OpRewritePattern<LongConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LongConvOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    Value x = op.getX(), k = op.getKernel();
    Type ft = llvm::cast<RankedTensorType>(x.getType()).getElementType();
    SmallVector<OpFoldResult> xs = sizesOf(rw, loc, x);
    Value zero = floatConst(rw, loc, ft, 0.0);
    AffineExpr d0, d1, d2, d3;
    bindDims(ctx, d0, d1, d2, d3);
    auto map = [&](unsigned n, ArrayRef<AffineExpr> es) {
      return AffineMap::get(n, 0, es, ctx);
    };
    Value init = filled(rw, loc, xs, ft, zero);
    if (Value bias = op.getBias())
      init = generic(rw, loc, {bias}, filled(rw, loc, xs, ft, Value()),
                     {map(3, {d1}), map(3, {d0, d1, d2})}, "ppp",
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       linalg::YieldOp::create(b, l, a[0]);
                     });
    Value len = dimValue(rw, loc, x, 2);
    // Centred convolution shifts the input by (K-1) floordiv 2.
    Value shift = indexConst(rw, loc, 0);
    if (op.getMode() == ConvMode::centered)
      shift = arith::DivUIOp::create(
          rw, loc,
          arith::SubIOp::create(rw, loc, dimValue(rw, loc, k, 1),
                                indexConst(rw, loc, 1)),
          indexConst(rw, loc, 2));
    // y[b,c,t] += k[c,i] * x[b,c,t - i + shift]   (loops b, c, t, i)
    Value y = generic(
        rw, loc, {k}, init, {map(4, {d1, d3}), map(4, {d0, d1, d2})}, "pppr",
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value t = loopIndex(b, l, 2), i = loopIndex(b, l, 3);
          Value src = arith::AddIOp::create(
              b, l, arith::SubIOp::create(b, l, t, i), shift);
          Value c0 = indexConst(b, l, 0);
          Value inRange = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, src, c0),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, src, len));
          Value safe = arith::SelectOp::create(b, l, inRange, src, c0);
          Value xv = tensor::ExtractOp::create(
              b, l, x,
              ValueRange{loopIndex(b, l, 0), loopIndex(b, l, 1), safe});
          xv = arith::SelectOp::create(b, l, inRange, xv, zero);
          Value m = arith::MulFOp::create(b, l, a[0], xv);
          linalg::YieldOp::create(b, l,
                                  Value(arith::AddFOp::create(b, l, a[1], m)));
        });
    if (y.getType() != op.getType())
      y = tensor::CastOp::create(rw, loc, op.getType(), y);
    rw.replaceOp(op, y);
    return success();
  }
};

/// The complex `z` times the real `s`.
Value scaled(OpBuilder &b, Location l, Value z, Value s) {
  return complex::CreateOp::create(
      b, l, z.getType(),
      arith::MulFOp::create(b, l, complex::ReOp::create(b, l, z), s),
      arith::MulFOp::create(b, l, complex::ImOp::create(b, l, z), s));
}

struct LowerSSMKernel : OpRewritePattern<SSMKernelOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SSMKernelOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    auto kt = llvm::cast<RankedTensorType>(op.getType());
    Type ft = kt.getElementType();
    auto ct = ComplexType::get(ft);
    OpFoldResult len = op.getLength()
                           ? OpFoldResult(op.getLength())
                           : OpFoldResult(rw.getIndexAttr(kt.getDimSize(1)));
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rw, loc, op.getA(), 0), len};
    Value zero = floatConst(rw, loc, ft, 0.0);
    bool zoh = op.getDiscretization() == Discretization::zoh;
    AffineExpr d0, d1, d2;
    bindDims(ctx, d0, d1, d2);
    auto map = [&](ArrayRef<AffineExpr> es) {
      return AffineMap::get(3, 0, es, ctx);
    };
    // K[c,l] = sum_n 2 Re(C Bbar Abar^l)   (loops c, l, n)
    Value k = generic(
        rw, loc, {op.getA(), op.getB(), op.getC(), op.getLogDt()},
        filled(rw, loc, sizes, ft, zero),
        {map({d0, d2}), map({d0, d2}), map({d0, d2}), map({d0}), map({d0, d1})},
        "ppr", [&](OpBuilder &b, Location l, ValueRange a) {
          Value dt = math::ExpOp::create(b, l, a[3]);
          Value dA = scaled(b, l, a[0], dt);
          Value step = indexToFloat(b, l, loopIndex(b, l, 1), ft);
          Value one = complex::CreateOp::create(
              b, l, ct, floatConst(b, l, ft, 1.0), zero);
          Value aPow, bBar;
          if (zoh) {
            aPow = complex::ExpOp::create(b, l, scaled(b, l, dA, step));
            Value eA = complex::ExpOp::create(b, l, dA);
            bBar = complex::MulOp::create(
                b, l,
                complex::DivOp::create(
                    b, l, complex::SubOp::create(b, l, eA, one), a[0]),
                a[1]);
          } else {
            Value half = scaled(b, l, dA, floatConst(b, l, ft, 0.5));
            Value num = complex::AddOp::create(b, l, one, half);
            Value den = complex::SubOp::create(b, l, one, half);
            Value aBar = complex::DivOp::create(b, l, num, den);
            aPow = complex::ExpOp::create(
                b, l, scaled(b, l, complex::LogOp::create(b, l, aBar), step));
            bBar = complex::DivOp::create(b, l, scaled(b, l, a[1], dt), den);
          }
          Value term = complex::MulOp::create(
              b, l, complex::MulOp::create(b, l, a[2], bBar), aPow);
          Value re = complex::ReOp::create(b, l, term);
          Value twice = arith::AddFOp::create(b, l, re, re);
          linalg::YieldOp::create(
              b, l, Value(arith::AddFOp::create(b, l, a[4], twice)));
        });
    if (k.getType() != op.getType())
      k = tensor::CastOp::create(rw, loc, op.getType(), k);
    rw.replaceOp(op, k);
    return success();
  }
};

} // namespace

void seqc::populateReferenceConvPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerLongConv, LowerSSMKernel>(patterns.getContext());
}
