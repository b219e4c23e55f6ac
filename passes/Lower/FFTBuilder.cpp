//===- FFTBuilder.cpp - Generated FFT code on tensors ------------*- C++
//-*-===//
//
// See FFTBuilder.h for the formulation. All tables (twiddles, Bluestein
// chirps and the chirp filter's spectrum) are compile-time constants when the
// length is static, computed in double precision and rounded once.
//
//===----------------------------------------------------------------------===//

#include "Lower/FFTBuilder.h"
#include "Lower/Reference/Utils.h"
#include "seqc/Utils/AttrNames.h"
#include "seqc/Utils/MathConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::fft;

bool fft::isSmooth(int64_t n) {
  for (int64_t p = 2; p <= kMaxRadix && n > 1; ++p)
    while (n % p == 0)
      n /= p;
  return n == 1;
}

Value fft::fresh(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                 Type elem, Value fill) {
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  dispatchIndexOpFoldResults(sizes, dynamic, shape);
  Value t = bufferization::AllocTensorOp::create(
      b, loc, RankedTensorType::get(shape, elem), dynamic);
  if (fill)
    t = linalg::FillOp::create(b, loc, fill, t).getResult(0);
  return t;
}

std::pair<Value, Value>
fft::generic2(OpBuilder &b, Location loc, ValueRange ins, Value init0,
              Value init1, ArrayRef<AffineMap> maps,
              function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = llvm::cast<RankedTensorType>(init0.getType()).getRank();
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init0.getType(), init1.getType()}, ins,
      ValueRange{init0, init1}, maps, iters, body);
  attrs::markInPlace(op);
  return {op.getResult(0), op.getResult(1)};
}

namespace {

Value shrui(OpBuilder &b, Location l, Value v, Value s) {
  return arith::ShRUIOp::create(b, l, v, s);
}
Value shli(OpBuilder &b, Location l, Value v, Value s) {
  return arith::ShLIOp::create(b, l, v, s);
}
Value addi(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddIOp::create(b, l, x, y);
}
Value muli(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulIOp::create(b, l, x, y);
}
Value remui(OpBuilder &b, Location l, Value x, Value y) {
  return arith::RemUIOp::create(b, l, x, y);
}
Value divui(OpBuilder &b, Location l, Value x, Value y) {
  return arith::DivUIOp::create(b, l, x, y);
}

/// Float arithmetic at one location on f32 scalars or vectors (the vector
/// butterflies need it: mlir::ArithBuilder picks integer ops for vector
/// operands).
class FloatOps {
public:
  FloatOps(OpBuilder &b, Location loc) : b(loc, b) {}

  Value add(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }

  /// (re, im) of (ar + i ai) (br + i bi).
  std::pair<Value, Value> cmul(Value ar, Value ai, Value br, Value bi) {
    Value re = sub(mul(ar, br), mul(ai, bi));
    Value im = add(mul(ar, bi), mul(ai, br));
    return {re, im};
  }

private:
  ImplicitLocOpBuilder b;
};

/// (re, im) of the product of complex scalars (ar + i ai) (br + i bi).
std::pair<Value, Value> cmul(OpBuilder &b, Location l, Value ar, Value ai,
                             Value br, Value bi) {
  return FloatOps(b, l).cmul(ar, ai, br, bi);
}

Type elemOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getElementType();
}
int64_t rankOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getRank();
}

/// Extract indices: `row` in dim 0, the generic's own loop index elsewhere.
SmallVector<Value> atRow(OpBuilder &b, Location l, Value row, int64_t rank) {
  SmallVector<Value> idx = {row};
  for (int64_t d = 1; d < rank; ++d)
    idx.push_back(loopIndex(b, l, d));
  return idx;
}

/// Sizes of `like` with dim 0 replaced by `rows`.
SmallVector<OpFoldResult> withRows(OpBuilder &b, Location l, Value like,
                                   OpFoldResult rows) {
  SmallVector<OpFoldResult> sizes = sizesOf(b, l, like);
  sizes[0] = rows;
  return sizes;
}

OpFoldResult rowsOf(OpBuilder &b, Value n, std::optional<int64_t> staticN) {
  return staticN ? OpFoldResult(b.getIndexAttr(*staticN)) : OpFoldResult(n);
}

/// A planar constant of shape `shape` from complex values in double.
Planar constant(OpBuilder &b, Location loc,
                ArrayRef<std::complex<double>> values, ArrayRef<int64_t> shape,
                Type ft) {
  std::vector<float> re(values.size()), im(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    re[i] = float(values[i].real());
    im[i] = float(values[i].imag());
  }
  auto t = RankedTensorType::get(shape, ft);
  return {arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(t, ArrayRef<float>(re))),
          arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(t, ArrayRef<float>(im)))};
}

/// exp(-2 pi i k / n) in double, the angle reduced exactly.
std::complex<double> unitRoot(int64_t k, int64_t n) {
  double ang = -2.0 * kPi * double(k % n) / double(n);
  return {std::cos(ang), std::sin(ang)};
}

