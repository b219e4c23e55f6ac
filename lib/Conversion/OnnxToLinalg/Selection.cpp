//===- Selection.cpp - Selecting and sorting ONNX ops to linalg -*- C++ -*-===//
//
// TopK, Compress, NonZero and Unique: ops that pick elements by comparing
// or testing them, with result sizes known only at run time for all but
// TopK. Scf loops collect the picked positions (or, for TopK and Unique,
// rank the elements); generics then read the input at those positions.
// Part of populateOnnxIndexingToLinalgPatterns.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <array>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

/// `x` collapsed to one dim (row-major).
Value flatten(OpBuilder &b, Location l, Value x) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < t.getRank(); ++i)
    all[0].push_back(i);
  return tensor::CollapseShapeOp::create(b, l, x, all);
}

/// The positions i in [0, n) where `pick(i)` (an i1) holds, in order, and
/// their count: an scf.for filling a tensor of n indices from the front.
std::pair<Value, Value>
collectPositions(OpBuilder &rw, Location l, Value zero, Value one, Value n,
                 function_ref<Value(OpBuilder &, Location, Value)> pick) {
  auto selType =
      RankedTensorType::get({ShapedType::kDynamic}, rw.getIndexType());
  Value sel = tensor::EmptyOp::create(rw, l, selType, ValueRange{n});
  auto loop = scf::ForOp::create(
      rw, l, zero, n, one, ValueRange{sel, zero},
      [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
        auto ifOp = scf::IfOp::create(
            b, nl, pick(b, nl, i),
            [&](OpBuilder &tb, Location tl) {
              Value s2 =
                  tensor::InsertOp::create(tb, tl, i, it[0], ValueRange{it[1]});
              scf::YieldOp::create(
                  tb, tl,
                  ValueRange{s2, arith::AddIOp::create(tb, tl, it[1], one)});
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, ValueRange{it[0], it[1]});
            });
        scf::YieldOp::create(b, nl, ifOp.getResults());
      });
  return {loop.getResult(0), loop.getResult(1)};
}

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

/// TopK's order along its axis: `axis` of `x`, of length `n`; an element
/// comes before another when it is larger (smaller for largest = 0), ties
/// to the lower index.
struct TopKOrder {
  Value x;
  int64_t axis;
  Value n, zero, one;
  bool largest, isFloat, isUnsigned;

