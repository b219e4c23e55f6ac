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
#include "seqc/Utils/AttrNames.h"
#include "seqc/Utils/MathConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
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
SmallVector<Value> toOpLayout(OpBuilder &b, Location l, Value row, int64_t axis,
                              int64_t rank) {
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
  attrs::markKeepOrder(scatter.getDefiningOp());
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
  bool allFull() const {
    return staticCount && *staticCount % kSignalBlock == 0;
  }

  /// `t` (same signal dims) as (signals, length).
  Value flat(OpBuilder &b, Value t) const {
    return rank == 2
               ? t
               : tensor::CollapseShapeOp::create(b, loc, t, toFlat).getResult();
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
    auto [re, im] =
        generic2(b, loc, {t}, fresh2(b, cols), fresh2(b, cols), {id2, id2, id2},
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
  SmallVector<Value> forEach(
      OpBuilder &b, ValueRange outs,
      function_ref<SmallVector<Value>(OpBuilder &,
                                      function_ref<Value(Value, int64_t)> rows,
                                      ValueRange outSlices)>
          body) const {
    OpFoldResult tasks;
    if (staticCount)
      tasks = b.getIndexAttr((*staticCount + kSignalBlock - 1) / kSignalBlock);
    else
      tasks = Value(arith::CeilDivUIOp::create(
          b, loc, getValueOrCreateConstantIndexOp(b, loc, count),
          indexConst(b, loc, kSignalBlock)));
    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{tasks},
                                        outs, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    Value s0 = arith::MulIOp::create(b, loc, forall.getInductionVar(0),
                                     indexConst(b, loc, kSignalBlock));
    // Rows in this group: 16, or min(16, signals - s0) when that can differ.
    OpFoldResult size = b.getIndexAttr(kSignalBlock);
    if (!allFull())
      size = Value(arith::MinUIOp::create(
          b, loc, indexConst(b, loc, kSignalBlock),
          arith::SubIOp::create(
              b, loc, getValueOrCreateConstantIndexOp(b, loc, count), s0)));
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
                                         {b.getIndexAttr(kSignalBlock),
                                          b.getIndexAttr(cols)},
                                         b.getF32Type()));
    }
    SmallVector<Value> results = body(b, rows, slices);
    if (!allFull())
      for (Value &r : results)
        r = tensor::ExtractSliceOp::create(
            b, loc, r, ArrayRef<OpFoldResult>{zero, zero},
            ArrayRef<OpFoldResult>{
                size,
                b.getIndexAttr(
                    llvm::cast<RankedTensorType>(r.getType()).getDimSize(1))},
            ArrayRef<OpFoldResult>{one, one});
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [r, dest] : llvm::zip(results, forall.getRegionIterArgs()))
      tensor::ParallelInsertSliceOp::create(
          b, loc, r, dest, ArrayRef<OpFoldResult>{s0, zero},
          ArrayRef<OpFoldResult>{
              size,
              b.getIndexAttr(
                  llvm::cast<RankedTensorType>(dest.getType()).getDimSize(1))},
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

/// One transform op as the lowerings see it: its operands and types, the
/// direction and algorithm, and the transform length N (a value, and its
/// static value when known).
struct TransformPlan {
  Operation *op = nullptr;
  Kind kind = Kind::C2C;
  Value input;
  int64_t axis = 0;
  /// The op's `inverse` (irfft: always).
  bool inverse = false;
  seq::ImplKind impl = seq::ImplKind::mixed_radix;
  RankedTensorType inType, resultType;
  Type ft;
  /// The input's size along the axis, and N.
  Value inLen, n;
  std::optional<int64_t> staticN;

  Location loc() const { return op->getLoc(); }
  int64_t rank() const { return inType.getRank(); }
  bool bluestein() const { return impl == seq::ImplKind::bluestein; }
  /// Inverses transform the conjugate and scale by 1/N.
  bool isInverse() const { return inverse || kind == Kind::C2R; }
  /// A real transform of even static length N >= 4: one complex transform
  /// of length N/2 (RealEven).
  bool realEven() const {
    return kind != Kind::C2C && staticN && *staticN % 2 == 0 && *staticN >= 4;
  }
  /// The transform in 16-signal groups (lowerBlocked).
  bool blocked() const {
    return staticN && groupable(inType, resultType, axis);
  }
};

/// The plan of `op` (f32 only): N is the length attribute, else 2 (M - 1)
/// for an irfft of M bins, else the input's length M.
FailureOr<TransformPlan> planTransform(Operation *op, PatternRewriter &rw,
                                       Kind kind, Value input, int64_t axis,
                                       std::optional<uint64_t> lengthAttr,
                                       bool inverse, seq::ImplKind impl) {
  Location loc = op->getLoc();
  TransformPlan p;
  p.op = op;
  p.kind = kind;
  p.input = input;
  p.axis = axis;
  p.inverse = inverse;
  p.impl = impl;
  p.inType = llvm::cast<RankedTensorType>(input.getType());
  p.resultType = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  p.ft = kind == Kind::C2R
             ? p.resultType.getElementType()
             : llvm::cast<ComplexType>(p.resultType.getElementType())
                   .getElementType();
  if (!p.ft.isF32())
    return rw.notifyMatchFailure(op, "f32 only");

  p.inLen = dimValue(rw, loc, input, axis);
  if (lengthAttr) {
    p.staticN = int64_t(*lengthAttr);
    p.n = indexConst(rw, loc, *p.staticN);
  } else if (kind == Kind::C2R) {
    // 2 (M - 1).
    p.n = arith::MulIOp::create(
        rw, loc,
        arith::SubIOp::create(rw, loc, p.inLen, indexConst(rw, loc, 1)),
        indexConst(rw, loc, 2));
    if (!p.inType.isDynamicDim(axis))
      p.staticN = 2 * (p.inType.getDimSize(axis) - 1);
  } else {
    p.n = p.inLen;
    if (!p.inType.isDynamicDim(axis))
      p.staticN = p.inType.getDimSize(axis);
  }
  if (p.staticN && *p.staticN <= 0)
    return rw.notifyMatchFailure(op, "empty transform");
  return p;
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
  RealEven(const TransformPlan &p, PatternRewriter &rw)
      : op(p.op), rw(rw), kind(p.kind), input(p.input), axis(p.axis),
        n(*p.staticN), h(n / 2), impl(p.impl), loc(p.loc()), rt(p.resultType),
        rank(rt.getRank()) {
    ft = rw.getF32Type();
    // w_N^k for k <= h, in double then rounded.
    std::vector<float> wr(h + 1), wi(h + 1);
    for (int64_t k = 0; k <= h; ++k) {
      double ang = -2.0 * kPi * double(k) / double(n);
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

  Planar transform(OpBuilder &b, Location l, Planar z) {
    return forward(b, l, z, indexConst(b, l, h), h,
                   impl == seq::ImplKind::bluestein);
  }

  /// rfft bin k <= h from the planes of Z (front layout; `at` reads a row).
  std::pair<Value, Value> r2cBin(OpBuilder &b, Location l, Value k,
                                 function_ref<Value(Value plane, Value row)> at,
                                 Planar z) {
    ArithBuilder ab(b, l);
    Value hh = indexConst(b, l, h);
    Value kk = arith::RemUIOp::create(b, l, k, hh);
    Value mk =
        arith::RemUIOp::create(b, l, arith::SubIOp::create(b, l, hh, kk), hh);
    Value half = floatConst(b, l, ft, 0.5);
    Value ar = at(z.re, kk), ai = at(z.im, kk);
    Value cr = at(z.re, mk), ci = arith::NegFOp::create(b, l, at(z.im, mk));
    Value fer = ab.mul(ab.add(ar, cr), half);
    Value fei = ab.mul(ab.add(ai, ci), half);
    // (Z - conj Z[h-k]) / 2i = (im, -re) / 2
    Value for_ = ab.mul(ab.add(ai, arith::NegFOp::create(b, l, ci)), half);
    Value foi = ab.mul(ab.sub(cr, ar), half);
    Value twr = tensor::ExtractOp::create(b, l, tw.re, ValueRange{k});
    Value twi = tensor::ExtractOp::create(b, l, tw.im, ValueRange{k});
    Value xr = ab.add(fer, ab.sub(ab.mul(twr, for_), ab.mul(twi, foi)));
    Value xi = ab.add(fei, ab.add(ab.mul(twr, foi), ab.mul(twi, for_)));
    return {xr, xi};
  }

  /// conj Z[k], k < h, for the irfft from the spectrum X (`bin` reads X[k]
  /// as (re, im), zero past the input, imaginary parts of X[0] and X[h]
  /// dropped): the inverse runs as the forward transform of conj Z.
  std::pair<Value, Value>
  c2rBin(OpBuilder &b, Location l, Value k,
         function_ref<std::pair<Value, Value>(Value row)> bin) {
    ArithBuilder ab(b, l);
    Value half = floatConst(b, l, ft, 0.5);
    auto [ar, ai] = bin(k);
    auto [cr, ciPos] = bin(arith::SubIOp::create(b, l, indexConst(b, l, h), k));
    Value ci = arith::NegFOp::create(b, l, ciPos); // conj X[h-k]
    Value fer = ab.mul(ab.add(ar, cr), half);
    Value fei = ab.mul(ab.add(ai, ci), half);
    // Fo = (X[k] - conj X[h-k]) / (2 w^k) = (d / 2) * conj(w^k)
    Value dr = ab.mul(ab.sub(ar, cr), half);
    Value di = ab.mul(ab.sub(ai, ci), half);
    Value twr = tensor::ExtractOp::create(b, l, tw.re, ValueRange{k});
    Value twi = tensor::ExtractOp::create(b, l, tw.im, ValueRange{k});
    Value forr = ab.add(ab.mul(dr, twr), ab.mul(di, twi));
    Value foi = ab.sub(ab.mul(di, twr), ab.mul(dr, twi));
    // Z = Fe + i Fo; yield conj Z.
    Value re = ab.sub(fer, foi);
    Value im = ab.add(fei, forr);
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

  //===--------------------------------------------------------------------===//
  // Gathered: every signal at once
  //===--------------------------------------------------------------------===//

  /// Row `row` of a front-layout plane, inside a generic over that layout.
  Value frontAt(OpBuilder &b, Location l, Value plane, Value row) {
    return tensor::ExtractOp::create(b, l, plane, atRowFront(b, l, row, rank));
  }

  /// `inSizes` with the transform axis `axisSize` long.
  SmallVector<OpFoldResult> withAxisSize(ArrayRef<OpFoldResult> inSizes,
                                         int64_t axisSize) {
    SmallVector<OpFoldResult> sizes(inSizes);
    sizes[axis] = rw.getIndexAttr(axisSize);
    return sizes;
  }

  /// A generic gathers the planes h x (other dims), another scatters the
  /// result back (iterating the front layout and writing through
  /// frontToOp).
  Value gathered() {
    Value inLen = dimValue(rw, loc, input, axis);
    SmallVector<OpFoldResult> inSizes = sizesOf(rw, loc, input);
    SmallVector<OpFoldResult> front = {rw.getIndexAttr(h)};
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        front.push_back(inSizes[d]);
    Value zero = floatConst(rw, loc, ft, 0.0);
    Value out = kind == Kind::R2C ? gatheredR2C(inLen, inSizes, front, zero)
                                  : gatheredC2R(inLen, inSizes, front);
    keepOrder(rw, out);
    return out;
  }

  /// Sample `pos` of the rfft input at the generic's other indices, `zero`
  /// past `inLen` unless every sample read exists (`inBounds`).
  Value sample(OpBuilder &b, Location l, Value pos, Value inLen, Value zero,
               bool inBounds) {
    if (inBounds)
      return tensor::ExtractOp::create(b, l, input,
                                       toOpLayout(b, l, pos, axis, rank));
    Value in =
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, pos, inLen);
    Value safe = arith::SelectOp::create(b, l, in, pos, indexConst(b, l, 0));
    Value v = tensor::ExtractOp::create(b, l, input,
                                        toOpLayout(b, l, safe, axis, rank));
    return arith::SelectOp::create(b, l, in, v, zero);
  }

  /// rfft: z[m] = x[2m] + i x[2m+1] gathered, transformed, and X[k],
  /// k <= h, scattered into the op's layout.
  Value gatheredR2C(Value inLen, ArrayRef<OpFoldResult> inSizes,
                    ArrayRef<OpFoldResult> front, Value zero) {
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, rw.getContext());
    // Every sample the transform reads exists (no zero padding): no checks.
    auto inType = llvm::cast<RankedTensorType>(input.getType());
    bool inBounds = !inType.isDynamicDim(axis) && inType.getDimSize(axis) >= n;
    auto [zr, zi] = generic2(
        rw, loc, {}, fresh(rw, loc, front, ft), fresh(rw, loc, front, ft),
        {id, id}, [&](OpBuilder &b, Location l, ValueRange) {
          Value m2 = arith::MulIOp::create(b, l, loopIndex(b, l, 0),
                                           indexConst(b, l, 2));
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  sample(b, l, m2, inLen, zero, inBounds),
                  sample(b, l,
                         arith::AddIOp::create(b, l, m2, indexConst(b, l, 1)),
                         inLen, zero, inBounds)});
        });
    Planar z = transform(rw, loc, {zr, zi});
    return generic(
        rw, loc, {},
        tensor::EmptyOp::create(rw, loc, withAxisSize(inSizes, h + 1),
                                rt.getElementType()),
        {frontToOp(rw.getContext(), axis, rank)}, std::string(rank, 'p'),
        [&](OpBuilder &b, Location l, ValueRange) {
          auto [xr, xi] = r2cBin(
              b, l, loopIndex(b, l, 0),
              [&](Value plane, Value row) { return frontAt(b, l, plane, row); },
              z);
          linalg::YieldOp::create(b, l,
                                  Value(complex::CreateOp::create(
                                      b, l, rt.getElementType(), xr, xi)));
        });
  }

  /// irfft: conj Z gathered from the spectrum, transformed, and
  /// x[2m] = Re z[m] / h, x[2m+1] = Im z[m] / h (z = conj(forward) / h)
  /// scattered into the op's layout.
  Value gatheredC2R(Value inLen, ArrayRef<OpFoldResult> inSizes,
                    ArrayRef<OpFoldResult> front) {
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, rw.getContext());
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
    Value scale = floatConst(rw, loc, ft, 1.0 / double(h));
    return generic(
        rw, loc, {},
        tensor::EmptyOp::create(rw, loc, withAxisSize(inSizes, n), ft),
        {frontToOp(rw.getContext(), axis, rank)}, std::string(rank, 'p'),
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
              ArithBuilder(b, l).mul(arith::SelectOp::create(b, l, odd, im, re),
                                     scale));
        });
  }

  //===--------------------------------------------------------------------===//
  // Blocked: groups of 16 signals, the transform axis last
  //===--------------------------------------------------------------------===//

  /// A pair of fresh rows x 16 planes.
  std::pair<Value, Value> planes(OpBuilder &b, int64_t rows) {
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows),
                                       b.getIndexAttr(kSignalBlock)};
    return std::pair<Value, Value>(fresh(b, loc, sizes, ft),
                                   fresh(b, loc, sizes, ft));
  }

  /// Row `row` of a rows x 16 plane, inside a generic over the planes.
  static Value planeAt(OpBuilder &b, Location l, Value plane, Value row) {
    return tensor::ExtractOp::create(b, l, plane,
                                     ValueRange{row, loopIndex(b, l, 1)});
  }

  /// One forall task per group moves its signals into planes with block
  /// transposes, transforms them and moves the result back.
  Value blocked() {
    auto it = llvm::cast<RankedTensorType>(input.getType());
    int64_t inLen = it.getDimSize(axis);
    int64_t outLen = rt.getDimSize(axis);
    SignalGroups groups(rw, loc, input);
    Value x = groups.flat(rw, input);
    return kind == Kind::R2C ? blockedR2C(groups, x, inLen, outLen)
                             : blockedC2R(groups, x, inLen, outLen);
  }

  /// rfft: each task packs even/odd samples into the planes of z,
  /// transforms them, and stores the bins X[k], k <= h, transposed.
  Value blockedR2C(const SignalGroups &groups, Value x, int64_t inLen,
                   int64_t outLen) {
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, rw.getContext());
    SmallVector<Value> res = groups.forEach(
        rw, {groups.fresh2(rw, outLen), groups.fresh2(rw, outLen)},
        [&](OpBuilder &b, function_ref<Value(Value, int64_t)> rows,
            ValueRange outs) -> SmallVector<Value> {
          Planar z = transform(b, loc, packEvenOdd(b, loc, rows(x, inLen), h));
          auto [pr, pi] = planes(b, h + 1);
          auto [xr, xi] =
              generic2(b, loc, {}, pr, pi, {id2, id2},
                       [&](OpBuilder &nb, Location l, ValueRange) {
                         auto [re, im] = r2cBin(
                             nb, l, loopIndex(nb, l, 0),
                             [&](Value plane, Value row) {
                               return planeAt(nb, l, plane, row);
                             },
                             z);
                         linalg::YieldOp::create(nb, l, ValueRange{re, im});
                       });
          return {storeTransposed(b, loc, xr, outs[0]),
                  storeTransposed(b, loc, xi, outs[1])};
        });
    return groups.unflat(
        rw, complexOf(rw, loc, res[0], res[1], rt.getElementType()), rt);
  }

  /// irfft: the spectrum split into f32 planes in its own layout; each task
  /// loads its bins transposed, forms conj Z, transforms it, scales by 1/h
  /// and interleaves the even and odd samples back.
  Value blockedC2R(const SignalGroups &groups, Value x, int64_t inLen,
                   int64_t outLen) {
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, rw.getContext());
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
                ArithBuilder ab(nb, l);
                linalg::YieldOp::create(
                    nb, l,
                    ValueRange{
                        ab.mul(a[0], scale),
                        ab.mul(arith::NegFOp::create(nb, l, a[1]), scale)});
              });
          return {unpackEvenOdd(b, loc, {pr, pi}, outs[0])};
        });
    return groups.unflat(rw, res[0], rt);
  }
};