/// The half twiddle table T[q] = exp(-2 pi i q / N), q < N/2, of a
/// power-of-two length (computed at run time when N is dynamic).
Planar pow2Twiddles(OpBuilder &b, Location loc, const Length &len, Type ft) {
  if (len.staticN) {
    int64_t half = std::max<int64_t>(*len.staticN / 2, 1);
    std::vector<std::complex<double>> t(half);
    for (int64_t q = 0; q < half; ++q)
      t[q] = unitRoot(q, *len.staticN);
    return constant(b, loc, t, {half}, ft);
  }
  Value half = arith::MaxUIOp::create(b, loc, len.half, indexConst(b, loc, 1));
  SmallVector<OpFoldResult> sizes = {half};
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, b.getContext());
  Type f64 = b.getF64Type();
  auto [re, im] = generic2(
      b, loc, {}, fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft), {id, id},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value frac = arith::DivFOp::create(
            nb, l, indexToFloat(nb, l, loopIndex(nb, l, 0), f64),
            indexToFloat(nb, l, len.n, f64));
        Value ang = arith::MulFOp::create(nb, l, frac,
                                          floatConst(nb, l, f64, -2.0 * kPi));
        Value c =
            arith::TruncFOp::create(nb, l, ft, math::CosOp::create(nb, l, ang));
        Value s =
            arith::TruncFOp::create(nb, l, ft, math::SinOp::create(nb, l, ang));
        linalg::YieldOp::create(nb, l, ValueRange{c, s});
      });
  return {re, im};
}

/// One radix-2 stage with shift `s` (span 2^s), written into `dest` (fresh
/// tensors when null).
Planar radix2Stage(OpBuilder &b, Location loc, Planar in, Value s,
                   const Length &len, const Planar &tw, Planar dest) {
  int64_t rank = rankOf(in.re);
  Type ft = elemOf(in.re);
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, in.re);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  if (!dest.re)
    dest = {fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft)};
  auto [re, im] = generic2(
      b, loc, {}, dest.re, dest.im, {id, id},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value o = loopIndex(nb, l, 0);
        Value one = indexConst(nb, l, 1);
        Value m = shli(nb, l, one, s);
        Value j = shrui(nb, l, o, addi(nb, l, s, one));
        Value t = arith::AndIOp::create(nb, l, shrui(nb, l, o, s), one);
        Value k = arith::AndIOp::create(nb, l, o,
                                        arith::SubIOp::create(nb, l, m, one));
        Value jm = shli(nb, l, j, s);
        Value src = addi(nb, l, k, jm);
        Value src2 = addi(nb, l, src, len.half);
        auto at = [&](Value v, Value row) -> Value {
          return tensor::ExtractOp::create(nb, l, v, atRow(nb, l, row, rank));
        };
        Value ar = at(in.re, src), ai = at(in.im, src);
        Value br = at(in.re, src2), bi = at(in.im, src2);
        Value wr = tensor::ExtractOp::create(nb, l, tw.re, ValueRange{jm});
        Value wi = tensor::ExtractOp::create(nb, l, tw.im, ValueRange{jm});
        Value sr = arith::AddFOp::create(nb, l, ar, br);
        Value si = arith::AddFOp::create(nb, l, ai, bi);
        Value dr = arith::SubFOp::create(nb, l, ar, br);
        Value di = arith::SubFOp::create(nb, l, ai, bi);
        auto [pr, pi] = cmul(nb, l, dr, di, wr, wi);
        Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, t,
                                            indexConst(nb, l, 0));
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, first, sr, pr),
                       arith::SelectOp::create(nb, l, first, si, pi)});
      });
  return {re, im};
}

/// One static mixed-radix stage: radix r, span m, length n; `wr` is the
/// r-point table w_r^i, `tn` the n-point table w_n^i.
Planar radixStage(OpBuilder &b, Location loc, Planar in, int64_t n, int64_t r,
                  int64_t m, const Planar &wr, const Planar &tn, Planar dest) {
  int64_t rank = rankOf(in.re);
  Type ft = elemOf(in.re);
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, in.re);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  if (!dest.re)
    dest = {fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft)};
  int64_t lm = (n / (r * m)) * m;
  auto [re, im] = generic2(
      b, loc, {}, dest.re, dest.im, {id, id},
      [&](OpBuilder &nb, Location l, ValueRange) {
        auto c = [&](int64_t v) { return indexConst(nb, l, v); };
        Value o = loopIndex(nb, l, 0);
        Value k = remui(nb, l, o, c(m));
        Value jq = divui(nb, l, o, c(m));
        Value q = remui(nb, l, jq, c(r));
        Value j = divui(nb, l, jq, c(r));
        Value base = addi(nb, l, k, muli(nb, l, j, c(m)));
        auto at = [&](Value v, Value row) -> Value {
          return tensor::ExtractOp::create(nb, l, v, atRow(nb, l, row, rank));
        };
        Value accR = at(in.re, base), accI = at(in.im, base);
        for (int64_t t = 1; t < r; ++t) {
          Value row = addi(nb, l, base, c(t * lm));
          Value vr = at(in.re, row), vi = at(in.im, row);
          if (r == 2) {
            // w_2^q = +-1.
            Value plus =
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, q, c(0));
            accR = arith::SelectOp::create(
                nb, l, plus, arith::AddFOp::create(nb, l, accR, vr),
                arith::SubFOp::create(nb, l, accR, vr));
            accI = arith::SelectOp::create(
                nb, l, plus, arith::AddFOp::create(nb, l, accI, vi),
                arith::SubFOp::create(nb, l, accI, vi));
            continue;
          }
          Value w = remui(nb, l, muli(nb, l, q, c(t)), c(r));
          Value wR = tensor::ExtractOp::create(nb, l, wr.re, ValueRange{w});
          Value wI = tensor::ExtractOp::create(nb, l, wr.im, ValueRange{w});
          auto [pr, pi] = cmul(nb, l, vr, vi, wR, wI);
          accR = arith::AddFOp::create(nb, l, accR, pr);
          accI = arith::AddFOp::create(nb, l, accI, pi);
        }
        Value ti = remui(nb, l, muli(nb, l, muli(nb, l, q, j), c(m)), c(n));
        Value tR = tensor::ExtractOp::create(nb, l, tn.re, ValueRange{ti});
        Value tI = tensor::ExtractOp::create(nb, l, tn.im, ValueRange{ti});
        auto [yr, yi] = cmul(nb, l, accR, accI, tR, tI);
        linalg::YieldOp::create(nb, l, ValueRange{yr, yi});
      });
  return {re, im};
}

