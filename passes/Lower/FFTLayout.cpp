//===- FFTLayout.cpp - Moving signals into and out of FFT planes -*- C++
//-*-===//
//
// The FFT stages want the transform axis first and 16 signals across each
// vector (FFTBuilder.h); models store each signal contiguously. Moving
// between the two is a transpose, and written as a linalg.generic it
// becomes one gather or scatter instruction per 16 elements -- at 256
// signals of 4096 samples the two transposes of an rfft took half its time.
// These helpers move 16 signals at a time as 16 x 16 blocks: 16 contiguous
// row loads, a transpose in registers (64 two-source shuffles) and 16
// contiguous row stores, with the real-to-complex packing (even samples to
// the real plane, odd to the imaginary one) folded into the same shuffles.
// The source side may hold fewer than 16 signals (a run-time batch's last
// group): reads repeat the last signal.
//
// The block is kSignalBlock (FFTBuilder.h) = 16 signals whatever the target:
// the transposes' shuffle masks and the planes' width are built for it, and
// a narrower target's back end splits the 16-lane vectors.
//
//===----------------------------------------------------------------------===//

#include "Lower/FFTBuilder.h"
#include "Lower/Reference/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::ref;
using namespace seqc::fft;

namespace {

using Rows = SmallVector<Value, 16>;

/// One row of a block: kSignalBlock f32.
VectorType laneType(OpBuilder &b) {
  return VectorType::get({kSignalBlock}, b.getF32Type());
}

/// A 16 x 16 block held as 16 row vectors, transposed in registers in
/// log2(16) stages: the stage with block size s exchanges, inside every
/// 2s x 2s block, the top-right and bottom-left s x s quadrants (rows i and
/// i + s trade halves of each 2s-column group).
Rows transpose16(OpBuilder &b, Location l, Rows r) {
  for (int64_t s = kSignalBlock / 2; s >= 1; s /= 2) {
    Rows next(r);
    for (int64_t i = 0; i < kSignalBlock; ++i) {
      if (i & s)
        continue;
      SmallVector<int64_t> lo, hi;
      for (int64_t c = 0; c < kSignalBlock; ++c) {
        int64_t g = c / (2 * s) * (2 * s), w = c % (2 * s);
        lo.push_back(w < s ? g + w : kSignalBlock + g + w - s);
        hi.push_back(w < s ? g + s + w : kSignalBlock + g + w);
      }
      next[i] = vector::ShuffleOp::create(b, l, r[i], r[i + s], lo);
      next[i + s] = vector::ShuffleOp::create(b, l, r[i], r[i + s], hi);
    }
    r = next;
  }
  return r;
}

/// A row vector of `t` at (row, col); columns past the end read as 0.
Value readRow(OpBuilder &b, Location l, Value t, Value row, Value col,
              bool inBounds) {
  bool ib[] = {inBounds};
  return vector::TransferReadOp::create(
      b, l, laneType(b), t, ValueRange{row, col},
      floatConst(b, l, b.getF32Type(), 0.0), ArrayRef<bool>(ib));
}

/// `t` with the row vector `v` written at (row, col); columns past the end
/// are not written.
Value writeRow(OpBuilder &b, Location l, Value v, Value t, Value row, Value col,
               bool inBounds) {
  bool ib[] = {inBounds};
  return vector::TransferWriteOp::create(b, l, v, t, ValueRange{row, col},
                                         ArrayRef<bool>(ib))
      .getResult();
}

/// The source side of a move: a tensor of 16 signals (rows) -- fewer in the
/// last group of a batch whose size is known only at run time. Reads of a
/// missing signal repeat the last one (its lanes are dropped later).
class Signals {
public:
  Signals(OpBuilder &b, Location loc, Value t) {
    auto type = llvm::cast<RankedTensorType>(t.getType());
    if (type.isDynamicDim(0))
      last = arith::SubIOp::create(b, loc, tensor::DimOp::create(b, loc, t, 0),
                                   indexConst(b, loc, 1));
  }