//===----------------------------------------------------------------------===//
// Blocked complex transforms (and real ones of odd length)
//===----------------------------------------------------------------------===//

/// A fresh rows x 16 f32 plane, filled with `fill` if given.
Value freshPlane(OpBuilder &b, Location loc, int64_t rows,
                 Value fill = Value()) {
  return fresh(b, loc, {b.getIndexAttr(rows), b.getIndexAttr(kSignalBlock)},
               b.getF32Type(), fill);
}

/// `p` (rows x 16 planes of a length-n transform) times `scale`,
/// conjugated if `conjugate`; with `realBins` the imaginary parts of bin 0
/// and, n even, bin n/2 are exactly 0 (`zero`: a real signal's spectrum).
Planar scaleBins(OpBuilder &b, Location loc, Planar p, int64_t rows,
                 double scale, bool conjugate, bool realBins, int64_t n,
                 Value zero) {
  Type ft = b.getF32Type();
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, b.getContext());
  Value s = floatConst(b, loc, ft, scale);
  auto [re, im] = generic2(
      b, loc, {p.re, p.im}, freshPlane(b, loc, rows), freshPlane(b, loc, rows),
      {id2, id2, id2, id2}, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value pr = arith::MulFOp::create(nb, l, a[0], s);
        Value pi = arith::MulFOp::create(nb, l, a[1], s);
        if (conjugate)
          pi = arith::NegFOp::create(nb, l, pi);
        if (realBins) {
          Value k = loopIndex(nb, l, 0);
          Value real = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, k,
                                             indexConst(nb, l, 0));
          if (n % 2 == 0)
            real = arith::OrIOp::create(
                nb, l, real,
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, k,
                                      indexConst(nb, l, n / 2)));
          pi = arith::SelectOp::create(nb, l, real, zero, pi);
        }
        linalg::YieldOp::create(nb, l, ValueRange{pr, pi});
      });
  return {re, im};
}