/// One butterfly's r complex vectors (x_t or y_q), planar.
struct Butterfly {
  SmallVector<Value> re, im;
};

/// The twiddles T^(q j m), q = 1 .. r-1, of the butterflies with index `j`
/// of a vector stage, broadcast to `vt`.
SmallVector<std::pair<Value, Value>> stageTwiddles(OpBuilder &b, Location l,
                                                   VectorType vt, Value j,
                                                   const Planar &tn, int64_t n,
                                                   int64_t r, int64_t m) {
  SmallVector<std::pair<Value, Value>> tw;
  for (int64_t q = 1; q < r; ++q) {
    Value ti = remui(b, l, muli(b, l, j, indexConst(b, l, q * m)),
                     indexConst(b, l, n));
    tw.push_back({vector::BroadcastOp::create(
                      b, l, vt, tensor::ExtractOp::create(b, l, tn.re, ti)),
                  vector::BroadcastOp::create(
                      b, l, vt, tensor::ExtractOp::create(b, l, tn.im, ti))});
  }
  return tw;
}

/// Odd radix r: pairs x_t with x_(r-t), t = 1 .. h = (r-1)/2:
/// s_t = x_t + x_(r-t), d_t = x_t - x_(r-t). With c = cos(2 pi q t / r),
/// s = sin(2 pi q t / r),
///   x_t w^(qt) + x_(r-t) w^(-qt) = c s_t - i s d_t,
/// so y_q = a_q + b_q and y_(r-q) = a_q - b_q with a_q = x_0 + sum_t c s_t,
/// b_q = -i sum_t s d_t: h (r-1) real multiplies per part instead of
/// (r-1)^2 complex ones.
Butterfly oddButterfly(OpBuilder &b, Location l, VectorType vt,
                       const Butterfly &x) {
  FloatOps f(b, l);
  int64_t r = x.re.size(), h = (r - 1) / 2;
  const SmallVector<Value> &xr = x.re, &xi = x.im;
  SmallVector<Value> sr, si, dr, di;
  for (int64_t t = 1; t <= h; ++t) {
    sr.push_back(f.add(xr[t], xr[r - t]));
    si.push_back(f.add(xi[t], xi[r - t]));
    dr.push_back(f.sub(xr[t], xr[r - t]));
    di.push_back(f.sub(xi[t], xi[r - t]));
  }
  Butterfly y{SmallVector<Value>(r), SmallVector<Value>(r)};
  y.re[0] = xr[0];
  y.im[0] = xi[0];
  for (int64_t t = 0; t < h; ++t) {
    y.re[0] = f.add(y.re[0], sr[t]);
    y.im[0] = f.add(y.im[0], si[t]);
  }
  auto splat = [&](double v) -> Value {
    return arith::ConstantOp::create(b, l,
                                     DenseElementsAttr::get(vt, float(v)));
  };
  for (int64_t q = 1; q <= h; ++q) {
    // b_q = (br, -bn): -i s d = (s d.im, -s d.re).
    Value ar = xr[0], ai = xi[0], br, bn;
    for (int64_t t = 1; t <= h; ++t) {
      std::complex<double> w = unitRoot(q * t, r);
      Value cv = splat(w.real()), sv = splat(-w.imag());
      ar = f.add(ar, f.mul(cv, sr[t - 1]));
      ai = f.add(ai, f.mul(cv, si[t - 1]));
      Value pr = f.mul(sv, di[t - 1]), pn = f.mul(sv, dr[t - 1]);
      br = br ? f.add(br, pr) : pr;
      bn = bn ? f.add(bn, pn) : pn;
    }
    y.re[q] = f.add(ar, br);
    y.im[q] = f.sub(ai, bn);
    y.re[r - q] = f.sub(ar, br);
    y.im[r - q] = f.add(ai, bn);
  }
  return y;
}

/// The radix-2 butterfly: y_0 = x_0 + x_1, y_1 = x_0 - x_1.
Butterfly radix2Butterfly(OpBuilder &b, Location l, const Butterfly &x) {
  FloatOps f(b, l);
  const SmallVector<Value> &xr = x.re, &xi = x.im;
  Butterfly y{SmallVector<Value>(2), SmallVector<Value>(2)};
  y.re[0] = f.add(xr[0], xr[1]);
  y.im[0] = f.add(xi[0], xi[1]);
  y.re[1] = f.sub(xr[0], xr[1]);
  y.im[1] = f.sub(xi[0], xi[1]);
  return y;
}