  /// Whether xa (at axis index ia) comes before xe (at ie).
  Value before(OpBuilder &b, Location nl, Value xa, Value xe, Value ia,
               Value ie) const {
    Value better =
        isFloat
            ? Value(arith::CmpFOp::create(b, nl,
                                          largest ? arith::CmpFPredicate::OGT
                                                  : arith::CmpFPredicate::OLT,
                                          xa, xe))
            : Value(arith::CmpIOp::create(
                  b, nl,
                  largest ? (isUnsigned ? arith::CmpIPredicate::ugt
                                        : arith::CmpIPredicate::sgt)
                          : (isUnsigned ? arith::CmpIPredicate::ult
                                        : arith::CmpIPredicate::slt),
                  xa, xe));
    Value same = isFloat ? Value(arith::CmpFOp::create(
                               b, nl, arith::CmpFPredicate::OEQ, xa, xe))
                         : Value(arith::CmpIOp::create(
                               b, nl, arith::CmpIPredicate::eq, xa, xe));
    Value lower =
        arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, ia, ie);
    return arith::OrIOp::create(b, nl, better,
                                arith::AndIOp::create(b, nl, same, lower));
  }

  /// Each element's rank: how many elements of its slice come before it
  /// (an index tensor of x's shape).
  Value ranks(OpBuilder &rw, Location l) const {
    auto t = llvm::cast<RankedTensorType>(x.getType());
    int64_t r = t.getRank();
    auto rankType = RankedTensorType::get(t.getShape(), rw.getIndexType());
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    AffineMap id = rw.getMultiDimIdentityMap(r);
    return linalg::GenericOp::create(
               rw, l, TypeRange{rankType}, ValueRange{x},
               ValueRange{emptyTensor(rw, l, rankType,
                                      tensor::getMixedSizes(rw, l, x))},
               {id, id}, iters,
               [&](OpBuilder &b, Location nl, ValueRange a) {
                 SmallVector<Value> at;
                 for (int64_t i = 0; i < r; ++i)
                   at.push_back(linalg::IndexOp::create(b, nl, i));
                 Value ie = at[axis];
                 auto loop = scf::ForOp::create(
                     b, nl, zero, n, one, ValueRange{zero},
                     [&](OpBuilder &lb, Location ll, Value ia, ValueRange it) {
                       SmallVector<Value> pos(at);
                       pos[axis] = ia;
                       Value xa = tensor::ExtractOp::create(lb, ll, x, pos);
                       Value inc = before(lb, ll, xa, a[0], ia, ie);
                       Value next = arith::AddIOp::create(
                           lb, ll, it[0],
                           arith::SelectOp::create(lb, ll, inc, one, zero));
                       scf::YieldOp::create(lb, ll, next);
                     });
                 linalg::YieldOp::create(b, nl, loop.getResult(0));
               })
        .getResult(0);
  }

  /// The values (`vt`) and indices (`it`) of the elements of rank k, for
  /// each output position k along the axis (sizes `sizes`).
  ValueRange pick(OpBuilder &rw, Location l, Value ranks, RankedTensorType vt,
                  RankedTensorType it, ArrayRef<OpFoldResult> sizes) const {
    int64_t r = vt.getRank();
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    AffineMap id = rw.getMultiDimIdentityMap(r);
    Type idxElem = it.getElementType();
    auto g = linalg::GenericOp::create(
        rw, l, TypeRange{vt, it}, ValueRange{},
        ValueRange{emptyTensor(rw, l, vt, sizes),
                   emptyTensor(rw, l, it, sizes)},
        {id, id}, iters, [&](OpBuilder &b, Location nl, ValueRange) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            at.push_back(linalg::IndexOp::create(b, nl, i));
          Value k = at[axis];
          auto loop = scf::ForOp::create(
              b, nl, zero, n, one, ValueRange{zero},
              [&](OpBuilder &lb, Location ll, Value e, ValueRange iter) {
                SmallVector<Value> pos(at);
                pos[axis] = e;
                Value re = tensor::ExtractOp::create(lb, ll, ranks, pos);
                Value hit = arith::CmpIOp::create(
                    lb, ll, arith::CmpIPredicate::eq, re, k);
                scf::YieldOp::create(
                    lb, ll,
                    Value(arith::SelectOp::create(lb, ll, hit, e, iter[0])));
              });
          Value e = loop.getResult(0);
          SmallVector<Value> pos(at);
          pos[axis] = e;
          Value v = tensor::ExtractOp::create(b, nl, x, pos);
          Value ix = arith::IndexCastOp::create(b, nl, idxElem, e);
          linalg::YieldOp::create(b, nl, ValueRange{v, ix});
        });
    return g.getResults();
  }
};

/// TopK: each element's rank along the axis (how many elements come before
/// it: larger, or smaller for largest = 0, ties to the lower index) in one
/// generic, then each output position k takes the element of rank k.
/// Quadratic in the axis length.
struct TopKToLinalg : OpRewritePattern<onnxir::TopKOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::TopKOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto vt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    auto it = llvm::dyn_cast<RankedTensorType>(op->getResult(1).getType());
    if (!t || !vt || !it || vt.getRank() != t.getRank())
      return rw.notifyMatchFailure(op, "needs ranked tensors");
    int64_t r = t.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), r);
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value n = tensor::DimOp::create(rw, l, x, axis);
    Type elem = t.getElementType();
    bool largest = op.getLargest() != 0;
    bool isFloat = llvm::isa<FloatType>(elem);
    bool isUnsigned = elem.isUnsignedInteger();
    TopKOrder order{x, axis, n, zero, one, largest, isFloat, isUnsigned};
    Value ranks = order.ranks(rw, l);
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < r; ++i) {
      if (!vt.isDynamicDim(i))
        sizes.push_back(rw.getIndexAttr(vt.getDimSize(i)));
      else if (i == axis)
        sizes.push_back(Value(arith::MinSIOp::create(
            rw, l, scalarIndex(rw, l, op->getOperand(1)), n)));
      else
        sizes.push_back(tensor::getMixedSize(rw, l, x, i));
    }
    rw.replaceOp(op, order.pick(rw, l, ranks, vt, it, sizes));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Compress, NonZero
//===----------------------------------------------------------------------===//