/// One task of lowerBlocked: the group's signals (`in`, planar in the op's
/// layout; no imaginary plane for an rfft) loaded transposed into n x 16
/// planes, transformed (inverses: the conjugate, then conjugated and scaled
/// by 1/N; rfft: bins 0 .. N/2 kept, bin 0 and N/2 exactly real) and
/// stored transposed into the group's output slices `outs`.
SmallVector<Value> blockedTask(OpBuilder &b, const TransformPlan &p, Planar in,
                               function_ref<Value(Value, int64_t)> rows,
                               ValueRange outs) {
  Location loc = p.loc();
  int64_t n = *p.staticN, inLen = p.inType.getDimSize(p.rank() - 1);
  int64_t outLen = p.resultType.getDimSize(p.rank() - 1);
  Value zero = floatConst(b, loc, p.ft, 0.0);
  Planar z = {loadTransposed(b, loc, rows(in.re, inLen), n),
              in.im ? loadTransposed(b, loc, rows(in.im, inLen), n)
                    : freshPlane(b, loc, n, zero)};
  if (p.inverse)
    z = scaleBins(b, loc, z, n, 1.0, p.inverse, false, n, zero);
  Planar y = forward(b, loc, z, indexConst(b, loc, n), n, p.bluestein());
  if (p.inverse || p.kind == Kind::R2C) {
    // R2C keeps bins 0 .. N/2: the first outLen rows.
    if (outLen < n) {
      SmallVector<OpFoldResult> o = {b.getIndexAttr(0), b.getIndexAttr(0)},
                                sz = {b.getIndexAttr(outLen),
                                      b.getIndexAttr(kSignalBlock)},
                                ones = {b.getIndexAttr(1), b.getIndexAttr(1)};
      y = {tensor::ExtractSliceOp::create(b, loc, y.re, o, sz, ones),
           tensor::ExtractSliceOp::create(b, loc, y.im, o, sz, ones)};
    }
    y = scaleBins(b, loc, y, outLen, p.inverse ? 1.0 / double(n) : 1.0,
                  p.inverse, p.kind == Kind::R2C, n, zero);
  }
  return {storeTransposed(b, loc, y.re, outs[0]),
          storeTransposed(b, loc, y.im, outs[1])};
}

