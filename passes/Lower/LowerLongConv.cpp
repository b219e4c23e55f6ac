//===- LowerLongConv.cpp - seq-lower-long-conv ------------------*- C++ -*-===//
//
// Implements `seq-lower-long-conv`: seq.long_conv with impl = fft becomes an
// FFT convolution generated as linalg on tensors.
//
// Layout: every signal is a pair of planar tensors (real, imaginary) of shape
// N x P x Q with the transform along dim 0 and the channels (P x Q = B x C)
// innermost, so each butterfly is one vector operation across channels and
// the generated loops vectorize without shuffles.
//
// Transform: self-sorting (Stockham, out of place) stages. A static N takes
// the mixed-radix stages of FFTBuilder (radix 4, then one radix 2 when
// log2 N is odd); a run-time N, log2 N radix-2 stages in an scf.for; stage
// s (span m = 2^s) computes, for every output row o,
//   j = o >> (s+1), t = (o >> s) & 1, k = o & (m-1), src = k + j m,
//   a = in[src], b = in[src + N/2], w = exp(-2 pi i j m / N)
//   out[o] = t == 0 ? a + b : (a - b) w.
// Twiddles are constant tables when N is static. The inverse transform is
// the forward one applied to the conjugate; the real part is all we keep.
//
// impl = overlap_save runs the same code on frames of n points (see
// LongConvToOverlapSave); impl = direct is in LongConvDirect.cpp.
//
//===----------------------------------------------------------------------===//

#include "Lower/FFTBuilder.h"
#include "Lower/LongConv.h"
#include "Lower/Reference/Utils.h"
#include "seqc/Utils/ConstantData.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

#include <complex>

namespace seqc {
#define GEN_PASS_DEF_SEQLOWERLONGCONVPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::fft;

namespace {

/// Channels per block: the FFT convolution runs block by block (in an
/// scf.forall, one block per task), so that a block's planes (N x B x 16
/// complex columns, two channels each) stay in cache through all log2 N
/// stages instead of streaming the whole signal from memory once per stage.
/// Two channels per column of the planes' kSignalBlock columns (FFTBuilder.h:
/// a layout block, not the target's vector width).
static constexpr int64_t kChannelBlock = 2 * kSignalBlock;

/// The constant spectrum (N x 1 x C, planar) of a constant kernel C x K.
Planar constantSpectrum(OpBuilder &b, Location loc, ArrayRef<float> k,
                        int64_t c, int64_t kLen, int64_t n, Type ft) {
  std::vector<float> re(n * c), im(n * c);
  std::vector<std::complex<double>> buf(n);
  for (int64_t ch = 0; ch < c; ++ch) {
    std::fill(buf.begin(), buf.end(), std::complex<double>());
    for (int64_t i = 0; i < kLen; ++i)
      buf[i] = k[ch * kLen + i];
    hostFFT(buf);
    for (int64_t f = 0; f < n; ++f) {
      re[f * c + ch] = float(buf[f].real());
      im[f * c + ch] = float(buf[f].imag());
    }
  }
  auto t = RankedTensorType::get({n, 1, c}, ft);
  return {arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(t, ArrayRef<float>(re))),
          arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(t, ArrayRef<float>(im)))};
}

/// What every block of the convolution shares.
struct ConvContext {
  Length len;
  Value lVal, kVal, shift, invN;
  Type ft;
  /// Overlap-save frames: the transform's row t reads x[start + t] (zero
  /// outside [0, L)), and `outLen` outputs are kept (default: from 0, L).
  Value start;
  OpFoldResult outLen;
};

/// x[.., src] is read for transform row `row`: whether src lies in [0, L)
/// and a safe index.
std::pair<Value, Value> sourceRow(OpBuilder &b, Location l,
                                  const ConvContext &cx, Value row) {
  if (!cx.start) {
    Value in =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, row, cx.lVal);
    return {in, arith::SelectOp::create(b, l, in, row, indexConst(b, l, 0))};
  }
  Value src = arith::AddIOp::create(b, l, cx.start, row);
  Value in = arith::AndIOp::create(
      b, l,
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, src,
                            indexConst(b, l, 0)),
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, src, cx.lVal));
  return {in, arith::SelectOp::create(b, l, in, src, indexConst(b, l, 0))};
}

/// The output sizes: x's, with the kept length.
SmallVector<OpFoldResult> outSizes(OpBuilder &b, Location loc,
                                   const ConvContext &cx, Value x) {
  SmallVector<OpFoldResult> s = sizesOf(b, loc, x);
  if (cx.outLen)
    s[2] = cx.outLen;
  return s;
}

