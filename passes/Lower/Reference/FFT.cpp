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
#include "seqc/Utils/MathConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

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
  Value ang = arith::MulFOp::create(b, l, frac,
                                    floatConst(b, l, f64, sign * 2.0 * kPi));
  Value cs = math::CosOp::create(b, l, ang),
        sn = math::SinOp::create(b, l, ang);
  if (ft != f64) {
    cs = arith::TruncFOp::create(b, l, ft, cs);
    sn = arith::TruncFOp::create(b, l, ft, sn);
  }
  return {cs, sn};
}

/// One DFT-family op as its reference lowering sees it.
struct DFTPlan {
  Kind kind;
  int64_t axis, rank;
  bool inverse;
  RankedTensorType rt;
  /// The real element type, and the result's (complex unless C2R).
  Type ft, outElem;
  /// The input's length along the axis, N, and 0 in `ft`.
  Value inLen, n, zero;

  /// 1/N-scaled transforms (inverses; irfft always), whose twiddles have
  /// the positive sign.
  bool isInverse() const { return kind == Kind::C2R || inverse; }
};

/// The transform length N: the length attribute, else 2 (M - 1) for an
/// irfft of M bins, else the input's length M.
Value transformLength(OpBuilder &rw, Location loc, const DFTPlan &p,
                      std::optional<uint64_t> length) {
  if (length)
    return indexConst(rw, loc, *length);
  if (p.kind == Kind::C2R)
    return arith::MulIOp::create(
        rw, loc,
        arith::SubIOp::create(rw, loc, p.inLen, indexConst(rw, loc, 1)),
        indexConst(rw, loc, 2));
  return p.inLen;
}

/// The part of the input that is summed: N samples (truncation), or the
/// N/2+1 bins of an irfft, never more than the input holds.
Value summedInput(OpBuilder &rw, Location loc, const DFTPlan &p, Value input) {
  Value used =
      p.kind == Kind::C2R
          ? arith::AddIOp::create(
                rw, loc,
                arith::DivUIOp::create(rw, loc, p.n, indexConst(rw, loc, 2)),
                indexConst(rw, loc, 1))
                .getResult()
          : p.n;
  used = arith::MinUIOp::create(rw, loc, used, p.inLen);
  SmallVector<OpFoldResult> offs(p.rank, rw.getIndexAttr(0)),
      sizes = sizesOf(rw, loc, input), strides(p.rank, rw.getIndexAttr(1));
  sizes[p.axis] = getAsOpFoldResult(used);
  return tensor::ExtractSliceOp::create(rw, loc, input, offs, sizes, strides);
}

/// The result's sizes: the input's with N (rfft: N/2 + 1) along the axis,
/// the result type's where static.
SmallVector<OpFoldResult> dftResultSizes(OpBuilder &rw, Location loc,
                                         const DFTPlan &p, Value input) {
  SmallVector<OpFoldResult> outSizes = sizesOf(rw, loc, input);
  if (p.kind == Kind::R2C)
    outSizes[p.axis] = getAsOpFoldResult(Value(arith::AddIOp::create(
        rw, loc, arith::DivUIOp::create(rw, loc, p.n, indexConst(rw, loc, 2)),
        indexConst(rw, loc, 1))));
  else
    outSizes[p.axis] = getAsOpFoldResult(p.n);
  for (int64_t i = 0; i < p.rank; ++i)
    if (!p.rt.isDynamicDim(i))
      outSizes[i] = rw.getIndexAttr(p.rt.getDimSize(i));
  return outSizes;
}

/// The accumulator `acc` plus one irfft term: bin k (input `x`,
/// complex) counts twice unless it is DC or (N even) Nyquist, whose
/// imaginary parts are ignored.
Value irfftTerm(OpBuilder &b, Location l, const DFTPlan &p, Value x, Value acc,
                Value k, Value cs, Value sn) {
  ArithBuilder ab(b, l);
  Value single = arith::OrIOp::create(
      b, l,
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k,
                            indexConst(b, l, 0)),
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                            arith::MulIOp::create(b, l, k, indexConst(b, l, 2)),
                            p.n));
  Value re = complex::ReOp::create(b, l, x);
  Value im = complex::ImOp::create(b, l, x);
  im = arith::SelectOp::create(b, l, single, p.zero, im);
  Value w = arith::SelectOp::create(b, l, single, floatConst(b, l, p.ft, 1.0),
                                    floatConst(b, l, p.ft, 2.0));
  Value term = ab.mul(w, ab.sub(ab.mul(re, cs), ab.mul(im, sn)));
  return ab.add(acc, term);
}