  Value read(OpBuilder &b, Location l, Value t, int64_t j, Value col) const {
    Value row = indexConst(b, l, j);
    if (last)
      row = arith::MinUIOp::create(b, l, row, last);
    return readRow(b, l, t, row, col, false);
  }

private:
  Value last; // set when the number of signals is dynamic
};

/// The destination side: exactly 16 signals (rows). A group with fewer
/// writes into a 16-row scratch and keeps its first rows (SignalGroups):
/// guarding each row write with an scf.if made bufferization's buffer-type
/// queries exponential in the number of chained writes.
void checkDest(Value dest) {
  (void)dest;
  assert(llvm::cast<RankedTensorType>(dest.getType()).getDimSize(0) ==
             kSignalBlock &&
         "destination holds 16 signals");
}

Value addIdx(OpBuilder &b, Location l, Value x, int64_t c) {
  return arith::AddIOp::create(b, l, x, indexConst(b, l, c));
}

/// Runs `block(m0, count, iters)` over the row blocks [m0, m0 + count) of
/// `rows` rows: an scf.for over the full blocks of 16, then the remainder
/// (count = rows % 16, static) once. The body returns the new iters.
SmallVector<Value>
forRowBlocks(OpBuilder &b, Location loc, int64_t rows, ValueRange inits,
             function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                             int64_t, ValueRange)>
                 block) {
  int64_t full = rows / kSignalBlock, rem = rows % kSignalBlock;
  SmallVector<Value> iters(inits);
  if (full > 0) {
    auto loop = scf::ForOp::create(
        b, loc, indexConst(b, loc, 0), indexConst(b, loc, full * kSignalBlock),
        indexConst(b, loc, kSignalBlock), iters,
        [&](OpBuilder &nb, Location l, Value m0, ValueRange it) {
          scf::YieldOp::create(nb, l, block(nb, l, m0, kSignalBlock, it));
        });
    iters = SmallVector<Value>(loop.getResults());
  }
  if (rem > 0)
    iters = block(b, loc, indexConst(b, loc, full * kSignalBlock), rem, iters);
  return iters;
}

/// Rows m0 .. m0 + count of a rows x 16 plane (zero vectors past count).
Rows readPlaneRows(OpBuilder &b, Location l, Value plane, Value m0,
                   int64_t count) {
  Rows r;
  Value zero = arith::ConstantOp::create(
      b, l, DenseElementsAttr::get(laneType(b), 0.0f));
  Value c0 = indexConst(b, l, 0);
  for (int64_t i = 0; i < kSignalBlock; ++i)
    r.push_back(i < count ? readRow(b, l, plane, addIdx(b, l, m0, i), c0, true)
                          : zero);
  return r;
}

/// `plane` with rows m0 .. m0 + count replaced by r[0 .. count).
Value writePlaneRows(OpBuilder &b, Location l, const Rows &r, Value plane,
                     Value m0, int64_t count) {
  Value c0 = indexConst(b, l, 0);
  for (int64_t i = 0; i < count; ++i)
    plane = writeRow(b, l, r[i], plane, addIdx(b, l, m0, i), c0, true);
  return plane;
}

} // namespace