/// The spectrum (N x 1 x C, planar) of taps `kernel` (C x K) computed at
/// run time, for kernels that are not constants.
Planar kernelSpectrum(OpBuilder &rw, Location loc, const ConvContext &cx,
                      Value kernel) {
  MLIRContext *ctx = rw.getContext();
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  Value zero = floatConst(rw, loc, cx.ft, 0.0);
  OpFoldResult rows = cx.len.staticN
                          ? OpFoldResult(rw.getIndexAttr(*cx.len.staticN))
                          : OpFoldResult(cx.len.n);
  SmallVector<OpFoldResult> kSizes = {rows, rw.getIndexAttr(1),
                                      tensor::getMixedSize(rw, loc, kernel, 0)};
  Value kre = generic(
      rw, loc, {}, fresh(rw, loc, kSizes, cx.ft, Value()), {id3}, "ppp",
      [&](OpBuilder &b, Location l, ValueRange) {
        Value n = loopIndex(b, l, 0);
        Value in =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, n, cx.kVal);
        Value safe = arith::SelectOp::create(b, l, in, n, indexConst(b, l, 0));
        Value v = tensor::ExtractOp::create(
            b, l, kernel, ValueRange{loopIndex(b, l, 2), safe});
        linalg::YieldOp::create(
            b, l, Value(arith::SelectOp::create(b, l, in, v, zero)));
      });
  return forwardPow2(rw, loc, {kre, fresh(rw, loc, kSizes, cx.ft, zero)},
                     cx.len);
}

/// The FFT convolution of x (B x C' x L) with a kernel given either as its
/// spectrum `kf` (N x 1 x C') or as taps `kernel` (C' x K); `bias` (C') may
/// be null. Returns B x C' x L.
Value convolve(OpBuilder &rw, Location loc, const ConvContext &cx, Value x,
               Value kernel, Planar kf, Value bias) {
  MLIRContext *ctx = rw.getContext();
  Type ft = cx.ft;
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  auto map3 = [&](ArrayRef<AffineExpr> es) {
    return AffineMap::get(3, 0, es, ctx);
  };
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  Value zero = floatConst(rw, loc, ft, 0.0);
  const Length &len = cx.len;

  // x (B x C x L) -> N x B x C, zero-padded.
  SmallVector<OpFoldResult> xs = sizesOf(rw, loc, x);
  SmallVector<OpFoldResult> sigSizes = {
      len.staticN ? OpFoldResult(rw.getIndexAttr(*len.staticN))
                  : OpFoldResult(len.n),
      xs[0], xs[1]};
  Value xre = generic(
      rw, loc, {}, fresh(rw, loc, sigSizes, ft, Value()), {id3}, "ppp",
      [&](OpBuilder &b, Location l, ValueRange) {
        auto [in, safe] = sourceRow(b, l, cx, loopIndex(b, l, 0));
        Value v = tensor::ExtractOp::create(
            b, l, x, ValueRange{loopIndex(b, l, 1), loopIndex(b, l, 2), safe});
        linalg::YieldOp::create(
            b, l, Value(arith::SelectOp::create(b, l, in, v, zero)));
      });
  Planar xf =
      forwardPow2(rw, loc, {xre, fresh(rw, loc, sigSizes, ft, zero)}, len);

  // The kernel's spectrum, N x 1 x C, when it is not a constant.
  if (!kf.re)
    kf = kernelSpectrum(rw, loc, cx, kernel);

  // conj(X K), the input of the inverse through the forward transform.
  AffineMap bcast = map3({d0, rw.getAffineConstantExpr(0), d2});
  auto [zre, zim] = generic2(
      rw, loc, {xf.re, xf.im, kf.re, kf.im},
      fresh(rw, loc, sigSizes, ft, Value()),
      fresh(rw, loc, sigSizes, ft, Value()), {id3, id3, bcast, bcast, id3, id3},
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value re =
            arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[2]),
                                  arith::MulFOp::create(b, l, a[1], a[3]));
        Value im =
            arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, a[0], a[3]),
                                  arith::MulFOp::create(b, l, a[1], a[2]));
        linalg::YieldOp::create(
            b, l, ValueRange{re, arith::NegFOp::create(b, l, im)});
      });
  Planar r = forwardPow2(rw, loc, {zre, zim}, len);

  // y[b, c, t] = Re r[t + shift, b, c] / N (+ bias[c]).
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  if (bias) {
    ins.push_back(bias);
    maps.push_back(map3({d1}));
  }
  maps.push_back(id3);
  return generic(
      rw, loc, ins, fresh(rw, loc, outSizes(rw, loc, cx, x), ft, Value()), maps,
      "ppp", [&](OpBuilder &b, Location l, ValueRange a) {
        Value row = arith::AddIOp::create(b, l, loopIndex(b, l, 2), cx.shift);
        Value v = tensor::ExtractOp::create(
            b, l, r.re,
            ValueRange{row, loopIndex(b, l, 0), loopIndex(b, l, 1)});
        v = arith::MulFOp::create(b, l, v, cx.invN);
        if (a.size() > 1)
          v = arith::AddFOp::create(b, l, v, a[0]);
        linalg::YieldOp::create(b, l, v);
      });
}