/// Complex transforms, and real ones of odd length, with the transform axis
/// last: as RealEven::blocked, one forall task per 16 signals moves them
/// into N x 16 planes and back with block transposes (FFTLayout.cpp).
LogicalResult lowerBlocked(const TransformPlan &p, PatternRewriter &rw) {
  Location loc = p.loc();
  int64_t inLen = p.inType.getDimSize(p.rank() - 1);
  int64_t outLen = p.resultType.getDimSize(p.rank() - 1);
  SignalGroups groups(rw, loc, p.input);
  Value x = groups.flat(rw, p.input);
  // The input as f32 planes in its own layout.
  Planar in =
      p.kind == Kind::C2C ? groups.split(rw, x, inLen) : Planar{x, Value()};
  SmallVector<Value> res = groups.forEach(
      rw, {groups.fresh2(rw, outLen), groups.fresh2(rw, outLen)},
      [&](OpBuilder &b, function_ref<Value(Value, int64_t)> rows,
          ValueRange outs) { return blockedTask(b, p, in, rows, outs); });
  Value out = groups.unflat(
      rw, complexOf(rw, loc, res[0], res[1], p.resultType.getElementType()),
      p.resultType);
  rw.replaceOp(p.op, out);
  return success();
}

//===----------------------------------------------------------------------===//
// Gathered: any layout, any length
//===----------------------------------------------------------------------===//

