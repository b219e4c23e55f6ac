//===- FFT.cpp - Reference lowering of fft, rfft and irfft ------*- C++ -*-===//
//
// The O(N^2) DFT sums of the definitions. Twiddle angles are reduced exactly
// in integers ((k n) mod N) and evaluated in f64, so the oracle's error is
// the f32 summation alone.
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

static constexpr double kPi = 3.14159265358979323846;

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::seq;

namespace {

enum class Kind { C2C, R2C, C2R };

/// cos and sin of sign * 2 pi ((a b) mod n) / n in type `ft`.
std::pair<Value, Value> twiddle(OpBuilder &b, Location l, Value a, Value c,
                                Value n, double sign, Type ft) {
  Value r = arith::RemUIOp::create(b, l, arith::MulIOp::create(b, l, a, c), n);
  Type f64 = b.getF64Type();
  Value frac = arith::DivFOp::create(b, l, indexToFloat(b, l, r, f64),
                                     indexToFloat(b, l, n, f64));
  Value ang = arith::MulFOp::create(
      b, l, frac, floatConst(b, l, f64, sign * 2.0 * kPi));
  Value cs = math::CosOp::create(b, l, ang), sn = math::SinOp::create(b, l, ang);
  if (ft != f64) {
    cs = arith::TruncFOp::create(b, l, ft, cs);
    sn = arith::TruncFOp::create(b, l, ft, sn);
  }
  return {cs, sn};
}

/// Lowers one DFT-family op: loops over the result dims plus one reduction
/// loop over the input along `axis`.
LogicalResult lowerDFT(Operation *op, PatternRewriter &rw, Kind kind,
                       Value input, int64_t axis, std::optional<uint64_t> length,
                       bool inverse) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rw.getContext();
  auto it = llvm::cast<RankedTensorType>(input.getType());
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = it.getRank();
  Type ft = kind == Kind::C2R ? rt.getElementType()
                              : llvm::cast<ComplexType>(rt.getElementType())
                                    .getElementType();
  Value inLen = dimValue(rw, loc, input, axis);
  // The transform length N.
  Value n;
  if (length)
    n = indexConst(rw, loc, *length);
  else if (kind == Kind::C2R)
    n = arith::MulIOp::create(
        rw, loc, arith::SubIOp::create(rw, loc, inLen, indexConst(rw, loc, 1)),
        indexConst(rw, loc, 2));
  else
    n = inLen;
  // How much of the input is summed: N samples (truncation), or the
  // N/2+1 bins of an irfft, never more than the input holds.
  Value used = kind == Kind::C2R
                   ? arith::AddIOp::create(
                         rw, loc,
                         arith::DivUIOp::create(rw, loc, n, indexConst(rw, loc, 2)),
                         indexConst(rw, loc, 1))
                         .getResult()
                   : n;
  used = arith::MinUIOp::create(rw, loc, used, inLen);
  Value src = input;
  {
    SmallVector<OpFoldResult> offs(rank, rw.getIndexAttr(0)),
        sizes = sizesOf(rw, loc, input), strides(rank, rw.getIndexAttr(1));
    sizes[axis] = getAsOpFoldResult(used);
    src = tensor::ExtractSliceOp::create(rw, loc, input, offs, sizes, strides);
  }
  // Result sizes.
  SmallVector<OpFoldResult> outSizes = sizesOf(rw, loc, input);
  if (kind == Kind::R2C)
    outSizes[axis] = getAsOpFoldResult(Value(arith::AddIOp::create(
        rw, loc, arith::DivUIOp::create(rw, loc, n, indexConst(rw, loc, 2)),
        indexConst(rw, loc, 1))));
  else
    outSizes[axis] = getAsOpFoldResult(n);
  for (int64_t i = 0; i < rank; ++i)
    if (!rt.isDynamicDim(i))
      outSizes[i] = rw.getIndexAttr(rt.getDimSize(i));