/// 2 j + plus, the channel of packed column j (plus = 0: the real part's,
/// 1: the imaginary part's).
Value twice(OpBuilder &b, Location l, Value j, int64_t plus) {
  Value v = arith::MulIOp::create(b, l, j, indexConst(b, l, 2));
  return plus ? Value(arith::AddIOp::create(b, l, v, indexConst(b, l, plus)))
              : v;
}

/// Channels 2 j + parity, j < 16, of the one batch row of `t` (1 x C x T,
/// C = 32) as a 16 x T tensor.
Value parityRows(OpBuilder &b, Location loc, Value t, int64_t parity) {
  auto tt = llvm::cast<RankedTensorType>(t.getType());
  int64_t cols = tt.getDimSize(2);
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({kSignalBlock, cols}, tt.getElementType()),
      t,
      ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(parity),
                             b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(kSignalBlock),
                             b.getIndexAttr(cols)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(2),
                             b.getIndexAttr(1)});
}

/// A rows x 16 plane as the rows x 1 x 16 planes of the packed transform.
Value toPlanes3(OpBuilder &b, Location loc, Value plane) {
  auto pt = llvm::cast<RankedTensorType>(plane.getType());
  return tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({pt.getDimSize(0), 1, kSignalBlock},
                            pt.getElementType()),
      plane, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
}

/// What convolvePacked decided about x (B x C x L, C even).
struct PackedPlan {
  /// x's sizes, and the planes' (N x B x C/2).
  SmallVector<OpFoldResult> xs, sigSizes;
  int64_t channels;
  /// One batch row of 32 channels, static sizes and no frame offset: the
  /// even and odd channels move into the planes as 16x16 blocks transposed
  /// in registers (FFTLayout.cpp) instead of a gather generic (a sixth of
  /// the time at C = 256, L = K = 4096).
  bool blocked;
};

PackedPlan planPacked(OpBuilder &rw, Location loc, const ConvContext &cx,
                      Value x) {
  PackedPlan p;
  p.xs = sizesOf(rw, loc, x);
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  p.channels = xt.getDimSize(1);
  const Length &len = cx.len;
  OpFoldResult rows = len.staticN ? OpFoldResult(rw.getIndexAttr(*len.staticN))
                                  : OpFoldResult(len.n);
  p.sigSizes = {rows, p.xs[0], rw.getIndexAttr(p.channels / 2)};
  p.blocked = !cx.start && len.staticN && xt.hasStaticShape() &&
              xt.getDimSize(0) == 1 && p.channels == 2 * kSignalBlock &&
              (!cx.outLen || getConstantIntValue(cx.outLen));
  return p;
}

/// z = x_{2j} + i x_{2j+1} as N x B x C/2 planes, zero-padded (rows read
/// through sourceRow).
Planar packChannels(OpBuilder &rw, Location loc, const ConvContext &cx,
                    const PackedPlan &p, Value x, Value zero) {
  if (p.blocked)
    return {toPlanes3(rw, loc,
                      loadTransposed(rw, loc, parityRows(rw, loc, x, 0),
                                     *cx.len.staticN)),
            toPlanes3(rw, loc,
                      loadTransposed(rw, loc, parityRows(rw, loc, x, 1),
                                     *cx.len.staticN))};
  Type ft = cx.ft;
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, rw.getContext());
  auto [xre, xim] =
      generic2(rw, loc, {}, fresh(rw, loc, p.sigSizes, ft),
               fresh(rw, loc, p.sigSizes, ft), {id3, id3},
               [&](OpBuilder &b, Location l, ValueRange) {
                 Value bi = loopIndex(b, l, 1), j = loopIndex(b, l, 2);
                 auto [in, safe] = sourceRow(b, l, cx, loopIndex(b, l, 0));
                 Value v0 = tensor::ExtractOp::create(
                     b, l, x, ValueRange{bi, twice(b, l, j, 0), safe});
                 Value v1 = tensor::ExtractOp::create(
                     b, l, x, ValueRange{bi, twice(b, l, j, 1), safe});
                 linalg::YieldOp::create(
                     b, l,
                     ValueRange{arith::SelectOp::create(b, l, in, v0, zero),
                                arith::SelectOp::create(b, l, in, v1, zero)});
               });
  return {xre, xim};
}