/// Whether bin `k` of a real signal's length-n spectrum is real: k = 0, or
/// k = n/2 (`half`) with n even.
Value isRealBin(OpBuilder &b, Location l, Value k, Value n, Value half) {
  Value dc = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k,
                                   indexConst(b, l, 0));
  Value even = arith::CmpIOp::create(
      b, l, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, l, n, indexConst(b, l, 2)),
      indexConst(b, l, 0));
  Value nyquist = arith::AndIOp::create(
      b, l, even,
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k, half));
  return arith::OrIOp::create(b, l, dc, nyquist);
}

/// Where the gather reads transform row `row`: the source row, whether to
/// conjugate it (null: never) and whether to drop its imaginary part. An
/// irfft's bins past N/2 mirror the first half, conjugated, and the
/// imaginary parts of bins 0 and N/2 are dropped.
struct GatherSource {
  Value src, conj, dropIm;
};

GatherSource gatherSource(OpBuilder &b, Location l, const TransformPlan &p,
                          Value row, Value half) {
  if (p.kind != Kind::C2R)
    return {row, Value(), arith::ConstantIntOp::create(b, l, b.getI1Type(), 0)};
  Value upper =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt, row, half);
  Value src = arith::SelectOp::create(
      b, l, upper, arith::SubIOp::create(b, l, p.n, row), row);
  return {src, upper, isRealBin(b, l, row, p.n, half)};
}