/// Compress: the positions whose condition is true (an scf.for collecting
/// them in order; a condition shorter than the axis selects nothing past
/// its end), then a generic reading the input at those positions. Without
/// `axis` the input is flattened first.
struct CompressToLinalg : OpRewritePattern<onnxir::CompressOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::CompressOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0), cond = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto ct = llvm::dyn_cast<RankedTensorType>(cond.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !ct || !rt || ct.getRank() != 1)
      return rw.notifyMatchFailure(op, "needs ranked tensors, 1-D condition");
    int64_t axis = 0;
    if (std::optional<uint64_t> a = op.getAxis()) {
      axis = normalizeAxis(*a, t.getRank());
    } else {
      x = flatten(rw, l, x);
      t = llvm::cast<RankedTensorType>(x.getType());
    }
    if (rt.getRank() != t.getRank())
      return rw.notifyMatchFailure(op, "result rank");
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value n =
        arith::MinSIOp::create(rw, l, tensor::DimOp::create(rw, l, cond, 0),
                               tensor::DimOp::create(rw, l, x, axis));
    auto [positions, count] = collectPositions(
        rw, l, zero, one, n, [&](OpBuilder &b, Location nl, Value i) {
          Value c = tensor::ExtractOp::create(b, nl, cond, ValueRange{i});
          if (!c.getType().isInteger(1))
            c = arith::CmpIOp::create(
                b, nl, arith::CmpIPredicate::ne, c,
                arith::ConstantOp::create(b, nl,
                                          b.getIntegerAttr(c.getType(), 0)));
          return c;
        });
    SmallVector<OpFoldResult> sizes;
    for (int64_t i = 0; i < t.getRank(); ++i)
      sizes.push_back(i == axis ? OpFoldResult(count)
                                : tensor::getMixedSize(rw, l, x, i));
    SmallVector<int64_t> shape(t.getShape());
    shape[axis] = ShapedType::kDynamic;
    auto dynType = RankedTensorType::get(shape, t.getElementType());
    Value y = generateFromIndices(
        rw, l, dynType, sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at(o.begin(), o.end());
          at[axis] =
              tensor::ExtractOp::create(b, nl, positions, ValueRange{o[axis]});
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, rt));
    return success();
  }
};

/// The flat positions (row-major) of the nonzero elements of `x`, in order,
/// and their count: an scf.for over the flattened tensor.
std::pair<Value, Value> nonzeroPositions(OpBuilder &rw, Location l, Value x) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  if (t.getRank() != 1)
    x = flatten(rw, l, x);
  Type elem = t.getElementType();
  Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
  Value n = tensor::DimOp::create(rw, l, x, 0);
  return collectPositions(
      rw, l, zero, one, n, [&](OpBuilder &b, Location nl, Value i) {
        Value v = tensor::ExtractOp::create(b, nl, x, ValueRange{i});
        return llvm::isa<FloatType>(elem)
                   ? Value(arith::CmpFOp::create(b, nl,
                                                 arith::CmpFPredicate::UNE, v,
                                                 scalarConst(b, nl, elem, 0)))
                   : Value(arith::CmpIOp::create(b, nl,
                                                 arith::CmpIPredicate::ne, v,
                                                 scalarConst(b, nl, elem, 0)));
      });
}

/// NonZero: the flat positions of the nonzero elements (nonzeroPositions),
/// then a generic over (rank, count) splitting each into its indices.
struct NonZeroToLinalg : OpRewritePattern<onnxir::NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::NonZeroOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt || t.getRank() == 0 || rt.getRank() != 2 ||
        !rt.getElementType().isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs a ranked input of rank >= 1");
    Type elem = t.getElementType();
    if (!llvm::isa<FloatType>(elem) && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float, integer or bool input");
    int64_t r = t.getRank();
    auto [positions, count] = nonzeroPositions(rw, l, x);
    // Row-major strides of x.
    SmallVector<Value> dims, strides(r);
    for (int64_t i = 0; i < r; ++i)
      dims.push_back(tensor::DimOp::create(rw, l, x, i));
    Value stride = indexConst(rw, l, 1);
    for (int64_t i = r - 1; i >= 0; --i) {
      strides[i] = stride;
      stride = arith::MulIOp::create(rw, l, stride, dims[i]);
    }
    auto dynType =
        RankedTensorType::get({r, ShapedType::kDynamic}, rt.getElementType());
    SmallVector<OpFoldResult> sizes = {rw.getIndexAttr(r), count};
    Value y = generateFromIndices(
        rw, l, dynType, sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          Value p =
              tensor::ExtractOp::create(b, nl, positions, ValueRange{o[1]});
          // Index o[0] of p: (p / strides[d]) % dims[d], picked by o[0].
          Value v = indexConst(b, nl, 0);
          for (int64_t d = 0; d < r; ++d) {
            Value id = arith::RemUIOp::create(
                b, nl, arith::DivUIOp::create(b, nl, p, strides[d]), dims[d]);
            Value is = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq,
                                             o[0], indexConst(b, nl, d));
            v = arith::SelectOp::create(b, nl, is, id, v);
          }
          return Value(
              arith::IndexCastOp::create(b, nl, rt.getElementType(), v));
        });
    rw.replaceOp(op, castIfNeeded(rw, l, y, rt));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unique