/// conj(X1 K1 + i X2 K2), the input of the inverse through the forward
/// transform, from Z (the packed spectrum) and the kernel's spectrum kf
/// (N x 1 x C): X1 = (Z + Zc) / 2, X2 = (Z - Zc) / 2i, Zc[k] =
/// conj(Z[N-k]).
Planar packedProduct(OpBuilder &rw, Location loc, const ConvContext &cx,
                     const PackedPlan &p, const Planar &zf, const Planar &kf) {
  Type ft = cx.ft;
  const Length &len = cx.len;
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, rw.getContext());
  Value half = floatConst(rw, loc, ft, 0.5);
  auto [yre, yim] = generic2(
      rw, loc, {}, fresh(rw, loc, p.sigSizes, ft),
      fresh(rw, loc, p.sigSizes, ft), {id3, id3},
      [&](OpBuilder &b, Location l, ValueRange) {
        ArithBuilder ab(b, l);
        Value k = loopIndex(b, l, 0), bi = loopIndex(b, l, 1),
              j = loopIndex(b, l, 2);
        Value mirror = arith::RemUIOp::create(
            b, l, arith::SubIOp::create(b, l, len.n, k), len.n);
        auto at = [&](Value t, Value row) -> Value {
          return tensor::ExtractOp::create(b, l, t, ValueRange{row, bi, j});
        };
        Value a = at(zf.re, k), bb = at(zf.im, k);
        Value cc = at(zf.re, mirror), d = at(zf.im, mirror);
        Value x1r = ab.mul(ab.add(a, cc), half),
              x1i = ab.mul(ab.sub(bb, d), half);
        Value x2r = ab.mul(ab.add(bb, d), half),
              x2i = ab.mul(ab.sub(cc, a), half);
        auto kAt = [&](Value t, int64_t plus) -> Value {
          return tensor::ExtractOp::create(
              b, l, t,
              ValueRange{k, indexConst(b, l, 0), twice(b, l, j, plus)});
        };
        Value k1r = kAt(kf.re, 0), k1i = kAt(kf.im, 0);
        Value k2r = kAt(kf.re, 1), k2i = kAt(kf.im, 1);
        Value pr = ab.sub(ab.mul(x1r, k1r), ab.mul(x1i, k1i));
        Value pi = ab.add(ab.mul(x1r, k1i), ab.mul(x1i, k1r));
        Value qr = ab.sub(ab.mul(x2r, k2r), ab.mul(x2i, k2i));
        Value qi = ab.add(ab.mul(x2r, k2i), ab.mul(x2i, k2r));
        // Y = P + iQ; yield conj(Y).
        linalg::YieldOp::create(
            b, l,
            ValueRange{ab.sub(pr, qi),
                       arith::NegFOp::create(b, l, ab.add(pi, qr))});
      });
  return {yre, yim};
}

/// The blocked scatter: y[0, 2j, t] = Re r / N, y[0, 2j+1, t] = -Im r / N
/// (+ bias), scaled in the planes' layout (rows t + shift), then moved to
/// the even and odd channels with block transposes.
Value scatterBlocked(OpBuilder &rw, Location loc, const ConvContext &cx,
                     const PackedPlan &p, Value x, const Planar &r,
                     Value bias) {
  MLIRContext *ctx = rw.getContext();
  Type ft = cx.ft;
  int64_t outLen =
      cx.outLen ? *getConstantIntValue(cx.outLen)
                : llvm::cast<RankedTensorType>(x.getType()).getDimSize(2);
  SmallVector<ReassociationIndices> flat = {{0}, {1, 2}};
  Value rre = tensor::CollapseShapeOp::create(rw, loc, r.re, flat);
  Value rim = tensor::CollapseShapeOp::create(rw, loc, r.im, flat);
  SmallVector<OpFoldResult> ps = {rw.getIndexAttr(outLen),
                                  rw.getIndexAttr(kSignalBlock)};
  auto [yre, yim] = generic2(
      rw, loc, {}, fresh(rw, loc, ps, ft), fresh(rw, loc, ps, ft),
      {AffineMap::getMultiDimIdentityMap(2, ctx),
       AffineMap::getMultiDimIdentityMap(2, ctx)},
      [&](OpBuilder &b, Location l, ValueRange) {
        Value j = loopIndex(b, l, 1);
        SmallVector<Value> idx = {
            arith::AddIOp::create(b, l, loopIndex(b, l, 0), cx.shift), j};
        Value re = arith::MulFOp::create(
            b, l, tensor::ExtractOp::create(b, l, rre, idx), cx.invN);
        Value im = arith::MulFOp::create(
            b, l,
            arith::NegFOp::create(b, l,
                                  tensor::ExtractOp::create(b, l, rim, idx)),
            cx.invN);
        if (bias) {
          re = arith::AddFOp::create(
              b, l, re,
              tensor::ExtractOp::create(b, l, bias, twice(b, l, j, 0)));
          im = arith::AddFOp::create(
              b, l, im,
              tensor::ExtractOp::create(b, l, bias, twice(b, l, j, 1)));
        }
        linalg::YieldOp::create(b, l, ValueRange{re, im});
      });
  Value out = fresh(rw, loc,
                    {rw.getIndexAttr(1), rw.getIndexAttr(p.channels),
                     rw.getIndexAttr(outLen)},
                    ft);
  SmallVector<Value, 2> planes = {yre, yim};
  for (auto [parity, plane] : llvm::enumerate(planes)) {
    Value rowsOut = storeTransposed(rw, loc, plane,
                                    parityRows(rw, loc, out, int64_t(parity)));
    out = tensor::InsertSliceOp::create(
        rw, loc, rowsOut, out,
        ArrayRef<OpFoldResult>{rw.getIndexAttr(0),
                               rw.getIndexAttr(int64_t(parity)),
                               rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1),
                               rw.getIndexAttr(kSignalBlock),
                               rw.getIndexAttr(outLen)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1), rw.getIndexAttr(2),
                               rw.getIndexAttr(1)});
  }
  return out;
}