/// The planes N x (other dims) of the transform input, transform axis
/// first: zero past the input, irfft's spectrum completed, inverses
/// conjugated.
Planar gatherPlanes(OpBuilder &rw, const TransformPlan &p,
                    ArrayRef<OpFoldResult> inSizes, Value half, Value zero) {
  Location loc = p.loc();
  int64_t rank = p.rank(), axis = p.axis;
  SmallVector<OpFoldResult> front = {
      p.staticN ? OpFoldResult(rw.getIndexAttr(*p.staticN))
                : OpFoldResult(p.n)};
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      front.push_back(inSizes[d]);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, rw.getContext());
  auto [xre, xim] = generic2(
      rw, loc, {}, fresh(rw, loc, front, p.ft), fresh(rw, loc, front, p.ft),
      {id, id}, [&](OpBuilder &b, Location l, ValueRange) {
        GatherSource s = gatherSource(b, l, p, loopIndex(b, l, 0), half);
        Value in = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, s.src,
                                         p.inLen);
        Value safe =
            arith::SelectOp::create(b, l, in, s.src, indexConst(b, l, 0));
        Value v = tensor::ExtractOp::create(b, l, p.input,
                                            toOpLayout(b, l, safe, axis, rank));
        Value re = v, im = zero;
        if (p.kind != Kind::R2C) {
          re = complex::ReOp::create(b, l, v);
          im = complex::ImOp::create(b, l, v);
        }
        if (s.conj)
          im = arith::SelectOp::create(b, l, s.conj,
                                       arith::NegFOp::create(b, l, im), im);
        im = arith::SelectOp::create(b, l, s.dropIm, zero, im);
        // Inverses transform the conjugate.
        if (p.isInverse())
          im = arith::NegFOp::create(b, l, im);
        linalg::YieldOp::create(
            b, l,
            ValueRange{arith::SelectOp::create(b, l, in, re, zero),
                       arith::SelectOp::create(b, l, in, im, zero)});
      });
  return {xre, xim};
}