/// The radix-4 butterfly: y_q = sum_t x_t (-i)^(q t).
Butterfly radix4Butterfly(OpBuilder &b, Location l, const Butterfly &x) {
  FloatOps f(b, l);
  const SmallVector<Value> &xr = x.re, &xi = x.im;
  Value a0r = f.add(xr[0], xr[2]), a0i = f.add(xi[0], xi[2]);
  Value a1r = f.sub(xr[0], xr[2]), a1i = f.sub(xi[0], xi[2]);
  Value a2r = f.add(xr[1], xr[3]), a2i = f.add(xi[1], xi[3]);
  // (x1 - x3) * (-i): (re, im) -> (im, -re).
  Value a3r = f.sub(xi[1], xi[3]), a3i = f.sub(xr[3], xr[1]);
  Butterfly y{SmallVector<Value>(4), SmallVector<Value>(4)};
  y.re[0] = f.add(a0r, a2r);
  y.im[0] = f.add(a0i, a2i);
  y.re[2] = f.sub(a0r, a2r);
  y.im[2] = f.sub(a0i, a2i);
  y.re[1] = f.add(a1r, a3r);
  y.im[1] = f.add(a1i, a3i);
  y.re[3] = f.sub(a1r, a3r);
  y.im[3] = f.sub(a1i, a3i);
  return y;
}

/// One butterfly of a vector stage at (j, k): reads the r rows
/// k + j m + t lm of `in` (`zero`: the reads' padding, never used),
/// combines them and writes the r rows j r m + q m + k of `outs` with the
/// twiddles `tw` applied; returns the new outs.
SmallVector<Value> vectorButterfly(OpBuilder &b, Location l, Planar in,
                                   ValueRange outs, Value k, Value jm,
                                   Value jrm, int64_t r, int64_t m, int64_t lm,
                                   ArrayRef<std::pair<Value, Value>> tw,
                                   Value zero) {
  auto vt = VectorType::get(
      {llvm::cast<RankedTensorType>(in.re.getType()).getDimSize(1)},
      elemOf(in.re));
  bool inBounds[] = {true};
  auto read = [&](Value t, Value row) -> Value {
    return vector::TransferReadOp::create(b, l, vt, t,
                                          ValueRange{row, indexConst(b, l, 0)},
                                          zero, ArrayRef<bool>(inBounds));
  };
  Value base = addi(b, l, k, jm);
  Butterfly x;
  for (int64_t t = 0; t < r; ++t) {
    Value row = addi(b, l, base, indexConst(b, l, t * lm));
    x.re.push_back(read(in.re, row));
    x.im.push_back(read(in.im, row));
  }
  Butterfly y = r % 2 == 1 ? oddButterfly(b, l, vt, x)
                : r == 2   ? radix2Butterfly(b, l, x)
                           : radix4Butterfly(b, l, x);
  FloatOps f(b, l);
  Value ore = outs[0], oim = outs[1];
  for (int64_t q = 0; q < r; ++q) {
    Value pr = y.re[q], pi = y.im[q];
    if (q > 0) {
      auto [wr, wi] = tw[q - 1];
      pr = f.sub(f.mul(y.re[q], wr), f.mul(y.im[q], wi));
      pi = f.add(f.mul(y.re[q], wi), f.mul(y.im[q], wr));
    }
    Value row = addi(b, l, addi(b, l, jrm, indexConst(b, l, q * m)), k);
    ore = vector::TransferWriteOp::create(b, l, pr, ore,
                                          ValueRange{row, indexConst(b, l, 0)},
                                          ArrayRef<bool>(inBounds))
              .getResult();
    oim = vector::TransferWriteOp::create(b, l, pi, oim,
                                          ValueRange{row, indexConst(b, l, 0)},
                                          ArrayRef<bool>(inBounds))
              .getResult();
  }
  return {ore, oim};
}