/// The complex accumulator `acc` plus one fft/rfft term: x (complex, or
/// real for an rfft) times cs + i sn.
Value complexTerm(OpBuilder &b, Location l, const DFTPlan &p, Value x,
                  Value acc, Value cs, Value sn) {
  ArithBuilder ab(b, l);
  Value xr, xi;
  if (p.kind == Kind::R2C) {
    xr = x;
    xi = p.zero;
  } else {
    xr = complex::ReOp::create(b, l, x);
    xi = complex::ImOp::create(b, l, x);
  }
  Value accR = complex::ReOp::create(b, l, acc);
  Value accI = complex::ImOp::create(b, l, acc);
  Value pr = ab.sub(ab.mul(xr, cs), ab.mul(xi, sn));
  Value pi = ab.add(ab.mul(xr, sn), ab.mul(xi, cs));
  return complex::CreateOp::create(b, l, p.outElem, ab.add(accR, pr),
                                   ab.add(accI, pi));
}

/// `result` times 1/N (the inverses).
Value scaledByInverseN(OpBuilder &rw, Location loc, const DFTPlan &p,
                       Value result, ArrayRef<OpFoldResult> outSizes) {
  Value invN = arith::DivFOp::create(rw, loc, floatConst(rw, loc, p.ft, 1.0),
                                     indexToFloat(rw, loc, p.n, p.ft));
  AffineMap id = AffineMap::getMultiDimIdentityMap(p.rank, rw.getContext());
  return generic(rw, loc, {result},
                 filled(rw, loc, outSizes, p.outElem, Value()), {id, id},
                 std::string(p.rank, 'p'),
                 [&](OpBuilder &b, Location l, ValueRange a) {
                   Value v;
                   if (p.kind == Kind::C2R) {
                     v = arith::MulFOp::create(b, l, a[0], invN);
                   } else {
                     Value re = arith::MulFOp::create(
                         b, l, complex::ReOp::create(b, l, a[0]), invN);
                     Value im = arith::MulFOp::create(
                         b, l, complex::ImOp::create(b, l, a[0]), invN);
                     v = complex::CreateOp::create(b, l, p.outElem, re, im);
                   }
                   linalg::YieldOp::create(b, l, v);
                 });
}

/// Lowers one DFT-family op: loops over the result dims plus one reduction
/// loop over the input along `axis`.
LogicalResult lowerDFT(Operation *op, PatternRewriter &rw, Kind kind,
                       Value input, int64_t axis,
                       std::optional<uint64_t> length, bool inverse) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rw.getContext();
  DFTPlan p;
  p.kind = kind;
  p.axis = axis;
  p.rank = llvm::cast<RankedTensorType>(input.getType()).getRank();
  p.inverse = inverse;
  p.rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  p.outElem = p.rt.getElementType();
  p.ft = kind == Kind::C2R
             ? p.outElem
             : llvm::cast<ComplexType>(p.outElem).getElementType();
  p.inLen = dimValue(rw, loc, input, axis);
  p.n = transformLength(rw, loc, p, length);
  Value src = summedInput(rw, loc, p, input);
  SmallVector<OpFoldResult> outSizes = dftResultSizes(rw, loc, p, input);

  p.zero = floatConst(rw, loc, p.ft, 0.0);
  Value init = kind == Kind::C2R ? p.zero
                                 : Value(complex::CreateOp::create(
                                       rw, loc, p.outElem, p.zero, p.zero));
  int64_t rank = p.rank;
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t i = 0; i < rank; ++i) {
    inExprs.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  std::string iters = std::string(rank, 'p') + "r";
  double sign = p.isInverse() ? 1.0 : -1.0;
  Value result = generic(
      rw, loc, {src}, filled(rw, loc, outSizes, p.outElem, init),
      {AffineMap::get(rank + 1, 0, inExprs, ctx),
       AffineMap::get(rank + 1, 0, outExprs, ctx)},
      iters, [&](OpBuilder &b, Location l, ValueRange a) {
        Value outIdx = loopIndex(b, l, axis), inIdx = loopIndex(b, l, rank);
        auto [cs, sn] = twiddle(b, l, outIdx, inIdx, p.n, sign, p.ft);
        linalg::YieldOp::create(
            b, l,
            kind == Kind::C2R ? irfftTerm(b, l, p, a[0], a[1], inIdx, cs, sn)
                              : complexTerm(b, l, p, a[0], a[1], cs, sn));
      });
  if (p.isInverse())
    result = scaledByInverseN(rw, loc, p, result, outSizes);
  if (result.getType() != p.rt)
    result = tensor::CastOp::create(rw, loc, p.rt, result);
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
  LogicalResult matchAndRewrite(IRFFTOp op,
                                PatternRewriter &rw) const override {
    return lowerDFT(op, rw, Kind::C2R, op.getInput(), op.getAxis(),
                    op.getLength(), true);
  }
};

} // namespace

void seqc::populateReferenceFFTPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerFFT, LowerRFFT, LowerIRFFT>(patterns.getContext());
}