//===----------------------------------------------------------------------===//

/// The slices Unique compares: slice i is `x` at index i of `axis`, its m
/// elements the other dims, row-major; n slices. Each method builds one
/// loop nest over them.
struct UniqueSlices {
  Value x;
  int64_t axis, r;
  bool isFloat;
  Value zero, one, n, m;
  SmallVector<int64_t> others;  // the dims other than axis
  SmallVector<Value> otherDims; // their sizes

  UniqueSlices(OpBuilder &rw, Location l, Value x, int64_t axis, bool isFloat)
      : x(x), axis(axis),
        r(llvm::cast<RankedTensorType>(x.getType()).getRank()),
        isFloat(isFloat) {
    zero = indexConst(rw, l, 0);
    one = indexConst(rw, l, 1);
    n = tensor::DimOp::create(rw, l, x, axis);
    m = one;
    for (int64_t d = 0; d < r; ++d) {
      if (d == axis)
        continue;
      others.push_back(d);
      otherDims.push_back(tensor::DimOp::create(rw, l, x, d));
      m = arith::MulIOp::create(rw, l, m, otherDims.back());
    }
  }

  /// Element e (row-major over the other dims) of slice `slice`.
  Value element(OpBuilder &b, Location nl, Value slice, Value e) const {
    SmallVector<Value> at(r);
    at[axis] = slice;
    for (int64_t k = others.size() - 1; k >= 0; --k) {
      at[others[k]] = arith::RemUIOp::create(b, nl, e, otherDims[k]);
      e = arith::DivUIOp::create(b, nl, e, otherDims[k]);
    }
    return tensor::ExtractOp::create(b, nl, x, at);
  }