/// One radix-4 (or radix-2, or odd radix) Stockham stage written with
/// vector ops over the signals: `in`/`out` are N x V planes (V signals,
/// contiguous), and for every (j, k), j < n / (r m), k < m, one butterfly
/// reads the r rows k + j m + t lm (lm = n / r) and writes the r rows
/// j r m + q m + k:
///   y_q = (sum_t x_t w_r^(q t)) * T^(q j m),  T = exp(-2 pi i / n)
/// -- all r outputs from one set of loads (the generic radixStage computes
/// each output on its own, r complex multiply-adds per output).
Planar vectorStage(OpBuilder &b, Location loc, Planar in, int64_t n, int64_t r,
                   int64_t m, const Planar &tn, Planar dest) {
  Type ft = elemOf(in.re);
  auto vt = VectorType::get(
      {llvm::cast<RankedTensorType>(in.re.getType()).getDimSize(1)}, ft);
  if (!dest.re)
    dest = {fresh(b, loc, sizesOf(b, loc, in.re), ft),
            fresh(b, loc, sizesOf(b, loc, in.re), ft)};
  int64_t lm = n / r, outer = n / (r * m);
  Value zero = floatConst(b, loc, ft, 0.0);
  auto loop = scf::ForOp::create(
      b, loc, indexConst(b, loc, 0), indexConst(b, loc, outer),
      indexConst(b, loc, 1), ValueRange{dest.re, dest.im},
      [&](OpBuilder &nb, Location l, Value j, ValueRange outs) {
        SmallVector<std::pair<Value, Value>> tw =
            stageTwiddles(nb, l, vt, j, tn, n, r, m);
        Value jm = muli(nb, l, j, indexConst(nb, l, m));
        Value jrm = muli(nb, l, j, indexConst(nb, l, r * m));
        auto inner = scf::ForOp::create(
            nb, l, indexConst(nb, l, 0), indexConst(nb, l, m),
            indexConst(nb, l, 1), ValueRange{outs[0], outs[1]},
            [&](OpBuilder &kb, Location l, Value k, ValueRange o) {
              scf::YieldOp::create(kb, l,
                                   vectorButterfly(kb, l, in, o, k, jm, jrm, r,
                                                   m, lm, tw, zero));
            });
        scf::YieldOp::create(nb, l, inner.getResults());
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// The radices of a smooth n: 4s first (fewest passes), then 2, then the
/// odd primes in increasing order.
SmallVector<int64_t> radices(int64_t n) {
  SmallVector<int64_t> rs;
  while (n % 4 == 0) {
    rs.push_back(4);
    n /= 4;
  }
  for (int64_t p = 2; n > 1; ++p)
    while (n % p == 0) {
      rs.push_back(p);
      n /= p;
    }
  return rs;
}

/// Mixed-radix forward DFT of static smooth length n along dim 0. With a
/// `dest` (planes of x's type), the last stage writes into it and the
/// stages ping-pong between it and one fresh pair, never writing into x;
/// otherwise they ping-pong through x's planes.
Planar mixedRadix(OpBuilder &b, Location loc, Planar x, int64_t n,
                  Planar dest = {}) {
  Type ft = elemOf(x.re);
  std::vector<std::complex<double>> table(n);
  for (int64_t i = 0; i < n; ++i)
    table[i] = unitRoot(i, n);
  Planar tn = constant(b, loc, table, {n}, ft);
  // A power of two with a static count of 4 to 64 signals: the planes are
  // viewed as N x V and every stage (radix 4, one radix 2) is a vector
  // butterfly over the signals (vectorStage): rfft of 16 signals 1.4x faster
  // at 4096, 1.3x at 65536. Mixed lengths keep the generic stages (vector
  // radix-4/2 stages among odd ones measured no faster at n = 1000).
  auto t = llvm::cast<RankedTensorType>(x.re.getType());
  int64_t v = t.hasStaticShape() ? t.getNumElements() / n : 0;
  bool vectorize = v >= 4 && v <= 64;
  SmallVector<ReassociationIndices> toFlat = {{0}, {}};
  for (int64_t d = 1; d < t.getRank(); ++d)
    toFlat[1].push_back(d);
  if (vectorize) {
    auto flatType = RankedTensorType::get({n, v}, ft);
    x = {tensor::CollapseShapeOp::create(b, loc, flatType, x.re, toFlat),
         tensor::CollapseShapeOp::create(b, loc, flatType, x.im, toFlat)};
  }
  Planar spare;
  int64_t m = 1;
  SmallVector<int64_t> rs = radices(n);
  Planar tmp;
  assert((!dest.re || t.getRank() == 2) && "dest only for N x V planes");
  if (dest.re && rs.size() > 1) {
    SmallVector<OpFoldResult> sizes = sizesOf(b, loc, x.re);
    tmp = {fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft)};
  }
  for (auto [i, r] : llvm::enumerate(rs)) {
    // Ping-pong: each stage writes over the planes its predecessor read
    // (with a dest, the first two stages write dest and tmp so that the
    // last one lands in dest; later ones reuse the SSA values that stage
    // i - 2 produced, so bufferization sees no live value overwritten).
    if (dest.re && i < 2)
      spare = (rs.size() - 1 - i) % 2 == 0 ? dest : tmp;
    Planar y;
    if (vectorize) {
      y = vectorStage(b, loc, x, n, r, m, tn, spare);
    } else {
      std::vector<std::complex<double>> w(r);
      for (int64_t e = 0; e < r; ++e)
        w[e] = unitRoot(e, r);
      Planar wr = constant(b, loc, w, {r}, ft);
      y = radixStage(b, loc, x, n, r, m, wr, tn, spare);
    }
    spare = x;
    x = y;
    m *= r;
  }
  if (vectorize)
    x = {tensor::ExpandShapeOp::create(b, loc, t, x.re, toFlat),
         tensor::ExpandShapeOp::create(b, loc, t, x.im, toFlat)};
  return x;
}

/// Bluestein's chirp w[k] = exp(-pi i k^2 / n), k < n (planar, shape n),
/// and the spectrum of its filter f[k] = conj(w[k]) (k < n),
/// conj(w[M - k]) (M - n < k < M), 0 otherwise (planar, shape M x 1).
struct ChirpTables {
  Planar chirp, filter;
};

/// w[k] = exp(-pi i k^2 / n) in double; k^2 mod 2n keeps the angle exact.
std::complex<double> chirpRoot(int64_t k, int64_t n) {
  int64_t r = (k % (2 * n)) * (k % (2 * n)) % (2 * n);
  double ang = -kPi * double(r) / double(n);
  return std::complex<double>(std::cos(ang), std::sin(ang));
}

/// The tables for static n and M, computed here in double.
ChirpTables staticChirpTables(OpBuilder &b, Location loc, int64_t n, int64_t m,
                              Type ft) {
  std::vector<std::complex<double>> c(n), f(m);
  for (int64_t k = 0; k < n; ++k)
    c[k] = chirpRoot(k, n);
  for (int64_t k = 0; k < m; ++k)
    f[k] = k < n ? std::conj(chirpRoot(k, n))
                 : (k > m - n ? std::conj(chirpRoot(m - k, n)) : 0.0);
  hostFFT(f);
  return {constant(b, loc, c, {n}, ft), constant(b, loc, f, {m, 1}, ft)};
}

/// w[k] (re, im) in `ft` for a run-time n, inside a generic body.
std::pair<Value, Value> chirpAt(OpBuilder &nb, Location l, Value n, Value k,
                                Type ft) {
  Type f64 = nb.getF64Type(), i64 = nb.getI64Type();
  Value k64 = arith::IndexCastOp::create(nb, l, i64, k);
  Value two = arith::IndexCastOp::create(nb, l, i64, addi(nb, l, n, n));
  Value km = arith::RemUIOp::create(nb, l, k64, two);
  Value r =
      arith::RemUIOp::create(nb, l, arith::MulIOp::create(nb, l, km, km), two);
  Value ang = arith::DivFOp::create(
      nb, l,
      arith::MulFOp::create(nb, l, arith::UIToFPOp::create(nb, l, f64, r),
                            floatConst(nb, l, f64, -kPi)),
      indexToFloat(nb, l, n, f64));
  return std::pair<Value, Value>(
      arith::TruncFOp::create(nb, l, ft, math::CosOp::create(nb, l, ang)),
      arith::TruncFOp::create(nb, l, ft, math::SinOp::create(nb, l, ang)));
}

/// The tables for a run-time n: generics evaluate the chirp (n) and the
/// filter (`mRows` x 1), whose spectrum is then transformed.
ChirpTables dynamicChirpTables(OpBuilder &b, Location loc, Value n,
                               const Length &len, OpFoldResult mRows, Type ft) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> cs = {n};
  AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
  auto [cre, cim] =
      generic2(b, loc, {}, fresh(b, loc, cs, ft), fresh(b, loc, cs, ft),
               {id1, id1}, [&](OpBuilder &nb, Location l, ValueRange) {
                 auto [re, im] = chirpAt(nb, l, n, loopIndex(nb, l, 0), ft);
                 linalg::YieldOp::create(nb, l, ValueRange{re, im});
               });
  SmallVector<OpFoldResult> fs = {mRows, b.getIndexAttr(1)};
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  auto [fre, fim] = generic2(
      b, loc, {}, fresh(b, loc, fs, ft), fresh(b, loc, fs, ft), {id2, id2},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value k = loopIndex(nb, l, 0);
        Value head =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, k, n);
        Value back = arith::SubIOp::create(nb, l, len.n, k);
        Value tail =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, back, n);
        Value use = arith::OrIOp::create(nb, l, head, tail);
        Value src = arith::SelectOp::create(
            nb, l, head, k,
            arith::SelectOp::create(nb, l, tail, back, indexConst(nb, l, 0)));
        auto [re, im] = chirpAt(nb, l, n, src, ft);
        Value zero = floatConst(nb, l, ft, 0.0);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, use, re, zero),
                       arith::SelectOp::create(nb, l, use,
                                               arith::NegFOp::create(nb, l, im),
                                               zero)});
      });
  return {{cre, cim}, forwardPow2(b, loc, {fre, fim}, len)};
}