Planar fft::packEvenOdd(OpBuilder &b, Location loc, Value x, int64_t rows) {
  Type ft = b.getF32Type();
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows),
                                     b.getIndexAttr(kSignalBlock)};
  SmallVector<int64_t> even, odd;
  for (int64_t c = 0; c < kSignalBlock; ++c) {
    even.push_back(2 * c);
    odd.push_back(2 * c + 1);
  }
  Signals sig(b, loc, x);
  SmallVector<Value> planes = forRowBlocks(
      b, loc, rows,
      ValueRange{fresh(b, loc, sizes, ft), fresh(b, loc, sizes, ft)},
      [&](OpBuilder &nb, Location l, Value m0, int64_t count, ValueRange it) {
        // Samples 2 m0 .. 2 m0 + 31 of each signal: evens and odds.
        Value col = arith::MulIOp::create(nb, l, m0, indexConst(nb, l, 2));
        Rows ev, od;
        for (int64_t j = 0; j < kSignalBlock; ++j) {
          Value lo = sig.read(nb, l, x, j, col);
          Value hi = sig.read(nb, l, x, j, addIdx(nb, l, col, kSignalBlock));
          ev.push_back(vector::ShuffleOp::create(nb, l, lo, hi, even));
          od.push_back(vector::ShuffleOp::create(nb, l, lo, hi, odd));
        }
        return SmallVector<Value>{
            writePlaneRows(nb, l, transpose16(nb, l, ev), it[0], m0, count),
            writePlaneRows(nb, l, transpose16(nb, l, od), it[1], m0, count)};
      });
  return {planes[0], planes[1]};
}

Value fft::loadTransposed(OpBuilder &b, Location loc, Value src, int64_t rows) {
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows),
                                     b.getIndexAttr(kSignalBlock)};
  Signals sig(b, loc, src);
  return forRowBlocks(
      b, loc, rows, ValueRange{fresh(b, loc, sizes, b.getF32Type())},
      [&](OpBuilder &nb, Location l, Value m0, int64_t count, ValueRange it) {
        Rows r;
        for (int64_t j = 0; j < kSignalBlock; ++j)
          r.push_back(sig.read(nb, l, src, j, m0));
        return SmallVector<Value>{
            writePlaneRows(nb, l, transpose16(nb, l, r), it[0], m0, count)};
      })[0];
}

Value fft::storeTransposed(OpBuilder &b, Location loc, Value plane,
                           Value dest) {
  int64_t rows = llvm::cast<RankedTensorType>(plane.getType()).getDimSize(0);
  checkDest(dest);
  return forRowBlocks(
      b, loc, rows, ValueRange{dest},
      [&](OpBuilder &nb, Location l, Value m0, int64_t count, ValueRange it) {
        Rows t = transpose16(nb, l, readPlaneRows(nb, l, plane, m0, count));
        Value d = it[0];
        for (int64_t j = 0; j < kSignalBlock; ++j)
          d = writeRow(nb, l, t[j], d, indexConst(nb, l, j), m0, false);
        return SmallVector<Value>{d};
      })[0];
}

Value fft::unpackEvenOdd(OpBuilder &b, Location loc, Planar z, Value dest) {
  int64_t rows = llvm::cast<RankedTensorType>(z.re.getType()).getDimSize(0);
  SmallVector<int64_t> lo, hi;
  for (int64_t c = 0; c < kSignalBlock / 2; ++c) {
    lo.append({c, c + kSignalBlock});
    hi.append({c + kSignalBlock / 2, c + kSignalBlock / 2 + kSignalBlock});
  }
  checkDest(dest);
  return forRowBlocks(
      b, loc, rows, ValueRange{dest},
      [&](OpBuilder &nb, Location l, Value m0, int64_t count, ValueRange it) {
        Rows re = transpose16(nb, l, readPlaneRows(nb, l, z.re, m0, count));
        Rows im = transpose16(nb, l, readPlaneRows(nb, l, z.im, m0, count));
        Value col = arith::MulIOp::create(nb, l, m0, indexConst(nb, l, 2));
        Value d = it[0];
        for (int64_t j = 0; j < kSignalBlock; ++j) {
          Value row = indexConst(nb, l, j);
          d = writeRow(nb, l,
                       vector::ShuffleOp::create(nb, l, re[j], im[j], lo), d,
                       row, col, false);
          d = writeRow(nb, l,
                       vector::ShuffleOp::create(nb, l, re[j], im[j], hi), d,
                       row, addIdx(nb, l, col, kSignalBlock), false);
        }
        return SmallVector<Value>{d};
      })[0];
}
