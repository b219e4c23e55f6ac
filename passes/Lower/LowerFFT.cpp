//===- LowerFFT.cpp - seq-lower-fft -----------------------------*- C++ -*-===//
//
// Implements `seq-lower-fft`: seq.fft, seq.rfft and seq.irfft with a fast
// impl become generated FFT code (FFTBuilder.h). Each op is three steps:
//
//   1. gather: the planes N x (other dims), transform axis first, with the
//      input zero-padded or truncated to N (irfft: the Hermitian spectrum
//      completed, imaginary parts of bins 0 and N/2 dropped);
//   2. the forward transform (inverses: of the conjugate);
//   3. scatter: back to the op's layout and element type (inverses:
//      conjugated and scaled by 1/N; rfft keeps bins 0..N/2).
//
//===----------------------------------------------------------------------===//

#include "Lower/FFTBuilder.h"
#include "Lower/Reference/Utils.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace seqc {
#define GEN_PASS_DEF_SEQLOWERFFTPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::fft;

namespace {

enum class Kind { C2C, R2C, C2R };

/// Indices into the op's layout from the front layout's loop indices:
/// `row` at `axis`, loop index d+1 before it and d after it.
SmallVector<Value> toOpLayout(OpBuilder &b, Location l, Value row,
                              int64_t axis, int64_t rank) {
  SmallVector<Value> idx;
  for (int64_t d = 0; d < rank; ++d)
    idx.push_back(d == axis ? row : loopIndex(b, l, d < axis ? d + 1 : d));
  return idx;
}

/// Indices into the front layout: `row` in dim 0, the loop's own index in
/// every other dim (the loops iterate the front layout).
SmallVector<Value> atRowFront(OpBuilder &b, Location l, Value row,
                              int64_t rank) {
  SmallVector<Value> idx = {row};
  for (int64_t d = 1; d < rank; ++d)
    idx.push_back(loopIndex(b, l, d));
  return idx;
}

/// The op layout's dims as a map of the front layout's loops (d0 = the
/// transform axis, then the other dims in order): scatters iterate the
/// front layout -- contiguous reads of the planes along the batch dims,
/// twiddles uniform over the inner loops -- and write through this map.
AffineMap frontToOp(MLIRContext *ctx, int64_t axis, int64_t rank) {
  SmallVector<AffineExpr> es;
  for (int64_t d = 0; d < rank; ++d)
    es.push_back(getAffineDimExpr(d == axis ? 0 : (d < axis ? d + 1 : d), ctx));
  return AffineMap::get(rank, 0, es, ctx);
}

/// Marks a scatter so that seqc-fuse-elementwise does not fuse it into its
/// consumer (the ONNX (re, im) split, say), whose loops would run it in the
/// op's layout: strided reads and, for the split, every bin computed twice.
void keepOrder(OpBuilder &b, Value scatter) {
  scatter.getDefiningOp()->setAttr("seqc.keep_order", b.getUnitAttr());
}

/// A model tensor with the transform axis last, flattened to (signals,
/// length) and split into groups of 16 signals, one scf.forall task each.
/// The last group is shorter when the count is not a multiple of 16 or is
/// known only at run time (FFTLayout's moves take fewer rows).
class SignalGroups {
public:
  /// `t` has the transform axis last; the other dims are its signals.
  SignalGroups(OpBuilder &b, Location loc, Value t) : loc(loc) {
    auto type = llvm::cast<RankedTensorType>(t.getType());
    rank = type.getRank();
    toFlat = {{}, {rank - 1}};
    for (int64_t d = 0; d < rank - 1; ++d)
      toFlat[0].push_back(d);
    int64_t n = 1;
    bool dynamic = false;
    for (int64_t d = 0; d < rank - 1; ++d) {
      if (type.isDynamicDim(d))
        dynamic = true;
      else
        n *= type.getDimSize(d);
      lead.push_back(tensor::getMixedSize(b, loc, t, d));
    }
    if (!dynamic) {
      count = b.getIndexAttr(n);
      staticCount = n;
    } else {
      Value v = indexConst(b, loc, 1);
      for (OpFoldResult s : lead)
        v = arith::MulIOp::create(b, loc, v,
                                  getValueOrCreateConstantIndexOp(b, loc, s));
      count = v;
    }
  }

  /// Whether the groups are all full (a static multiple of 16 signals).
  bool allFull() const { return staticCount && *staticCount % kLanes == 0; }

  /// `t` (same signal dims) as (signals, length).
  Value flat(OpBuilder &b, Value t) const {
    return rank == 2 ? t
                     : tensor::CollapseShapeOp::create(b, loc, t, toFlat)
                           .getResult();
  }

  /// A (signals, length) tensor back in the model's layout `type`.
  Value unflat(OpBuilder &b, Value t, RankedTensorType type) const {
    if (rank == 2)
      return t;
    SmallVector<OpFoldResult> sizes(lead);
    sizes.push_back(b.getIndexAttr(type.getDimSize(rank - 1)));
    return tensor::ExpandShapeOp::create(b, loc, type, t, toFlat, sizes);
  }