  /// -1, 0 or 1 (i8) as slice i is smaller than, equal to or larger than
  /// slice j, lexicographically.
  Value compare(OpBuilder &b, Location nl, Value i, Value j) const {
    Type i8 = b.getI8Type();
    auto loop = scf::ForOp::create(
        b, nl, zero, m, one, ValueRange{scalarConst(b, nl, i8, 0)},
        [&](OpBuilder &lb, Location ll, Value e, ValueRange it) {
          Value a = element(lb, ll, i, e), c = element(lb, ll, j, e);
          Value lt = isFloat ? Value(arith::CmpFOp::create(
                                   lb, ll, arith::CmpFPredicate::OLT, a, c))
                             : Value(arith::CmpIOp::create(
                                   lb, ll, arith::CmpIPredicate::slt, a, c));
          Value gt = isFloat ? Value(arith::CmpFOp::create(
                                   lb, ll, arith::CmpFPredicate::OGT, a, c))
                             : Value(arith::CmpIOp::create(
                                   lb, ll, arith::CmpIPredicate::sgt, a, c));
          Value here = arith::SelectOp::create(
              lb, ll, lt, scalarConst(lb, ll, i8, -1),
              arith::SelectOp::create(lb, ll, gt, scalarConst(lb, ll, i8, 1),
                                      scalarConst(lb, ll, i8, 0)));
          Value undecided =
              arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq, it[0],
                                    scalarConst(lb, ll, i8, 0));
          scf::YieldOp::create(
              lb, ll,
              Value(arith::SelectOp::create(lb, ll, undecided, here, it[0])));
        });
    return loop.getResult(0);
  }

  /// An uninitialized tensor of n indices.
  Value newIdx(OpBuilder &b, Location nl) const {
    auto idxType =
        RankedTensorType::get({ShapedType::kDynamic}, b.getIndexType());
    return tensor::EmptyOp::create(b, nl, idxType, ValueRange{n});
  }

  /// first[i]: the first j <= i with slice j == slice i.
  Value firstOccurrences(OpBuilder &rw, Location l) const {
    auto firstLoop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{newIdx(rw, l)},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          auto inner = scf::ForOp::create(
              b, nl, zero, i, one, ValueRange{i},
              [&](OpBuilder &ib, Location il, Value j, ValueRange jt) {
                Value unset = arith::CmpIOp::create(
                    ib, il, arith::CmpIPredicate::eq, jt[0], i);
                auto ifOp = scf::IfOp::create(
                    ib, il, unset,
                    [&](OpBuilder &tb, Location tl) {
                      Value same = arith::CmpIOp::create(
                          tb, tl, arith::CmpIPredicate::eq,
                          compare(tb, tl, j, i),
                          scalarConst(tb, tl, tb.getI8Type(), 0));
                      scf::YieldOp::create(
                          tb, tl,
                          Value(arith::SelectOp::create(tb, tl, same, j, i)));
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, jt[0]);
                    });
                scf::YieldOp::create(ib, il, ifOp.getResults());
              });
          scf::YieldOp::create(
              b, nl,
              Value(tensor::InsertOp::create(b, nl, inner.getResult(0), it[0],
                                             ValueRange{i})));
        });
    return firstLoop.getResult(0);
  }

  /// rank[i] of each first occurrence i (`first` from firstOccurrences):
  /// how many first occurrences come before it (sorted: are smaller; else:
  /// are at lower positions); and the count of first occurrences.
  std::pair<Value, Value> rankFirsts(OpBuilder &rw, Location l, Value first,
                                     bool sorted) const {
    auto isFirst = [&](OpBuilder &b, Location nl, Value i) -> Value {
      return arith::CmpIOp::create(
          b, nl, arith::CmpIPredicate::eq,
          tensor::ExtractOp::create(b, nl, first, ValueRange{i}), i);
    };
    auto rankLoop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{newIdx(rw, l), zero},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          auto inner = scf::ForOp::create(
              b, nl, zero, n, one, ValueRange{zero},
              [&](OpBuilder &ib, Location il, Value j, ValueRange jt) {
                auto ifOp = scf::IfOp::create(
                    ib, il, isFirst(ib, il, j),
                    [&](OpBuilder &tb, Location tl) {
                      Value before =
                          sorted
                              ? Value(arith::CmpIOp::create(
                                    tb, tl, arith::CmpIPredicate::eq,
                                    compare(tb, tl, j, i),
                                    scalarConst(tb, tl, tb.getI8Type(), -1)))
                              : Value(arith::CmpIOp::create(
                                    tb, tl, arith::CmpIPredicate::ult, j, i));
                      scf::YieldOp::create(
                          tb, tl,
                          Value(arith::AddIOp::create(
                              tb, tl, jt[0],
                              arith::SelectOp::create(tb, tl, before, one,
                                                      zero))));
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, jt[0]);
                    });
                scf::YieldOp::create(ib, il, ifOp.getResults());
              });
          Value f = isFirst(b, nl, i);
          Value ranks = tensor::InsertOp::create(b, nl, inner.getResult(0),
                                                 it[0], ValueRange{i});
          Value cnt = arith::AddIOp::create(
              b, nl, it[1], arith::SelectOp::create(b, nl, f, one, zero));
          scf::YieldOp::create(b, nl, ValueRange{ranks, cnt});
        });
    return {rankLoop.getResult(0), rankLoop.getResult(1)};
  }

  /// By rank: the first occurrence of each (`firsts`) and its count
  /// (`counts`); by slice: the rank of its first occurrence (inverse
  /// indices).
  std::array<Value, 3> byRank(OpBuilder &rw, Location l, Value first,
                              Value rank) const {
    Value counts0 =
        linalg::FillOp::create(rw, l, zero, newIdx(rw, l)).getResult(0);
    auto fillLoop = scf::ForOp::create(
        rw, l, zero, n, one, ValueRange{newIdx(rw, l), counts0, newIdx(rw, l)},
        [&](OpBuilder &b, Location nl, Value i, ValueRange it) {
          Value f = tensor::ExtractOp::create(b, nl, first, ValueRange{i});
          Value k = tensor::ExtractOp::create(b, nl, rank, ValueRange{f});
          Value firsts =
              tensor::InsertOp::create(b, nl, f, it[0], ValueRange{k});
          Value c = tensor::ExtractOp::create(b, nl, it[1], ValueRange{k});
          Value counts = tensor::InsertOp::create(
              b, nl, arith::AddIOp::create(b, nl, c, one), it[1],
              ValueRange{k});
          Value inv = tensor::InsertOp::create(b, nl, k, it[2], ValueRange{i});
          scf::YieldOp::create(b, nl, ValueRange{firsts, counts, inv});
        });
    return {fillLoop.getResult(0), fillLoop.getResult(1),
            fillLoop.getResult(2)};
  }
};