/// a[k] = x[k] w[k] for k < n, zero up to M (`sizes`: x's with M rows).
Planar chirpedInput(OpBuilder &b, Location loc, Planar x, Value n,
                    const Planar &chirp, ArrayRef<OpFoldResult> sizes) {
  int64_t rank = rankOf(x.re);
  Type ft = elemOf(x.re);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  auto [are, aim] = generic2(
      b, loc, {}, fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft), {id, id},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value k = loopIndex(nb, l, 0);
        Value in =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, k, n);
        Value src = arith::SelectOp::create(nb, l, in, k, indexConst(nb, l, 0));
        SmallVector<Value> idx = atRow(nb, l, src, rank);
        Value xr = tensor::ExtractOp::create(nb, l, x.re, idx);
        Value xi = tensor::ExtractOp::create(nb, l, x.im, idx);
        Value wr = tensor::ExtractOp::create(nb, l, chirp.re, ValueRange{src});
        Value wi = tensor::ExtractOp::create(nb, l, chirp.im, ValueRange{src});
        auto [pr, pi] = cmul(nb, l, xr, xi, wr, wi);
        Value zero = floatConst(nb, l, ft, 0.0);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, in, pr, zero),
                       arith::SelectOp::create(nb, l, in, pi, zero)});
      });
  return {are, aim};
}