/// The generic scatter: y[b, 2j, t] = Re r / N, y[b, 2j+1, t] = -Im r / N
/// (+ bias), r read at row t + shift.
Value scatterPacked(OpBuilder &rw, Location loc, const ConvContext &cx, Value x,
                    const Planar &r, Value bias) {
  MLIRContext *ctx = rw.getContext();
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  if (bias) {
    ins.push_back(bias);
    maps.push_back(AffineMap::get(3, 0, {getAffineDimExpr(1, ctx)}, ctx));
  }
  maps.push_back(id3);
  return generic(
      rw, loc, ins, fresh(rw, loc, outSizes(rw, loc, cx, x), cx.ft), maps,
      "ppp", [&](OpBuilder &b, Location l, ValueRange a) {
        Value ch = loopIndex(b, l, 1);
        Value row = arith::AddIOp::create(b, l, loopIndex(b, l, 2), cx.shift);
        Value j = arith::DivUIOp::create(b, l, ch, indexConst(b, l, 2));
        Value odd = arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::ne,
            arith::RemUIOp::create(b, l, ch, indexConst(b, l, 2)),
            indexConst(b, l, 0));
        SmallVector<Value> idx = {row, loopIndex(b, l, 0), j};
        Value re = tensor::ExtractOp::create(b, l, r.re, idx);
        Value im = arith::NegFOp::create(
            b, l, tensor::ExtractOp::create(b, l, r.im, idx));
        Value v = arith::SelectOp::create(b, l, odd, im, re);
        v = arith::MulFOp::create(b, l, v, cx.invN);
        if (a.size() > 1)
          v = arith::AddFOp::create(b, l, v, a[0]);
        linalg::YieldOp::create(b, l, v);
      });
}

/// convolve() for an even number of channels, two channels per complex
/// transform: z = x_{2j} + i x_{2j+1}; with Z its spectrum and Zc[k] =
/// conj(Z[N-k]), the channels' spectra are X1 = (Z + Zc) / 2 and
/// X2 = (Z - Zc) / 2i, and since both outputs are real,
/// IFFT(X1 K1 + i X2 K2) = y_{2j} + i y_{2j+1}. Half the transforms.
Value convolvePacked(OpBuilder &rw, Location loc, const ConvContext &cx,
                     Value x, Value kernel, Planar kf, Value bias) {
  Value zero = floatConst(rw, loc, cx.ft, 0.0);
  PackedPlan p = planPacked(rw, loc, cx, x);
  Planar zf =
      forwardPow2(rw, loc, packChannels(rw, loc, cx, p, x, zero), cx.len);
  if (!kf.re)
    kf = kernelSpectrum(rw, loc, cx, kernel);
  Planar r =
      forwardPow2(rw, loc, packedProduct(rw, loc, cx, p, zf, kf), cx.len);
  if (p.blocked)
    return scatterBlocked(rw, loc, cx, p, x, r, bias);
  return scatterPacked(rw, loc, cx, x, r, bias);
}

/// The FFT convolution of a block: packed two channels per transform when
/// the channel count is static and even.
Value convolveBlock(OpBuilder &rw, Location loc, const ConvContext &cx, Value x,
                    Value kernel, Planar kf, Value bias) {
  int64_t channels = llvm::cast<RankedTensorType>(x.getType()).getDimSize(1);
  if (!ShapedType::isDynamic(channels) && channels % 2 == 0)
    return convolvePacked(rw, loc, cx, x, kernel, kf, bias);
  return convolve(rw, loc, cx, x, kernel, kf, bias);
}