/// The result's sizes: the input's, the transform axis the result's static
/// size, else N (N/2 + 1 for an rfft; `half` = N/2).
SmallVector<OpFoldResult> resultSizes(OpBuilder &b, const TransformPlan &p,
                                      ArrayRef<OpFoldResult> inSizes,
                                      Value half) {
  SmallVector<OpFoldResult> sizes(inSizes);
  if (!p.resultType.isDynamicDim(p.axis))
    sizes[p.axis] = b.getIndexAttr(p.resultType.getDimSize(p.axis));
  else if (p.kind == Kind::R2C)
    sizes[p.axis] = Value(
        arith::AddIOp::create(b, p.loc(), half, indexConst(b, p.loc(), 1)));
  else
    sizes[p.axis] = p.n;
  return sizes;
}

/// The transform's planes `y` back in the op's layout and element type:
/// inverses conjugated and scaled by 1/N, an irfft's real parts, an rfft's
/// bins 0 .. N/2 with bins 0 and N/2 exactly real.
Value scatterPlanes(OpBuilder &rw, const TransformPlan &p, Planar y,
                    ArrayRef<OpFoldResult> inSizes, Value half, Value zero) {
  Location loc = p.loc();
  int64_t rank = p.rank();
  Type elem = p.resultType.getElementType();
  Value scale = floatConst(rw, loc, p.ft, 1.0);
  if (p.isInverse())
    scale =
        arith::DivFOp::create(rw, loc, scale, indexToFloat(rw, loc, p.n, p.ft));
  SmallVector<OpFoldResult> outSizes = resultSizes(rw, p, inSizes, half);
  return generic(
      rw, loc, {}, tensor::EmptyOp::create(rw, loc, outSizes, elem),
      {frontToOp(rw.getContext(), p.axis, rank)}, std::string(rank, 'p'),
      [&](OpBuilder &b, Location l, ValueRange) {
        SmallVector<Value> idx = atRowFront(b, l, loopIndex(b, l, 0), rank);
        Value re = tensor::ExtractOp::create(b, l, y.re, idx);
        re = arith::MulFOp::create(b, l, re, scale);
        if (p.kind == Kind::C2R) {
          linalg::YieldOp::create(b, l, re);
          return;
        }
        Value im = tensor::ExtractOp::create(b, l, y.im, idx);
        im = arith::MulFOp::create(b, l, im, scale);
        if (p.isInverse())
          im = arith::NegFOp::create(b, l, im);
        // A real signal's bins 0 and N/2 (N even) are real: give them an
        // exact 0 rather than the transform's round-off (which Bluestein
        // makes ~1e-7 of the signal's magnitude).
        if (p.kind == Kind::R2C)
          im = arith::SelectOp::create(
              b, l, isRealBin(b, l, loopIndex(b, l, 0), p.n, half), zero, im);
        linalg::YieldOp::create(
            b, l, Value(complex::CreateOp::create(b, l, elem, re, im)));
      });
}