  /// A complex (signals, cols) tensor as two f32 planes, elementwise.
  Planar split(OpBuilder &b, Value t, int64_t cols) const {
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, b.getContext());
    auto [re, im] = generic2(
        b, loc, {t}, fresh2(b, cols), fresh2(b, cols), {id2, id2, id2},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          linalg::YieldOp::create(
              nb, l,
              ValueRange{complex::ReOp::create(nb, l, a[0]),
                         complex::ImOp::create(nb, l, a[0])});
        });
    return {re, im};
  }

  /// A fresh (signals, cols) f32 tensor.
  Value fresh2(OpBuilder &b, int64_t cols) const {
    return fresh(b, loc, {count, b.getIndexAttr(cols)}, b.getF32Type());
  }

  /// One task per group over the shared (signals, cols[i]) outputs `outs`:
  /// `body` gets the group's rows of a (signals, *) tensor through `rows`
  /// and its slices of the outputs, and returns their new values.
  SmallVector<Value>
  forEach(OpBuilder &b, ValueRange outs,
          function_ref<SmallVector<Value>(
              OpBuilder &, function_ref<Value(Value, int64_t)> rows,
              ValueRange outSlices)>
              body) const {
    OpFoldResult tasks;
    if (staticCount)
      tasks = b.getIndexAttr((*staticCount + kLanes - 1) / kLanes);
    else
      tasks = Value(arith::CeilDivUIOp::create(
          b, loc, getValueOrCreateConstantIndexOp(b, loc, count),
          indexConst(b, loc, kLanes)));
    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{tasks},
                                        outs, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    Value s0 = arith::MulIOp::create(b, loc, forall.getInductionVar(0),
                                     indexConst(b, loc, kLanes));
    // Rows in this group: 16, or min(16, signals - s0) when that can differ.
    OpFoldResult size = b.getIndexAttr(kLanes);
    if (!allFull())
      size = Value(arith::MinUIOp::create(
          b, loc, indexConst(b, loc, kLanes),
          arith::SubIOp::create(b, loc,
                                getValueOrCreateConstantIndexOp(b, loc, count),
                                s0)));
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    auto rows = [&](Value t, int64_t cols) -> Value {
      return tensor::ExtractSliceOp::create(
          b, loc, t, ArrayRef<OpFoldResult>{s0, zero},
          ArrayRef<OpFoldResult>{size, b.getIndexAttr(cols)},
          ArrayRef<OpFoldResult>{one, one});
    };
    // The group's slices of the outputs; a group that may be short writes
    // 16-row scratch tensors and keeps their first `size` rows.
    SmallVector<Value> slices;
    for (Value o : forall.getRegionIterArgs()) {
      int64_t cols = llvm::cast<RankedTensorType>(o.getType()).getDimSize(1);
      slices.push_back(allFull() ? rows(o, cols)
                                 : fresh(b, loc,
                                         {b.getIndexAttr(kLanes),
                                          b.getIndexAttr(cols)},
                                         b.getF32Type()));
    }
    SmallVector<Value> results = body(b, rows, slices);
    if (!allFull())
      for (Value &r : results)
        r = tensor::ExtractSliceOp::create(
            b, loc, r, ArrayRef<OpFoldResult>{zero, zero},
            ArrayRef<OpFoldResult>{
                size, b.getIndexAttr(
                          llvm::cast<RankedTensorType>(r.getType()).getDimSize(1))},
            ArrayRef<OpFoldResult>{one, one});
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [r, dest] : llvm::zip(results, forall.getRegionIterArgs()))
      tensor::ParallelInsertSliceOp::create(
          b, loc, r, dest, ArrayRef<OpFoldResult>{s0, zero},
          ArrayRef<OpFoldResult>{
              size, b.getIndexAttr(llvm::cast<RankedTensorType>(dest.getType())
                                       .getDimSize(1))},
          ArrayRef<OpFoldResult>{one, one});
    return SmallVector<Value>(forall.getResults());
  }

private:
  Location loc;
  int64_t rank;
  SmallVector<ReassociationIndices> toFlat;
  SmallVector<OpFoldResult> lead;
  OpFoldResult count;
  std::optional<int64_t> staticCount;
};

/// Elementwise (re, im) planes -> complex.
Value complexOf(OpBuilder &b, Location loc, Value re, Value im,
                Type complexType) {
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, b.getContext());
  return generic(
      b, loc, {re, im},
      tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, re),
                              complexType),
      {id2, id2, id2}, "pp", [&](OpBuilder &nb, Location l, ValueRange a) {
        linalg::YieldOp::create(
            nb, l,
            Value(complex::CreateOp::create(nb, l, complexType, a[0], a[1])));
      });
}

/// Whether a transform runs in 16-signal groups: the transform axis last,
/// its input and output lengths static, and at least 4 signals or a count
/// known only at run time (each group's planes hold 16 lanes: a static
/// handful of long signals keeps the gathered layout rather than 16x the
/// memory).
bool groupable(RankedTensorType in, RankedTensorType out, int64_t axis) {
  if (axis != in.getRank() - 1 || in.getRank() < 2 || in.isDynamicDim(axis) ||
      out.isDynamicDim(axis) || in.getDimSize(axis) <= 0)
    return false;
  int64_t signals = 1;
  for (int64_t d = 0; d < axis; ++d) {
    if (in.isDynamicDim(d))
      return true;
    signals *= in.getDimSize(d);
  }
  return signals >= 4;
}