/// The FFT convolution block by block over the channels (C a multiple of
/// kChannelBlock): one scf.forall task per block of kChannelBlock channels,
/// each with its slices of x, the kernel (or its spectrum `kf`) and the
/// bias.
Value overChannelBlocks(OpBuilder &rw, Location loc, const ConvContext &cx,
                        Value x, Value kernel, const Planar &kf, Value bias) {
  int64_t c = llvm::cast<RankedTensorType>(x.getType()).getDimSize(1);
  SmallVector<OpFoldResult> xs = sizesOf(rw, loc, x);
  Value out = fresh(rw, loc, xs, cx.ft, Value());
  auto forall = scf::ForallOp::create(
      rw, loc, ArrayRef<OpFoldResult>{rw.getIndexAttr(c / kChannelBlock)},
      ValueRange{out}, std::nullopt);
  OpBuilder::InsertionGuard guard(rw);
  rw.setInsertionPoint(forall.getTerminator());
  Value c0 = arith::MulIOp::create(rw, loc, forall.getInductionVar(0),
                                   indexConst(rw, loc, kChannelBlock));
  OpFoldResult zeroIdx = rw.getIndexAttr(0), oneIdx = rw.getIndexAttr(1);
  OpFoldResult blk = rw.getIndexAttr(kChannelBlock);
  SmallVector<OpFoldResult> xOff = {zeroIdx, c0, zeroIdx},
                            xSize = {xs[0], blk, xs[2]},
                            ones3 = {oneIdx, oneIdx, oneIdx};
  Value xb = tensor::ExtractSliceOp::create(rw, loc, x, xOff, xSize, ones3);
  Value kb;
  Planar kfb;
  if (kf.re) {
    SmallVector<OpFoldResult> off = {zeroIdx, zeroIdx, c0},
                              size = {rw.getIndexAttr(*cx.len.staticN), oneIdx,
                                      blk};
    kfb = {tensor::ExtractSliceOp::create(rw, loc, kf.re, off, size, ones3),
           tensor::ExtractSliceOp::create(rw, loc, kf.im, off, size, ones3)};
  } else {
    SmallVector<OpFoldResult> off = {c0, zeroIdx},
                              size = {blk,
                                      tensor::getMixedSize(rw, loc, kernel, 1)};
    kb = tensor::ExtractSliceOp::create(rw, loc, kernel, off, size,
                                        {oneIdx, oneIdx});
  }
  Value bb;
  if (bias)
    bb = tensor::ExtractSliceOp::create(rw, loc, bias, {c0}, {blk}, {oneIdx});
  Value yb = convolveBlock(rw, loc, cx, xb, kb, kfb, bb);
  rw.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      rw, loc, yb, forall.getRegionIterArgs()[0], xOff, xSize, ones3);
  return forall.getResult(0);
}

/// Replaces `op` with `y`, cast to the op's type if their shapes differ.
void replaceWithCast(PatternRewriter &rw, seq::LongConvOp op, Value y) {
  if (y.getType() != op.getType())
    y = tensor::CastOp::create(rw, op.getLoc(), op.getType(), y);
  rw.replaceOp(op, y);
}

struct LongConvToFFT : OpRewritePattern<seq::LongConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(seq::LongConvOp op,
                                PatternRewriter &rw) const override {
    auto impl = op.getImpl();
    if (!impl || *impl != seq::ImplKind::fft)
      return rw.notifyMatchFailure(op, "not impl = fft");
    Location loc = op.getLoc();
    Value x = op.getX(), kernel = op.getKernel(), bias = op.getBias();
    auto xt = llvm::cast<RankedTensorType>(x.getType());
    auto kt = llvm::cast<RankedTensorType>(kernel.getType());
    ConvContext cx;
    cx.ft = xt.getElementType();
    if (!cx.ft.isF32())
      return rw.notifyMatchFailure(op, "f32 only");

    // N = the power of two >= L + K - 1; outputs shifted by (K-1)/2 when
    // centred.
    cx.lVal = dimValue(rw, loc, x, 2);
    cx.kVal = dimValue(rw, loc, kernel, 1);
    Value total = arith::SubIOp::create(
        rw, loc, arith::AddIOp::create(rw, loc, cx.lVal, cx.kVal),
        indexConst(rw, loc, 1));
    std::optional<int64_t> staticTotal;
    if (!xt.isDynamicDim(2) && !kt.isDynamicDim(1))
      staticTotal = xt.getDimSize(2) + kt.getDimSize(1) - 1;
    cx.len = pow2Length(rw, loc, total, staticTotal);
    cx.shift = indexConst(rw, loc, 0);
    if (op.getMode() == seq::ConvMode::centered)
      cx.shift = arith::DivUIOp::create(
          rw, loc,
          arith::SubIOp::create(rw, loc, cx.kVal, indexConst(rw, loc, 1)),
          indexConst(rw, loc, 2));
    cx.invN = arith::DivFOp::create(rw, loc, floatConst(rw, loc, cx.ft, 1.0),
                                    indexToFloat(rw, loc, cx.len.n, cx.ft));

    // A constant kernel's spectrum is computed here, once.
    Planar kf;
    std::optional<std::vector<float>> kData = readF32Constant(kernel);
    if (kData && cx.len.staticN && kt.hasStaticShape())
      kf = constantSpectrum(rw, loc, *kData, kt.getDimSize(0), kt.getDimSize(1),
                            *cx.len.staticN, cx.ft);

    int64_t c = xt.getDimSize(1);
    if (ShapedType::isDynamic(c) || c % kChannelBlock || c == kChannelBlock)
      replaceWithCast(rw, op, convolveBlock(rw, loc, cx, x, kernel, kf, bias));
    else
      replaceWithCast(rw, op,
                      overChannelBlocks(rw, loc, cx, x, kernel, kf, bias));
    return success();
  }
};