/// The first `len` entries of index vector `v` as `rt` (integers).
Value indexVectorAs(OpBuilder &rw, Location l, Value v, Value len,
                    RankedTensorType rt) {
  auto dyn = RankedTensorType::get({ShapedType::kDynamic}, rt.getElementType());
  Value out = generateFromIndices(
      rw, l, dyn, {OpFoldResult(len)},
      [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
        Value e = tensor::ExtractOp::create(b, nl, v, ValueRange{o[0]});
        return Value(arith::IndexCastOp::create(b, nl, rt.getElementType(), e));
      });
  return castIfNeeded(rw, l, out, rt);
}

/// Unique along `axis` (or of the flattened input): slices compared
/// lexicographically, in scf loops (quadratic in the axis length). Per
/// slice i: first[i], the first slice equal to it; the first occurrences
/// are ranked (sorted: by how many first occurrences are smaller; else by
/// position), which gives Y's order, indices (the first occurrences),
/// inverse_indices (rank of first[i]) and counts.
struct UniqueToLinalg : OpRewritePattern<onnxir::UniqueOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::UniqueOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || t.getRank() == 0 || op->getNumResults() != 4)
      return rw.notifyMatchFailure(op, "needs a ranked input");
    Type elem = t.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    if (!isFloat && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float or signless integers");
    SmallVector<RankedTensorType> rts;
    for (Value r : op->getResults()) {
      auto rt = llvm::dyn_cast<RankedTensorType>(r.getType());
      if (!rt)
        return rw.notifyMatchFailure(op, "needs ranked results");
      rts.push_back(rt);
    }
    std::optional<uint64_t> axisAttr = op.getAxis();
    // Without an axis the input is flattened (below, once matched).
    int64_t rank = axisAttr ? t.getRank() : 1;
    for (int64_t i = 1; i < 4; ++i)
      if (rts[i].getRank() != 1 || !rts[i].getElementType().isSignlessInteger())
        return rw.notifyMatchFailure(op, "needs 1-D integer index outputs");
    if (rts[0].getRank() != rank)
      return rw.notifyMatchFailure(op, "result rank");
    int64_t axis = axisAttr ? normalizeAxis(*axisAttr, t.getRank()) : 0;
    if (!axisAttr && t.getRank() != 1)
      x = flatten(rw, l, x);
    rw.replaceOp(
        op, lowerUnique(rw, l, x, axis, isFloat, op.getSorted() != 0, rts));
    return success();
  }

  /// Y, indices, inverse_indices and counts of the Unique of `x` along
  /// `axis`, as `rts`.
  static SmallVector<Value> lowerUnique(OpBuilder &rw, Location l, Value x,
                                        int64_t axis, bool isFloat, bool sorted,
                                        ArrayRef<RankedTensorType> rts) {
    auto t = llvm::cast<RankedTensorType>(x.getType());
    UniqueSlices s(rw, l, x, axis, isFloat);
    Value first = s.firstOccurrences(rw, l);
    auto [rank, count] = s.rankFirsts(rw, l, first, sorted);
    auto [firsts, counts, inverse] = s.byRank(rw, l, first, rank);
    // Y: the input at the first occurrences.
    SmallVector<OpFoldResult> sizes;
    SmallVector<int64_t> shape(t.getShape());
    shape[axis] = ShapedType::kDynamic;
    for (int64_t d = 0; d < t.getRank(); ++d)
      sizes.push_back(d == axis ? OpFoldResult(count)
                                : tensor::getMixedSize(rw, l, x, d));
    Value y = generateFromIndices(
        rw, l, RankedTensorType::get(shape, t.getElementType()), sizes,
        [&](OpBuilder &b, Location nl, ArrayRef<Value> o) {
          SmallVector<Value> at(o.begin(), o.end());
          at[axis] =
              tensor::ExtractOp::create(b, nl, firsts, ValueRange{o[axis]});
          return Value(tensor::ExtractOp::create(b, nl, x, at));
        });
    return {castIfNeeded(rw, l, y, rts[0]),
            indexVectorAs(rw, l, firsts, count, rts[1]),
            indexVectorAs(rw, l, inverse, s.n, rts[2]),
            indexVectorAs(rw, l, counts, count, rts[3])};
  }
};

} // namespace

void seqc::onnx_to_linalg::populateSelectionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TopKToLinalg, CompressToLinalg, NonZeroToLinalg, UniqueToLinalg>(
      patterns.getContext());
}