/// Real transforms of even static length N through one complex transform
/// of length h = N/2 on z[n] = x[2n] + i x[2n+1]: with Fe/Fo the spectra of
/// the even/odd samples, Z = Fe + i Fo and
///   X[k] = Fe[k] + w_N^k Fo[k],  Fe[k] = (Z[k] + conj Z[h-k]) / 2,
///                                Fo[k] = (Z[k] - conj Z[h-k]) / 2i;
/// irfft inverts the relations (Fe, Fo from X[k] and conj X[h-k]) and
/// reads x[2n], x[2n+1] off the real and imaginary parts.
///
/// Two layouts of the same steps. When the transform axis is the last dim
/// (groupable), each scf.forall task takes 16 signals: FFTLayout's block
/// transposes move them into N x 16 planes and back (rfft of 256 x 4096:
/// the generic gathers and scatters took half the time), and the tasks run
/// in parallel. Otherwise one generic gathers all signals and one scatters
/// them.
class RealEven {
public:
  RealEven(Operation *op, PatternRewriter &rw, Kind kind, Value input,
           int64_t axis, int64_t n, seq::ImplKind impl)
      : op(op), rw(rw), kind(kind), input(input), axis(axis), n(n), h(n / 2),
        impl(impl), loc(op->getLoc()),
        rt(llvm::cast<RankedTensorType>(op->getResult(0).getType())),
        rank(rt.getRank()) {
    ft = rw.getF32Type();
    // w_N^k for k <= h, in double then rounded.
    std::vector<float> wr(h + 1), wi(h + 1);
    for (int64_t k = 0; k <= h; ++k) {
      double ang = -2.0 * 3.14159265358979323846 * double(k) / double(n);
      wr[k] = float(std::cos(ang));
      wi[k] = float(std::sin(ang));
    }
    auto wt = RankedTensorType::get({h + 1}, ft);
    tw = {arith::ConstantOp::create(
              rw, loc, DenseElementsAttr::get(wt, ArrayRef<float>(wr))),
          arith::ConstantOp::create(
              rw, loc, DenseElementsAttr::get(wt, ArrayRef<float>(wi)))};
  }

  LogicalResult run() {
    auto it = llvm::cast<RankedTensorType>(input.getType());
    Value out = groupable(it, rt, axis) ? blocked() : gathered();
    if (out.getType() != rt)
      out = tensor::CastOp::create(rw, loc, rt, out);
    rw.replaceOp(op, out);
    return success();
  }

private:
  Operation *op;
  PatternRewriter &rw;
  Kind kind;
  Value input;
  int64_t axis, n, h;
  seq::ImplKind impl;
  Location loc;
  RankedTensorType rt;
  int64_t rank;
  Type ft;
  Planar tw;

  Value mul(OpBuilder &b, Location l, Value x, Value y) {
    return arith::MulFOp::create(b, l, x, y);
  }
  Value add(OpBuilder &b, Location l, Value x, Value y) {
    return arith::AddFOp::create(b, l, x, y);
  }
  Value sub(OpBuilder &b, Location l, Value x, Value y) {
    return arith::SubFOp::create(b, l, x, y);
  }

  Planar transform(OpBuilder &b, Location l, Planar z) {
    return forward(b, l, z, indexConst(b, l, h), h,
                   impl == seq::ImplKind::bluestein);
  }

  /// rfft bin k <= h from the planes of Z (front layout; `at` reads a row).
  std::pair<Value, Value>
  r2cBin(OpBuilder &b, Location l, Value k,
         function_ref<Value(Value plane, Value row)> at, Planar z) {
    Value hh = indexConst(b, l, h);
    Value kk = arith::RemUIOp::create(b, l, k, hh);
    Value mk =
        arith::RemUIOp::create(b, l, arith::SubIOp::create(b, l, hh, kk), hh);
    Value half = floatConst(b, l, ft, 0.5);
    Value ar = at(z.re, kk), ai = at(z.im, kk);
    Value cr = at(z.re, mk), ci = arith::NegFOp::create(b, l, at(z.im, mk));
    Value fer = mul(b, l, add(b, l, ar, cr), half);
    Value fei = mul(b, l, add(b, l, ai, ci), half);
    // (Z - conj Z[h-k]) / 2i = (im, -re) / 2
    Value for_ =
        mul(b, l, add(b, l, ai, arith::NegFOp::create(b, l, ci)), half);
    Value foi = mul(b, l, sub(b, l, cr, ar), half);
    Value twr = tensor::ExtractOp::create(b, l, tw.re, ValueRange{k});
    Value twi = tensor::ExtractOp::create(b, l, tw.im, ValueRange{k});
    Value xr = add(b, l, fer, sub(b, l, mul(b, l, twr, for_), mul(b, l, twi, foi)));
    Value xi = add(b, l, fei, add(b, l, mul(b, l, twr, foi), mul(b, l, twi, for_)));
    return {xr, xi};
  }