/// conj(A F), A the spectrum of the chirped input and F the filter's (its
/// row k broadcast over the other dims): the inverse transform of A F
/// through the forward one (`sizes`: af's).
Planar filtered(OpBuilder &b, Location loc, const Planar &af,
                const Planar &filter, ArrayRef<OpFoldResult> sizes) {
  Type ft = elemOf(af.re);
  AffineMap id =
      AffineMap::getMultiDimIdentityMap(rankOf(af.re), b.getContext());
  auto [cre, cim] = generic2(
      b, loc, {af.re, af.im}, fresh(b, loc, sizes, ft),
      fresh(b, loc, sizes, ft), {id, id, id, id},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        SmallVector<Value> fi = {loopIndex(nb, l, 0), indexConst(nb, l, 0)};
        Value fr = tensor::ExtractOp::create(nb, l, filter.re, fi);
        Value fim = tensor::ExtractOp::create(nb, l, filter.im, fi);
        auto [pr, pi] = cmul(nb, l, a[0], a[1], fr, fim);
        linalg::YieldOp::create(
            nb, l, ValueRange{pr, arith::NegFOp::create(nb, l, pi)});
      });
  return {cre, cim};
}

/// X[k] = w[k] conj(D[k]) / M, k < n, into `dest` (planes of n rows).
Planar dechirped(OpBuilder &b, Location loc, const Planar &d,
                 const Planar &chirp, Value invM, Planar dest) {
  int64_t rank = rankOf(d.re);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  auto [yre, yim] = generic2(
      b, loc, {}, dest.re, dest.im, {id, id},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value k = loopIndex(nb, l, 0);
        SmallVector<Value> idx = atRow(nb, l, k, rank);
        Value dr = tensor::ExtractOp::create(nb, l, d.re, idx);
        Value di = arith::NegFOp::create(
            nb, l, tensor::ExtractOp::create(nb, l, d.im, idx));
        Value wr = tensor::ExtractOp::create(nb, l, chirp.re, ValueRange{k});
        Value wi = tensor::ExtractOp::create(nb, l, chirp.im, ValueRange{k});
        auto [pr, pi] = cmul(nb, l, dr, di, wr, wi);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::MulFOp::create(nb, l, pr, invM),
                       arith::MulFOp::create(nb, l, pi, invM)});
      });
  return {yre, yim};
}

/// Bluestein: X[k] = w[k] sum_t (x[t] w[t]) conj(w[k - t]), w[k] =
/// exp(-pi i k^2 / n), as a cyclic convolution of length M >= 2n - 1.
Planar bluestein(OpBuilder &b, Location loc, Planar x, Value n,
                 std::optional<int64_t> staticN, Planar dest = {}) {
  Type ft = elemOf(x.re);
  Value one = indexConst(b, loc, 1);
  Value twoNm1 = arith::SubIOp::create(b, loc, addi(b, loc, n, n), one);
  Length len = pow2Length(b, loc, twoNm1,
                          staticN ? std::optional<int64_t>(2 * *staticN - 1)
                                  : std::nullopt);
  OpFoldResult mRows = rowsOf(b, len.n, len.staticN);
  ChirpTables tables =
      staticN ? staticChirpTables(b, loc, *staticN, *len.staticN, ft)
              : dynamicChirpTables(b, loc, n, len, mRows, ft);

  SmallVector<OpFoldResult> aSizes = withRows(b, loc, x.re, mRows);
  Planar af = forwardPow2(
      b, loc, chirpedInput(b, loc, x, n, tables.chirp, aSizes), len);
  Planar d =
      forwardPow2(b, loc, filtered(b, loc, af, tables.filter, aSizes), len);

  Value invM = arith::DivFOp::create(b, loc, floatConst(b, loc, ft, 1.0),
                                     indexToFloat(b, loc, len.n, ft));
  SmallVector<OpFoldResult> outSizes =
      withRows(b, loc, x.re, rowsOf(b, n, staticN));
  if (!dest.re)
    dest = {fresh(b, loc, outSizes, ft), fresh(b, loc, outSizes, ft)};
  return dechirped(b, loc, d, tables.chirp, invM, dest);
}

} // namespace

Length fft::pow2Length(OpBuilder &b, Location loc, Value atLeast,
                       std::optional<int64_t> staticAtLeast) {
  Length len;
  if (staticAtLeast) {
    int64_t n = int64_t(
        llvm::PowerOf2Ceil(uint64_t(std::max<int64_t>(*staticAtLeast, 1))));
    len.staticN = n;
    len.n = indexConst(b, loc, n);
    len.logN = indexConst(b, loc, llvm::Log2_64(uint64_t(n)));
    len.half = indexConst(b, loc, n / 2);
    return len;
  }
  // log2 N = 64 - clz(atLeast - 1); N = 1 << log2 N (atLeast >= 1).
  Type i64 = b.getI64Type();
  Value t = arith::IndexCastOp::create(
      b, loc, i64,
      arith::SubIOp::create(b, loc, atLeast, indexConst(b, loc, 1)));
  Value clz = math::CountLeadingZerosOp::create(b, loc, t);
  Value log = arith::SubIOp::create(
      b, loc, arith::ConstantIntOp::create(b, loc, i64, 64), clz);
  len.logN = arith::IndexCastOp::create(b, loc, b.getIndexType(), log);
  len.n = shli(b, loc, indexConst(b, loc, 1), len.logN);
  len.half = shrui(b, loc, len.n, indexConst(b, loc, 1));
  return len;
}