/// Any transform: the three steps of the file comment, one generic each
/// for the gather and the scatter.
LogicalResult lowerGathered(const TransformPlan &p, PatternRewriter &rw) {
  Location loc = p.loc();
  SmallVector<OpFoldResult> inSizes = sizesOf(rw, loc, p.input);
  Value zero = floatConst(rw, loc, p.ft, 0.0);
  Value half = arith::DivUIOp::create(rw, loc, p.n, indexConst(rw, loc, 2));
  Planar x = gatherPlanes(rw, p, inSizes, half, zero);
  Planar y = forward(rw, loc, x, p.n, p.staticN, p.bluestein());
  Value out = scatterPlanes(rw, p, y, inSizes, half, zero);
  keepOrder(rw, out);
  if (out.getType() != p.resultType)
    out = tensor::CastOp::create(rw, loc, p.resultType, out);
  rw.replaceOp(p.op, out);
  return success();
}

//===----------------------------------------------------------------------===//
// The three ops
//===----------------------------------------------------------------------===//

/// seq.fft: 16-signal groups when the transform axis is last and the
/// lengths static, the gathered path otherwise.
LogicalResult rewriteFft(seq::FFTOp op, PatternRewriter &rw) {
  FailureOr<TransformPlan> p =
      planTransform(op, rw, Kind::C2C, op.getInput(), op.getAxis(),
                    op.getLength(), op.getInverse(), *op.getImpl());
  if (failed(p))
    return failure();
  if (p->blocked())
    return lowerBlocked(*p, rw);
  return lowerGathered(*p, rw);
}

/// seq.rfft: an even static length through the half-length complex
/// transform (RealEven), an odd one as seq.fft.
LogicalResult rewriteRfft(seq::RFFTOp op, PatternRewriter &rw) {
  FailureOr<TransformPlan> p =
      planTransform(op, rw, Kind::R2C, op.getInput(), op.getAxis(),
                    op.getLength(), /*inverse=*/false, *op.getImpl());
  if (failed(p))
    return failure();
  if (p->realEven())
    return RealEven(*p, rw).run();
  if (p->blocked())
    return lowerBlocked(*p, rw);
  return lowerGathered(*p, rw);
}

/// seq.irfft: an even static length through the half-length complex
/// transform (RealEven), any other length gathered.
LogicalResult rewriteIrfft(seq::IRFFTOp op, PatternRewriter &rw) {
  FailureOr<TransformPlan> p =
      planTransform(op, rw, Kind::C2R, op.getInput(), op.getAxis(),
                    op.getLength(), /*inverse=*/true, *op.getImpl());
  if (failed(p))
    return failure();
  if (p->realEven())
    return RealEven(*p, rw).run();
  return lowerGathered(*p, rw);
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
    return rewriteFft(op, rw);
  }
};

struct LowerRFFT : OpRewritePattern<seq::RFFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(seq::RFFTOp op,
                                PatternRewriter &rw) const override {
    if (!isFast(op.getImpl()))
      return failure();
    return rewriteRfft(op, rw);
  }
};

struct LowerIRFFT : OpRewritePattern<seq::IRFFTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(seq::IRFFTOp op,
                                PatternRewriter &rw) const override {
    if (!isFast(op.getImpl()))
      return failure();
    return rewriteIrfft(op, rw);
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