  /// conj Z[k], k < h, for the irfft from the spectrum X (`bin` reads X[k]
  /// as (re, im), zero past the input, imaginary parts of X[0] and X[h]
  /// dropped): the inverse runs as the forward transform of conj Z.
  std::pair<Value, Value>
  c2rBin(OpBuilder &b, Location l, Value k,
         function_ref<std::pair<Value, Value>(Value row)> bin) {
    Value half = floatConst(b, l, ft, 0.5);
    auto [ar, ai] = bin(k);
    auto [cr, ciPos] = bin(arith::SubIOp::create(b, l, indexConst(b, l, h), k));
    Value ci = arith::NegFOp::create(b, l, ciPos); // conj X[h-k]
    Value fer = mul(b, l, add(b, l, ar, cr), half);
    Value fei = mul(b, l, add(b, l, ai, ci), half);
    // Fo = (X[k] - conj X[h-k]) / (2 w^k) = (d / 2) * conj(w^k)
    Value dr = mul(b, l, sub(b, l, ar, cr), half);
    Value di = mul(b, l, sub(b, l, ai, ci), half);
    Value twr = tensor::ExtractOp::create(b, l, tw.re, ValueRange{k});
    Value twi = tensor::ExtractOp::create(b, l, tw.im, ValueRange{k});
    Value forr = add(b, l, mul(b, l, dr, twr), mul(b, l, di, twi));
    Value foi = sub(b, l, mul(b, l, di, twr), mul(b, l, dr, twi));
    // Z = Fe + i Fo; yield conj Z.
    Value re = sub(b, l, fer, foi);
    Value im = add(b, l, fei, forr);
    return {re, arith::NegFOp::create(b, l, im)};
  }