/// What every task of an overlap-save convolution shares.
struct OverlapSavePlan {
  /// Taps, block length and outputs per block (S = n - K + 1).
  int64_t k, n, step;
  /// (K-1)/2 when centred, else 0.
  int64_t centre;
  /// Whether the channels run in blocks of kChannelBlock (else all at once).
  bool blocked;
  /// Frames per signal, channel blocks per (batch, frame), and the
  /// channels per block.
  Value frames, blocks;
  OpFoldResult cb;
};

/// One overlap-save task r (< B * frames * blocks): frame j of batch row
/// bi, channels c0 .. c0 + cb, transformed at length n from x at
/// j S - (K-1) + centre; its S outputs are inserted at j S.
void overlapSaveTask(OpBuilder &rw, Location loc, const ConvContext &cx,
                     const OverlapSavePlan &p, scf::ForallOp forall, Value x,
                     const Planar &kf, Value bias) {
  OpBuilder::InsertionGuard guard(rw);
  rw.setInsertionPoint(forall.getTerminator());
  auto c = [&](int64_t v) { return indexConst(rw, loc, v); };
  Value r = forall.getInductionVar(0);
  Value cbi = arith::RemUIOp::create(rw, loc, r, p.blocks);
  Value rest = arith::DivUIOp::create(rw, loc, r, p.blocks);
  Value j = arith::RemUIOp::create(rw, loc, rest, p.frames);
  Value bi = arith::DivUIOp::create(rw, loc, rest, p.frames);
  Value c0 = p.blocked
                 ? Value(arith::MulIOp::create(rw, loc, cbi, c(kChannelBlock)))
                 : c(0);
  OpFoldResult z = rw.getIndexAttr(0), one = rw.getIndexAttr(1);
  SmallVector<OpFoldResult> ones3 = {one, one, one};
  Value xb = tensor::ExtractSliceOp::create(
      rw, loc, x, ArrayRef<OpFoldResult>{bi, c0, z},
      ArrayRef<OpFoldResult>{one, p.cb, tensor::getMixedSize(rw, loc, x, 2)},
      ones3);
  Planar kfb = {
      tensor::ExtractSliceOp::create(
          rw, loc, kf.re, ArrayRef<OpFoldResult>{z, z, c0},
          ArrayRef<OpFoldResult>{rw.getIndexAttr(p.n), one, p.cb}, ones3),
      tensor::ExtractSliceOp::create(
          rw, loc, kf.im, ArrayRef<OpFoldResult>{z, z, c0},
          ArrayRef<OpFoldResult>{rw.getIndexAttr(p.n), one, p.cb}, ones3)};
  Value bb;
  if (bias)
    bb = tensor::ExtractSliceOp::create(
        rw, loc, bias, ArrayRef<OpFoldResult>{c0}, ArrayRef<OpFoldResult>{p.cb},
        ArrayRef<OpFoldResult>{one});
  ConvContext fx = cx;
  Value jS = arith::MulIOp::create(rw, loc, j, c(p.step));
  fx.start = arith::AddIOp::create(rw, loc, jS, c(p.centre - (p.k - 1)));
  Value yb = convolveBlock(rw, loc, fx, xb, Value(), kfb, bb);
  rw.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      rw, loc, yb, forall.getRegionIterArgs()[0],
      ArrayRef<OpFoldResult>{bi, c0, jS},
      ArrayRef<OpFoldResult>{one, p.cb, rw.getIndexAttr(p.step)}, ones3);
}