  Value zero = floatConst(rw, loc, ft, 0.0);
  Type outElem = rt.getElementType();
  Value init =
      kind == Kind::C2R
          ? zero
          : Value(complex::CreateOp::create(rw, loc, outElem, zero, zero));
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t i = 0; i < rank; ++i) {
    inExprs.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  std::string iters = std::string(rank, 'p') + "r";
  double sign = (kind == Kind::C2R || inverse) ? 1.0 : -1.0;
  Value result = generic(
      rw, loc, {src}, filled(rw, loc, outSizes, outElem, init),
      {AffineMap::get(rank + 1, 0, inExprs, ctx),
       AffineMap::get(rank + 1, 0, outExprs, ctx)},
      iters, [&](OpBuilder &b, Location l, ValueRange a) {
        Value outIdx = loopIndex(b, l, axis), inIdx = loopIndex(b, l, rank);
        auto [cs, sn] = twiddle(b, l, outIdx, inIdx, n, sign, ft);
        auto mul = [&](Value x, Value y) -> Value {
          return arith::MulFOp::create(b, l, x, y);
        };
        auto add = [&](Value x, Value y) -> Value {
          return arith::AddFOp::create(b, l, x, y);
        };
        auto sub = [&](Value x, Value y) -> Value {
          return arith::SubFOp::create(b, l, x, y);
        };
        if (kind == Kind::C2R) {
          // Bin k counts twice unless it is DC or (N even) Nyquist, whose
          // imaginary parts are ignored.
          Value k = inIdx;
          Value single = arith::OrIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k,
                                    indexConst(b, l, 0)),
              arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::eq,
                  arith::MulIOp::create(b, l, k, indexConst(b, l, 2)), n));
          Value re = complex::ReOp::create(b, l, a[0]);
          Value im = complex::ImOp::create(b, l, a[0]);
          im = arith::SelectOp::create(b, l, single, zero, im);
          Value w = arith::SelectOp::create(b, l, single,
                                            floatConst(b, l, ft, 1.0),
                                            floatConst(b, l, ft, 2.0));
          Value term = mul(w, sub(mul(re, cs), mul(im, sn)));
          linalg::YieldOp::create(b, l, add(a[1], term));
          return;
        }
        Value xr, xi;
        if (kind == Kind::R2C) {
          xr = a[0];
          xi = zero;
        } else {
          xr = complex::ReOp::create(b, l, a[0]);
          xi = complex::ImOp::create(b, l, a[0]);
        }
        Value accR = complex::ReOp::create(b, l, a[1]);
        Value accI = complex::ImOp::create(b, l, a[1]);
        Value pr = sub(mul(xr, cs), mul(xi, sn));
        Value pi = add(mul(xr, sn), mul(xi, cs));
        linalg::YieldOp::create(
            b, l,
            Value(complex::CreateOp::create(b, l, outElem, add(accR, pr),
                                            add(accI, pi))));
      });
  // 1/N scaling of inverse transforms.
  if (kind == Kind::C2R || inverse) {
    Value invN = arith::DivFOp::create(rw, loc, floatConst(rw, loc, ft, 1.0),
                                       indexToFloat(rw, loc, n, ft));
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    result = generic(
        rw, loc, {result}, filled(rw, loc, outSizes, outElem, Value()),
        {id, id}, std::string(rank, 'p'),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value v;
          if (kind == Kind::C2R) {
            v = arith::MulFOp::create(b, l, a[0], invN);
          } else {
            Value re = arith::MulFOp::create(b, l, complex::ReOp::create(b, l, a[0]), invN);
            Value im = arith::MulFOp::create(b, l, complex::ImOp::create(b, l, a[0]), invN);
            v = complex::CreateOp::create(b, l, outElem, re, im);
          }
          linalg::YieldOp::create(b, l, v);
        });
  }
  if (result.getType() != rt)
    result = tensor::CastOp::create(rw, loc, rt, result);
  rw.replaceOp(op, result);
  return success();
}

struct LowerFFT : OpRewritePattern<FFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FFTOp op, PatternRewriter &rw) const override {
    return lowerDFT(op, rw, Kind::C2C, op.getInput(), op.getAxis(),
                    op.getLength(), op.getInverse());
  }
};

struct LowerRFFT : OpRewritePattern<RFFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RFFTOp op, PatternRewriter &rw) const override {
    return lowerDFT(op, rw, Kind::R2C, op.getInput(), op.getAxis(),
                    op.getLength(), false);
  }
};

struct LowerIRFFT : OpRewritePattern<IRFFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IRFFTOp op, PatternRewriter &rw) const override {
    return lowerDFT(op, rw, Kind::C2R, op.getInput(), op.getAxis(),
                    op.getLength(), true);
  }
};

} // namespace

void seqc::populateReferenceFFTPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerFFT, LowerRFFT, LowerIRFFT>(patterns.getContext());
}