  /// X[row] of an irfft input as (re, im): zero past `len` bins, imaginary
  /// parts of bins 0 and h dropped; `read` gives (re, im) at a valid row.
  std::pair<Value, Value>
  spectrumBin(OpBuilder &b, Location l, Value row, Value len,
              function_ref<std::pair<Value, Value>(Value row)> read) {
    Value zero = floatConst(b, l, ft, 0.0);
    Value in = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, row, len);
    Value safe = arith::SelectOp::create(b, l, in, row, indexConst(b, l, 0));
    auto [re, im] = read(safe);
    Value edge = arith::OrIOp::create(
        b, l,
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, row,
                              indexConst(b, l, 0)),
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, row,
                              indexConst(b, l, h)));
    im = arith::SelectOp::create(b, l, edge, zero, im);
    return {arith::SelectOp::create(b, l, in, re, zero),
            arith::SelectOp::create(b, l, in, im, zero)};
  }

  /// Every signal at once: a generic gathers the planes N/2 x (other dims),
  /// another scatters the result back (iterating the front layout and
  /// writing through frontToOp).
  Value gathered() {
    MLIRContext *ctx = rw.getContext();
    Value inLen = dimValue(rw, loc, input, axis);
    SmallVector<OpFoldResult> inSizes = sizesOf(rw, loc, input);
    SmallVector<OpFoldResult> front = {rw.getIndexAttr(h)};
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        front.push_back(inSizes[d]);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value zero = floatConst(rw, loc, ft, 0.0);
    auto outSizes = [&](int64_t axisSize) {
      SmallVector<OpFoldResult> sizes = inSizes;
      sizes[axis] = rw.getIndexAttr(axisSize);
      return sizes;
    };
    auto frontAt = [&](OpBuilder &b, Location l) {
      return [&b, l, this](Value plane, Value row) -> Value {
        return tensor::ExtractOp::create(b, l, plane,
                                         atRowFront(b, l, row, rank));
      };
    };
    // Every sample the transform reads exists (no zero padding): no checks.
    auto inType = llvm::cast<RankedTensorType>(input.getType());
    bool inBounds = !inType.isDynamicDim(axis) && inType.getDimSize(axis) >= n;
    Value out;
    if (kind == Kind::R2C) {
      // z[m] = x[2m] + i x[2m+1] (zero past the input).
      auto [zr, zi] = generic2(
          rw, loc, {}, fresh(rw, loc, front, ft), fresh(rw, loc, front, ft),
          {id, id}, [&](OpBuilder &b, Location l, ValueRange) {
            Value m2 = arith::MulIOp::create(b, l, loopIndex(b, l, 0),
                                             indexConst(b, l, 2));
            auto sample = [&](Value pos) -> Value {
              if (inBounds)
                return tensor::ExtractOp::create(
                    b, l, input, toOpLayout(b, l, pos, axis, rank));
              Value in = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ult, pos, inLen);
              Value safe =
                  arith::SelectOp::create(b, l, in, pos, indexConst(b, l, 0));
              Value v = tensor::ExtractOp::create(
                  b, l, input, toOpLayout(b, l, safe, axis, rank));
              return arith::SelectOp::create(b, l, in, v, zero);
            };
            linalg::YieldOp::create(
                b, l,
                ValueRange{sample(m2), sample(arith::AddIOp::create(
                                           b, l, m2, indexConst(b, l, 1)))});
          });
      Planar z = transform(rw, loc, {zr, zi});
      // X[k], k <= h, into the op's layout.
      out = generic(
          rw, loc, {},
          tensor::EmptyOp::create(rw, loc, outSizes(h + 1), rt.getElementType()),
          {frontToOp(ctx, axis, rank)}, std::string(rank, 'p'),
          [&](OpBuilder &b, Location l, ValueRange) {
            auto [xr, xi] = r2cBin(b, l, loopIndex(b, l, 0), frontAt(b, l), z);
            linalg::YieldOp::create(
                b, l,
                Value(complex::CreateOp::create(b, l, rt.getElementType(), xr,
                                                xi)));
          });
      keepOrder(rw, out);
      return out;
    }

    auto [zr, zi] = generic2(
        rw, loc, {}, fresh(rw, loc, front, ft), fresh(rw, loc, front, ft),
        {id, id}, [&](OpBuilder &b, Location l, ValueRange) {
          auto bin = [&](Value row) {
            return spectrumBin(b, l, row, inLen, [&](Value safe) {
              Value v = tensor::ExtractOp::create(
                  b, l, input, toOpLayout(b, l, safe, axis, rank));
              return std::pair<Value, Value>(complex::ReOp::create(b, l, v),
                                             complex::ImOp::create(b, l, v));
            });
          };
          auto [re, im] = c2rBin(b, l, loopIndex(b, l, 0), bin);
          linalg::YieldOp::create(b, l, ValueRange{re, im});
        });
    Planar z = transform(rw, loc, {zr, zi});
    // x[2m] = Re z[m] / h, x[2m+1] = Im z[m] / h with z = conj(forward)/h.
    Value scale = floatConst(rw, loc, ft, 1.0 / double(h));
    out = generic(
        rw, loc, {}, tensor::EmptyOp::create(rw, loc, outSizes(n), ft),
        {frontToOp(ctx, axis, rank)}, std::string(rank, 'p'),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value t = loopIndex(b, l, 0);
          Value m = arith::DivUIOp::create(b, l, t, indexConst(b, l, 2));
          Value odd = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::ne,
              arith::RemUIOp::create(b, l, t, indexConst(b, l, 2)),
              indexConst(b, l, 0));
          SmallVector<Value> idx = atRowFront(b, l, m, rank);
          Value re = tensor::ExtractOp::create(b, l, z.re, idx);
          Value im = arith::NegFOp::create(
              b, l, tensor::ExtractOp::create(b, l, z.im, idx));
          linalg::YieldOp::create(
              b, l,
              mul(b, l, arith::SelectOp::create(b, l, odd, im, re), scale));
        });
    keepOrder(rw, out);
    return out;
  }

  /// Groups of 16 signals (the transform axis last): one forall task per
  /// group moves its signals into planes with block transposes, transforms
  /// them and moves the result back.
  Value blocked() {
    MLIRContext *ctx = rw.getContext();
    auto it = llvm::cast<RankedTensorType>(input.getType());
    int64_t inLen = it.getDimSize(axis);
    int64_t outLen = rt.getDimSize(axis);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    SignalGroups groups(rw, loc, input);
    Value x = groups.flat(rw, input);
    auto planes = [&](OpBuilder &b, int64_t rows) {
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows),
                                         b.getIndexAttr(kLanes)};
      return std::pair<Value, Value>(fresh(b, loc, sizes, ft),
                                     fresh(b, loc, sizes, ft));
    };
    auto frontAt = [](OpBuilder &b, Location l) {
      return [&b, l](Value plane, Value row) -> Value {
        return tensor::ExtractOp::create(b, l, plane,
                                         ValueRange{row, loopIndex(b, l, 1)});
      };
    };

    if (kind == Kind::R2C) {
      SmallVector<Value> res = groups.forEach(
          rw, {groups.fresh2(rw, outLen), groups.fresh2(rw, outLen)},
          [&](OpBuilder &b, function_ref<Value(Value, int64_t)> rows,
              ValueRange outs) -> SmallVector<Value> {
            Planar z = transform(b, loc, packEvenOdd(b, loc, rows(x, inLen), h));
            auto [pr, pi] = planes(b, h + 1);
            auto [xr, xi] = generic2(
                b, loc, {}, pr, pi, {id2, id2},
                [&](OpBuilder &nb, Location l, ValueRange) {
                  auto [re, im] =
                      r2cBin(nb, l, loopIndex(nb, l, 0), frontAt(nb, l), z);
                  linalg::YieldOp::create(nb, l, ValueRange{re, im});
                });
            return {storeTransposed(b, loc, xr, outs[0]),
                    storeTransposed(b, loc, xi, outs[1])};
          });
      return groups.unflat(
          rw, complexOf(rw, loc, res[0], res[1], rt.getElementType()), rt);
    }

    // The irfft's spectrum as two f32 planes in its own layout.
    auto [sr, si] = groups.split(rw, x, inLen);
    int64_t bins = std::min(inLen, h + 1);
    SmallVector<Value> res = groups.forEach(
        rw, {groups.fresh2(rw, outLen)},
        [&](OpBuilder &b, function_ref<Value(Value, int64_t)> rows,
            ValueRange outs) -> SmallVector<Value> {
          Planar xs = {loadTransposed(b, loc, rows(sr, inLen), bins),
                       loadTransposed(b, loc, rows(si, inLen), bins)};
          Value len = indexConst(b, loc, bins);
          auto [zr0, zi0] = planes(b, h);
          auto [zr, zi] = generic2(
              b, loc, {}, zr0, zi0, {id2, id2},
              [&](OpBuilder &nb, Location l, ValueRange) {
                auto bin = [&](Value row) {
                  return spectrumBin(nb, l, row, len, [&](Value safe) {
                    SmallVector<Value> idx = {safe, loopIndex(nb, l, 1)};
                    return std::pair<Value, Value>(
                        tensor::ExtractOp::create(nb, l, xs.re, idx),
                        tensor::ExtractOp::create(nb, l, xs.im, idx));
                  });
                };
                auto [re, im] = c2rBin(nb, l, loopIndex(nb, l, 0), bin);
                linalg::YieldOp::create(nb, l, ValueRange{re, im});
              });
          Planar z = transform(b, loc, {zr, zi});
          // x[2m] = Re z[m] / h, x[2m+1] = -Im z[m] / h.
          Value scale = floatConst(b, loc, ft, 1.0 / double(h));
          auto [s0r, s0i] = planes(b, h);
          auto [pr, pi] = generic2(
              b, loc, {z.re, z.im}, s0r, s0i, {id2, id2, id2, id2},
              [&](OpBuilder &nb, Location l, ValueRange a) {
                linalg::YieldOp::create(
                    nb, l,
                    ValueRange{mul(nb, l, a[0], scale),
                               mul(nb, l, arith::NegFOp::create(nb, l, a[1]),
                                   scale)});
              });
          return {unpackEvenOdd(b, loc, {pr, pi}, outs[0])};
        });
    return groups.unflat(rw, res[0], rt);
  }
};