Planar fft::forwardPow2(OpBuilder &b, Location loc, Planar x,
                        const Length &len) {
  // A static length takes the mixed-radix stages (radix 4, then one
  // radix 2): half the passes over the planes of the radix-2 loop.
  if (len.staticN)
    return mixedRadix(b, loc, x, *len.staticN);
  Planar tw = pow2Twiddles(b, loc, len, elemOf(x.re));
  auto loop = scf::ForOp::create(
      b, loc, indexConst(b, loc, 0), len.logN, indexConst(b, loc, 1),
      ValueRange{x.re, x.im},
      [&](OpBuilder &nb, Location l, Value s, ValueRange iter) {
        Planar y = radix2Stage(nb, l, {iter[0], iter[1]}, s, len, tw, {});
        // Bufferization wants the loop to yield the iter_args' buffers.
        Value re = linalg::CopyOp::create(nb, l, y.re, iter[0]).getResult(0);
        Value im = linalg::CopyOp::create(nb, l, y.im, iter[1]).getResult(0);
        scf::YieldOp::create(nb, l, ValueRange{re, im});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// `transform` over groups of kSignalBlock signals, one scf.forall task
/// each, when the static batch V (the product of the dims after dim 0) is
/// above 64 and a multiple of the chunk: every task's stages are vector
/// butterflies over its 16 signals (a batch that wide would otherwise take
/// the generic stages), its planes stay cache-sized, and the tasks run in
/// parallel. Other batches run as one transform. The chunk is the planes'
/// width of the blocked layout (FFTBuilder.h), not the target's vector
/// width.
static Planar overSignalChunks(
    OpBuilder &b, Location loc, Planar x,
    function_ref<Planar(OpBuilder &, Location, Planar, Planar)> transform) {
  auto t = llvm::cast<RankedTensorType>(x.re.getType());
  int64_t rows = t.getDimSize(0);
  int64_t v =
      t.hasStaticShape() ? t.getNumElements() / std::max<int64_t>(rows, 1) : 0;
  if (v <= 64 || v % kSignalBlock != 0)
    return transform(b, loc, x, {});
  Type ft = t.getElementType();
  SmallVector<ReassociationIndices> toFlat = {{0}, {}};
  for (int64_t d = 1; d < t.getRank(); ++d)
    toFlat[1].push_back(d);
  auto flatType = RankedTensorType::get({rows, v}, ft);
  auto flat = [&](Value p) -> Value {
    return t.getRank() == 2
               ? p
               : tensor::CollapseShapeOp::create(b, loc, flatType, p, toFlat)
                     .getResult();
  };
  x = {flat(x.re), flat(x.im)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows), b.getIndexAttr(v)};
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(v / kSignalBlock)},
      ValueRange{fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft)},
      std::nullopt);
  Planar y;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    Value c0 = muli(b, loc, forall.getInductionVar(0),
                    indexConst(b, loc, kSignalBlock));
    SmallVector<OpFoldResult> off = {b.getIndexAttr(0), c0},
                              size = {b.getIndexAttr(rows),
                                      b.getIndexAttr(kSignalBlock)},
                              ones = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Planar xc = {tensor::ExtractSliceOp::create(b, loc, x.re, off, size, ones),
                 tensor::ExtractSliceOp::create(b, loc, x.im, off, size, ones)};
    // Each task transforms into its slice of the shared result.
    auto outSlice = [&](unsigned i) -> Value {
      return tensor::ExtractSliceOp::create(
          b, loc, forall.getRegionIterArgs()[i], off, size, ones);
    };
    Planar yc = transform(b, loc, xc, {outSlice(0), outSlice(1)});
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(
        b, loc, yc.re, forall.getRegionIterArgs()[0], off, size, ones);
    tensor::ParallelInsertSliceOp::create(
        b, loc, yc.im, forall.getRegionIterArgs()[1], off, size, ones);
  }
  y = {forall.getResult(0), forall.getResult(1)};
  if (t.getRank() != 2)
    y = {tensor::ExpandShapeOp::create(b, loc, t, y.re, toFlat),
         tensor::ExpandShapeOp::create(b, loc, t, y.im, toFlat)};
  return y;
}

Planar fft::forward(OpBuilder &b, Location loc, Planar x, Value n,
                    std::optional<int64_t> staticN, bool useBluestein) {
  if (staticN && *staticN <= 1)
    return x;
  if (staticN && !useBluestein)
    return overSignalChunks(
        b, loc, x, [&](OpBuilder &nb, Location l, Planar xc, Planar dest) {
          return mixedRadix(nb, l, xc, *staticN, dest);
        });
  if (staticN)
    return overSignalChunks(
        b, loc, x, [&](OpBuilder &nb, Location l, Planar xc, Planar dest) {
          return bluestein(nb, l, xc, indexConst(nb, l, *staticN), staticN,
                           dest);
        });
  return bluestein(b, loc, x, n, staticN);
}

void fft::hostFFT(std::vector<std::complex<double>> &a) {
  size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1)
      j ^= bit;
    j ^= bit;
    if (i < j)
      std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    for (size_t i = 0; i < n; i += len)
      for (size_t k = 0; k < len / 2; ++k) {
        std::complex<double> w = unitRoot(int64_t(k), int64_t(len));
        std::complex<double> u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
      }
  }
}