/// impl = overlap_save (K static): the signal is cut into frames of n
/// points (n from overlapSaveLength), frame j starting at j S - (K - 1)
/// (+ (K-1)/2 centred) with S = n - K + 1; each frame's circular
/// convolution with the kernel (the FFT path above at length n, reading the
/// frame straight from x) is exact on its last S points, which are output
/// j S .. j S + S - 1. One scf.forall task per (batch, frame, channel
/// block): a task's planes (n x 16 complex columns) stay in cache, where the
/// single FFT of length >= L + K - 1 streams the whole signal per stage.
struct LongConvToOverlapSave : OpRewritePattern<seq::LongConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(seq::LongConvOp op,
                                PatternRewriter &rw) const override {
    auto impl = op.getImpl();
    if (!impl || *impl != seq::ImplKind::overlap_save)
      return rw.notifyMatchFailure(op, "not impl = overlap_save");
    Location loc = op.getLoc();
    Value x = op.getX(), kernel = op.getKernel(), bias = op.getBias();
    auto xt = llvm::cast<RankedTensorType>(x.getType());
    auto kt = llvm::cast<RankedTensorType>(kernel.getType());
    if (!xt.getElementType().isF32())
      return rw.notifyMatchFailure(op, "f32 only");
    if (kt.isDynamicDim(1))
      return op.emitOpError("overlap_save needs a kernel length known at "
                            "compile time");
    OverlapSavePlan p;
    p.k = kt.getDimSize(1);
    p.n = overlapSaveLength(p.k);
    if (p.n == 0)
      return op.emitOpError("overlap_save: a kernel of ")
             << p.k << " taps needs blocks of more than "
             << kMaxOverlapSaveLength << " points; use impl fft";
    p.step = p.n - p.k + 1;
    auto c = [&](int64_t v) { return indexConst(rw, loc, v); };

    ConvContext cx;
    cx.ft = xt.getElementType();
    cx.lVal = dimValue(rw, loc, x, 2);
    cx.kVal = c(p.k);
    cx.len = pow2Length(rw, loc, c(p.n), p.n);
    cx.shift = c(p.k - 1);
    cx.invN = floatConst(rw, loc, cx.ft, 1.0 / double(p.n));
    cx.outLen = rw.getIndexAttr(p.step);
    p.centre = op.getMode() == seq::ConvMode::centered ? (p.k - 1) / 2 : 0;

    // The kernel's spectrum at n, once for all frames.
    Planar kf;
    std::optional<std::vector<float>> kData = readF32Constant(kernel);
    if (kData && kt.hasStaticShape())
      kf = constantSpectrum(rw, loc, *kData, kt.getDimSize(0), p.k, p.n, cx.ft);
    else
      kf = kernelSpectrum(rw, loc, cx, kernel);

    // Frames per signal, channel blocks, tasks.
    Value bDim = dimValue(rw, loc, x, 0);
    p.frames = arith::DivUIOp::create(
        rw, loc, arith::AddIOp::create(rw, loc, cx.lVal, c(p.step - 1)),
        c(p.step));
    int64_t channels = xt.getDimSize(1);
    p.blocked =
        !ShapedType::isDynamic(channels) && channels % kChannelBlock == 0;
    p.cb = p.blocked ? OpFoldResult(rw.getIndexAttr(kChannelBlock))
                     : tensor::getMixedSize(rw, loc, x, 1);
    p.blocks = p.blocked ? c(channels / kChannelBlock) : c(1);
    Value tasks = arith::MulIOp::create(
        rw, loc, arith::MulIOp::create(rw, loc, bDim, p.frames), p.blocks);
    Value padLen = arith::MulIOp::create(rw, loc, p.frames, c(p.step));
    SmallVector<OpFoldResult> ySizes = {tensor::getMixedSize(rw, loc, x, 0),
                                        tensor::getMixedSize(rw, loc, x, 1),
                                        padLen};
    Value yInit = fresh(rw, loc, ySizes, cx.ft, Value());
    auto forall = scf::ForallOp::create(rw, loc, ArrayRef<OpFoldResult>{tasks},
                                        ValueRange{yInit}, std::nullopt);
    overlapSaveTask(rw, loc, cx, p, forall, x, kf, bias);

    // Drop the last frame's outputs past L.
    OpFoldResult z = rw.getIndexAttr(0), one = rw.getIndexAttr(1);
    Value y = tensor::ExtractSliceOp::create(
        rw, loc, forall.getResult(0), ArrayRef<OpFoldResult>{z, z, z},
        sizesOf(rw, loc, x), ArrayRef<OpFoldResult>{one, one, one});
    replaceWithCast(rw, op, y);
    return success();
  }
};

struct SeqLowerLongConvPass
    : seqc::impl::SeqLowerLongConvPassBase<SeqLowerLongConvPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LongConvToFFT, LongConvToOverlapSave>(&getContext());
    populateLongConvDirectPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