LogicalResult lowerRealEven(Operation *op, PatternRewriter &rw, Kind kind,
                            Value input, int64_t axis, int64_t n,
                            seq::ImplKind impl) {
  return RealEven(op, rw, kind, input, axis, n, impl).run();
}

/// Complex transforms, and real ones of odd length, with the transform axis
/// last: as RealEven::blocked, one forall task per 16 signals moves them
/// into N x 16 planes and back with block transposes (FFTLayout.cpp).
LogicalResult lowerBlocked(Operation *op, PatternRewriter &rw, Kind kind,
                           Value input, int64_t n, bool inverse,
                           seq::ImplKind impl) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rw.getContext();
  auto it = llvm::cast<RankedTensorType>(input.getType());
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = it.getRank(), inLen = it.getDimSize(rank - 1);
  int64_t outLen = rt.getDimSize(rank - 1);
  Type ft = rw.getF32Type();
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  SignalGroups groups(rw, loc, input);
  Value x = groups.flat(rw, input);
  // The input as f32 planes in its own layout.
  Planar in =
      kind == Kind::C2C ? groups.split(rw, x, inLen) : Planar{x, Value()};
  SmallVector<Value> res = groups.forEach(
      rw, {groups.fresh2(rw, outLen), groups.fresh2(rw, outLen)},
      [&](OpBuilder &b, function_ref<Value(Value, int64_t)> rows,
          ValueRange outs) -> SmallVector<Value> {
        auto fresh16 = [&](int64_t r, Value fill = Value()) {
          return fresh(b, loc, {b.getIndexAttr(r), b.getIndexAttr(kLanes)}, ft,
                       fill);
        };
        Value zero = floatConst(b, loc, ft, 0.0);
        Planar z = {loadTransposed(b, loc, rows(in.re, inLen), n),
                    in.im ? loadTransposed(b, loc, rows(in.im, inLen), n)
                          : fresh16(n, zero)};
        // Inverses transform the conjugate, then conjugate and scale by 1/N;
        // a real signal's bin 0 (and N/2 for even N) is exactly real.
        auto conjScale = [&](Planar p, int64_t r, double scale,
                             bool realBins) -> Planar {
          Value s = floatConst(b, loc, ft, scale);
          auto [re, im] = generic2(
              b, loc, {p.re, p.im}, fresh16(r), fresh16(r),
              {id2, id2, id2, id2}, [&](OpBuilder &nb, Location l, ValueRange a) {
                Value pr = arith::MulFOp::create(nb, l, a[0], s);
                Value pi = arith::MulFOp::create(nb, l, a[1], s);
                if (inverse)
                  pi = arith::NegFOp::create(nb, l, pi);
                if (realBins) {
                  Value k = loopIndex(nb, l, 0);
                  Value real = arith::CmpIOp::create(
                      nb, l, arith::CmpIPredicate::eq, k, indexConst(nb, l, 0));
                  if (n % 2 == 0)
                    real = arith::OrIOp::create(
                        nb, l, real,
                        arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                              k, indexConst(nb, l, n / 2)));
                  pi = arith::SelectOp::create(nb, l, real, zero, pi);
                }
                linalg::YieldOp::create(nb, l, ValueRange{pr, pi});
              });
          return {re, im};
        };
        if (inverse)
          z = conjScale(z, n, 1.0, false);
        Planar y = forward(b, loc, z, indexConst(b, loc, n), n,
                           impl == seq::ImplKind::bluestein);
        if (inverse || kind == Kind::R2C) {
          // R2C keeps bins 0 .. N/2: the first outLen rows.
          if (outLen < n) {
            SmallVector<OpFoldResult> o = {b.getIndexAttr(0), b.getIndexAttr(0)},
                                      sz = {b.getIndexAttr(outLen),
                                            b.getIndexAttr(kLanes)},
                                      ones = {b.getIndexAttr(1),
                                              b.getIndexAttr(1)};
            y = {tensor::ExtractSliceOp::create(b, loc, y.re, o, sz, ones),
                 tensor::ExtractSliceOp::create(b, loc, y.im, o, sz, ones)};
          }
          y = conjScale(y, outLen, inverse ? 1.0 / double(n) : 1.0,
                        kind == Kind::R2C);
        }
        return {storeTransposed(b, loc, y.re, outs[0]),
                storeTransposed(b, loc, y.im, outs[1])};
      });
  Value out = groups.unflat(
      rw, complexOf(rw, loc, res[0], res[1], rt.getElementType()), rt);
  rw.replaceOp(op, out);
  return success();
}

LogicalResult lower(Operation *op, PatternRewriter &rw, Kind kind, Value input,
                    int64_t axis, std::optional<uint64_t> lengthAttr,
                    bool inverse, seq::ImplKind impl) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rw.getContext();
  auto it = llvm::cast<RankedTensorType>(input.getType());
  auto rt = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = it.getRank();
  Type ft = kind == Kind::C2R
                ? rt.getElementType()
                : llvm::cast<ComplexType>(rt.getElementType()).getElementType();
  if (!ft.isF32())
    return rw.notifyMatchFailure(op, "f32 only");

  // Transform length N.
  Value inLen = dimValue(rw, loc, input, axis);
  std::optional<int64_t> staticN;
  Value n;
  if (lengthAttr) {
    staticN = int64_t(*lengthAttr);
    n = indexConst(rw, loc, *staticN);
  } else if (kind == Kind::C2R) {
    // 2 (M - 1).
    n = arith::MulIOp::create(
        rw, loc, arith::SubIOp::create(rw, loc, inLen, indexConst(rw, loc, 1)),
        indexConst(rw, loc, 2));
    if (!it.isDynamicDim(axis))
      staticN = 2 * (it.getDimSize(axis) - 1);
  } else {
    n = inLen;
    if (!it.isDynamicDim(axis))
      staticN = it.getDimSize(axis);
  }
  if (staticN && *staticN <= 0)
    return rw.notifyMatchFailure(op, "empty transform");
  // Real transforms of even static length: half-length complex transform.
  if (kind != Kind::C2C && staticN && *staticN % 2 == 0 && *staticN >= 4)
    return lowerRealEven(op, rw, kind, input, axis, *staticN, impl);
  if (kind != Kind::C2R && staticN && groupable(it, rt, axis))
    return lowerBlocked(op, rw, kind, input, *staticN, inverse, impl);

  // 1. Gather into N x (other dims).
  SmallVector<OpFoldResult> inSizes = sizesOf(rw, loc, input);
  SmallVector<OpFoldResult> front = {
      staticN ? OpFoldResult(rw.getIndexAttr(*staticN)) : OpFoldResult(n)};
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      front.push_back(inSizes[d]);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  Value zero = floatConst(rw, loc, ft, 0.0);
  Value half = arith::DivUIOp::create(rw, loc, n, indexConst(rw, loc, 2));
  auto [xre, xim] = generic2(
      rw, loc, {}, fresh(rw, loc, front, ft), fresh(rw, loc, front, ft),
      {id, id}, [&](OpBuilder &b, Location l, ValueRange) {
        Value row = loopIndex(b, l, 0);
        Value src = row, conj;
        Value dropIm = arith::ConstantIntOp::create(b, l, b.getI1Type(), 0);
        if (kind == Kind::C2R) {
          // Bins past N/2 mirror the first half, conjugated.
          Value upper = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt,
                                              row, half);
          src = arith::SelectOp::create(
              b, l, upper, arith::SubIOp::create(b, l, n, row), row);
          conj = upper;
          Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              row, indexConst(b, l, 0));
          Value even = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq,
              arith::RemUIOp::create(b, l, n, indexConst(b, l, 2)),
              indexConst(b, l, 0));
          Value mid = arith::AndIOp::create(
              b, l, even,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, row, half));
          dropIm = arith::OrIOp::create(b, l, first, mid);
        }
        Value in = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, src,
                                         inLen);
        Value safe = arith::SelectOp::create(b, l, in, src, indexConst(b, l, 0));
        Value v = tensor::ExtractOp::create(b, l, input,
                                            toOpLayout(b, l, safe, axis, rank));
        Value re = v, im = zero;
        if (kind != Kind::R2C) {
          re = complex::ReOp::create(b, l, v);
          im = complex::ImOp::create(b, l, v);
        }
        if (conj)
          im = arith::SelectOp::create(b, l, conj,
                                       arith::NegFOp::create(b, l, im), im);
        im = arith::SelectOp::create(b, l, dropIm, zero, im);
        // Inverses transform the conjugate.
        if (inverse || kind == Kind::C2R)
          im = arith::NegFOp::create(b, l, im);
        linalg::YieldOp::create(
            b, l,
            ValueRange{arith::SelectOp::create(b, l, in, re, zero),
                       arith::SelectOp::create(b, l, in, im, zero)});
      });

  // 2. The transform.
  Planar y = forward(rw, loc, {xre, xim}, n, staticN,
                     impl == seq::ImplKind::bluestein);

  // 3. Back to the op's layout.
  bool isInverse = inverse || kind == Kind::C2R;
  Value scale = floatConst(rw, loc, ft, 1.0);
  if (isInverse)
    scale = arith::DivFOp::create(rw, loc, scale, indexToFloat(rw, loc, n, ft));
  SmallVector<OpFoldResult> outSizes;
  for (int64_t d = 0; d < rank; ++d)
    outSizes.push_back(d == axis
                           ? (rt.isDynamicDim(d)
                                  ? OpFoldResult(kind == Kind::R2C
                                                     ? Value(arith::AddIOp::create(
                                                           rw, loc, half,
                                                           indexConst(rw, loc, 1)))
                                                     : n)
                                  : OpFoldResult(rw.getIndexAttr(rt.getDimSize(d))))
                           : inSizes[d]);
  Value out = generic(
      rw, loc, {}, tensor::EmptyOp::create(rw, loc, outSizes, rt.getElementType()),
      {frontToOp(ctx, axis, rank)}, std::string(rank, 'p'),
      [&](OpBuilder &b, Location l, ValueRange) {
        SmallVector<Value> idx = atRowFront(b, l, loopIndex(b, l, 0), rank);
        Value re = tensor::ExtractOp::create(b, l, y.re, idx);
        re = arith::MulFOp::create(b, l, re, scale);
        if (kind == Kind::C2R) {
          linalg::YieldOp::create(b, l, re);
          return;
        }
        Value im = tensor::ExtractOp::create(b, l, y.im, idx);
        im = arith::MulFOp::create(b, l, im, scale);
        if (isInverse)
          im = arith::NegFOp::create(b, l, im);
        if (kind == Kind::R2C) {
          // A real signal's bins 0 and N/2 (N even) are real: give them an
          // exact 0 rather than the transform's round-off (which Bluestein
          // makes ~1e-7 of the signal's magnitude).
          Value k = loopIndex(b, l, 0);
          Value dc = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k,
                                           indexConst(b, l, 0));
          Value even = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq,
              arith::RemUIOp::create(b, l, n, indexConst(b, l, 2)),
              indexConst(b, l, 0));
          Value nyquist = arith::AndIOp::create(
              b, l, even,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k, half));
          im = arith::SelectOp::create(b, l,
                                       arith::OrIOp::create(b, l, dc, nyquist),
                                       zero, im);
        }
        linalg::YieldOp::create(
            b, l,
            Value(complex::CreateOp::create(b, l, rt.getElementType(), re, im)));
      });
  keepOrder(rw, out);
  if (out.getType() != rt)
    out = tensor::CastOp::create(rw, loc, rt, out);
  rw.replaceOp(op, out);
  return success();
}

bool isFast(std::optional<seq::ImplKind> impl) {
  return impl && (*impl == seq::ImplKind::mixed_radix ||
                  *impl == seq::ImplKind::bluestein);
}

struct LowerFFT : OpRewritePattern<seq::FFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(seq::FFTOp op,
                                PatternRewriter &rw) const override {
    if (!isFast(op.getImpl()))
      return failure();
    return lower(op, rw, Kind::C2C, op.getInput(), op.getAxis(),
                 op.getLength(), op.getInverse(), *op.getImpl());
  }
};

struct LowerRFFT : OpRewritePattern<seq::RFFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(seq::RFFTOp op,
                                PatternRewriter &rw) const override {
    if (!isFast(op.getImpl()))
      return failure();
    return lower(op, rw, Kind::R2C, op.getInput(), op.getAxis(),
                 op.getLength(), false, *op.getImpl());
  }
};

struct LowerIRFFT : OpRewritePattern<seq::IRFFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(seq::IRFFTOp op,
                                PatternRewriter &rw) const override {
    if (!isFast(op.getImpl()))
      return failure();
    return lower(op, rw, Kind::C2R, op.getInput(), op.getAxis(),
                 op.getLength(), true, *op.getImpl());
  }
};

struct SeqLowerFFTPass : seqc::impl::SeqLowerFFTPassBase<SeqLowerFFTPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerFFT, LowerRFFT, LowerIRFFT>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
