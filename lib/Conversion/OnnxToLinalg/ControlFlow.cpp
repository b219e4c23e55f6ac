//===- ControlFlow.cpp - ONNX If, Loop and Scan to scf ----------*- C++ -*-===//
//
// The subgraph operators. Their regions hold onnx ops that the walk of
// convert-onnx-to-linalg has already lowered (it visits nested ops first),
// so these patterns only move the region bodies into scf ops:
//
//  - If becomes scf.if; each result gets the most static type both branches
//    fit (dims that differ become dynamic).
//  - Loop becomes scf.while carrying the iteration number, the condition,
//    the loop-carried values and one buffer per scan output. A buffer's rows
//    are the iterations (a new first axis); it is allocated once with M rows
//    when the trip count is M (no condition, or one the body passes on),
//    and otherwise grows by doubling; the rows actually written are sliced
//    off after the loop.
//  - Scan (opset 9 and later) becomes scf.for over the sequence length,
//    reading each iteration's element with tensor.extract_slice at the scan
//    input's axis (backwards for direction 1) and writing scan outputs with
//    tensor.insert_slice at theirs. Scan-8 (a leading batch axis shared by
//    every operand, scan axis 1, optional sequence_lens) is an scf.for over
//    the batch around that.
//
// A scan output whose element shape is only known inside the loop gets its
// buffer on the first store; such loops are scf.while, whose carried types
// canonicalization leaves alone. Values of the enclosing graph are read
// directly from inside the regions. Forms outside these (branch outputs of
// different ranks, unranked carried values, non-scalar conditions) fail to
// match and are reported by the pass.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// Set by the importer on a Scan of opset 8 (batch axis 0), and with it the
/// second where its first operand is sequence_lens.
constexpr llvm::StringLiteral kScan8BatchAttr = "seqc.scan8_batch";
constexpr llvm::StringLiteral kScan8LensAttr = "seqc.scan8_sequence_lens";

/// The most static ranked type that both `a` and `b` fit: dims that differ
/// become dynamic. Null when either is unranked or they differ in rank or
/// element type.
RankedTensorType joinTypes(Type a, Type b) {
  auto x = llvm::dyn_cast<RankedTensorType>(a);
  auto y = llvm::dyn_cast<RankedTensorType>(b);
  if (!x || !y || x.getRank() != y.getRank() ||
      x.getElementType() != y.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < x.getRank(); ++i)
    shape.push_back(x.getDimSize(i) == y.getDimSize(i) ? x.getDimSize(i)
                                                       : kDyn);
  return RankedTensorType::get(shape, x.getElementType());
}

/// The one element of a ranked tensor of size 1 (rank 0 or all dims 1).
FailureOr<Value> scalarOf(OpBuilder &b, Location loc, Value t) {
  auto tt = llvm::dyn_cast<RankedTensorType>(t.getType());
  if (!tt)
    return failure();
  SmallVector<Value> at(tt.getRank(), indexConst(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, at).getResult();
}

/// A one-element tensor of `type` (rank 0 unless `type` is another static
/// one-element shape) holding `scalar`.
Value tensorOf(OpBuilder &b, Location loc, Value scalar, Type type) {
  auto want = llvm::dyn_cast<RankedTensorType>(type);
  if (want && want.hasStaticShape() && want.getNumElements() == 1 &&
      want.getElementType() == scalar.getType())
    return tensor::FromElementsOp::create(b, loc, want, scalar);
  Value v = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, scalar.getType()), scalar);
  return castIfNeeded(b, loc, v, type);
}

/// Whether `v` is a constant that is true (a one-element i1 tensor; the
/// walk has lowered onnx.Constant to arith.constant by now).
bool isConstantTrue(Value v) {
  DenseElementsAttr dense;
  if (auto c = v.getDefiningOp<onnxir::ConstantOp>())
    dense = llvm::dyn_cast<DenseElementsAttr>(c.getValueAttr());
  else if (!matchPattern(v, m_Constant(&dense)))
    return false;
  return dense && dense.getNumElements() == 1 &&
         dense.getElementType().isInteger(1) &&
         !(*dense.getValues<APInt>().begin()).isZero();
}

/// Whether `v` is `arg` passed on unchanged: directly, through casts, or
/// through the copy a lowered onnx.Identity is.
bool passesOn(Value v, Value arg) {
  while (v != arg) {
    if (auto cast = v.getDefiningOp<tensor::CastOp>()) {
      v = cast.getSource();
      continue;
    }
    auto g = v.getDefiningOp<linalg::GenericOp>();
    if (!g || g.getNumDpsInputs() != 1 || g->getNumResults() != 1 ||
        g.getInputs()[0].getType() != v.getType())
      return false;
    auto yield = llvm::cast<linalg::YieldOp>(g.getBody()->getTerminator());
    if (yield.getNumOperands() != 1 ||
        yield.getOperand(0) != g.getBody()->getArgument(0) ||
        !llvm::all_of(g.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); }))
      return false;
    v = g.getInputs()[0];
  }
  return true;
}

/// The dims of an element `elem` stored at index `pos` of axis `axis` of a
/// stacked buffer: the buffer's sizes, 1 at `axis`.
SmallVector<OpFoldResult> rowSizes(OpBuilder &b, Location loc, Value elem,
                                   int64_t axis) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, elem);
  sizes.insert(sizes.begin() + axis, b.getIndexAttr(1));
  return sizes;
}

/// A stacked output: the elements of type `elem` of every iteration along a
/// new axis `axis`.
struct Stack {
  RankedTensorType elem;
  int64_t axis;
  RankedTensorType type; // the buffer: elem with a dynamic dim at `axis`
  bool zeroFill = false; // rows never stored read as zeros

  Stack(RankedTensorType elem, int64_t axis) : elem(elem), axis(axis) {
    SmallVector<int64_t> shape(elem.getShape());
    shape.insert(shape.begin() + axis, kDyn);
    type = RankedTensorType::get(shape, elem.getElementType());
  }

  /// The buffer before the loop: `rows` rows when the element's shape is
  /// static, else empty (allocated by the first store).
  Value init(OpBuilder &b, Location loc, Value rows) const {
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : elem.getShape())
      sizes.push_back(b.getIndexAttr(d == kDyn ? 0 : d));
    bool full = elem.hasStaticShape();
    sizes.insert(sizes.begin() + axis,
                 full ? OpFoldResult(rows) : OpFoldResult(b.getIndexAttr(0)));
    return fresh(b, loc, sizes);
  }

  /// A buffer allocated with the given sizes (no growth needed).
  Value initSized(OpBuilder &b, Location loc,
                  ArrayRef<OpFoldResult> sizes) const {
    return fresh(b, loc, sizes);
  }

  /// A new buffer, zero-filled with `zeroFill`.
  Value fresh(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) const {
    Value t = emptyTensor(b, loc, type, sizes);
    if (!zeroFill)
      return t;
    Value zero = scalarConst(b, loc, type.getElementType(), 0);
    return linalg::FillOp::create(b, loc, zero, t).getResult(0);
  }

  /// Stores `v` (of type `elem`) at `pos` along the axis, iteration `count`.
  /// With `grow`, a buffer with no room for iteration `count` (the rows
  /// along the axis) is first replaced by one of max(2 x rows, `hint`) rows
  /// holding the `count` rows stored so far (rows 0 .. count-1).
  Value store(OpBuilder &b, Location loc, Value buf, Value v, Value pos,
              Value count, Value hint, bool grow) const {
    if (grow) {
      Value cap = tensor::DimOp::create(b, loc, buf, axis);
      Value full =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, count, cap);
      auto ifOp = scf::IfOp::create(
          b, loc, full,
          [&](OpBuilder &b, Location loc) {
            Value twice =
                arith::MulIOp::create(b, loc, cap, indexConst(b, loc, 2));
            Value rows = arith::MaxSIOp::create(b, loc, twice, hint);
            SmallVector<OpFoldResult> sizes = rowSizes(b, loc, v, axis);
            sizes[axis] = rows;
            Value fresh = this->fresh(b, loc, sizes);
            Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                              count, indexConst(b, loc, 0));
            auto copy = scf::IfOp::create(
                b, loc, any,
                [&](OpBuilder &b, Location loc) {
                  SmallVector<OpFoldResult> old =
                      tensor::getMixedSizes(b, loc, buf);
                  old[axis] = count;
                  SmallVector<OpFoldResult> zeros(type.getRank(),
                                                  b.getIndexAttr(0));
                  SmallVector<OpFoldResult> ones(type.getRank(),
                                                 b.getIndexAttr(1));
                  Value part = tensor::ExtractSliceOp::create(b, loc, buf,
                                                              zeros, old, ones);
                  Value moved = tensor::InsertSliceOp::create(
                      b, loc, part, fresh, zeros, old, ones);
                  scf::YieldOp::create(b, loc, moved);
                },
                [&](OpBuilder &b, Location loc) {
                  scf::YieldOp::create(b, loc, fresh);
                });
            scf::YieldOp::create(b, loc, copy.getResult(0));
          },
          [&](OpBuilder &b, Location loc) {
            scf::YieldOp::create(b, loc, buf);
          });
      buf = ifOp.getResult(0);
    }
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    offsets[axis] = pos;
    SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
    return tensor::InsertSliceOp::create(b, loc, v, buf, offsets,
                                         rowSizes(b, loc, v, axis), ones);
  }

  /// The first `rows` rows of a buffer.
  Value take(OpBuilder &b, Location loc, Value buf, Value rows) const {
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, buf);
    sizes[axis] = rows;
    SmallVector<OpFoldResult> zeros(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, loc, type, buf, zeros, sizes,
                                          ones);
  }
};

/// A loop over 0 .. ub carrying `inits`: scf.for, or scf.while when a
/// carried buffer changes shape (scf.for's canonicalization would give its
/// iteration arguments the static type of a not yet allocated buffer).
struct CountedLoop {
  Operation *op = nullptr;
  Block *body = nullptr;
  Value iv;
  SmallVector<Value> iterArgs;

  CountedLoop(OpBuilder &b, Location loc, Value ub, ValueRange inits,
              bool asWhile) {
    Value zero = indexConst(b, loc, 0);
    if (!asWhile) {
      auto forOp =
          scf::ForOp::create(b, loc, zero, ub, indexConst(b, loc, 1), inits);
      op = forOp;
      body = forOp.getBody();
      iv = forOp.getInductionVar();
      llvm::append_range(iterArgs, forOp.getRegionIterArgs());
      return;
    }
    SmallVector<Value> all = {zero};
    llvm::append_range(all, inits);
    SmallVector<Type> types = llvm::to_vector(ValueRange(all).getTypes());
    auto whileOp = scf::WhileOp::create(b, loc, types, all, nullptr, nullptr);
    op = whileOp;
    {
      OpBuilder::InsertionGuard guard(b);
      Block *before = &whileOp.getBefore().front();
      b.setInsertionPointToStart(before);
      Value go = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                       before->getArgument(0), ub);
      scf::ConditionOp::create(b, loc, go, before->getArguments());
    }
    body = &whileOp.getAfter().front();
    iv = body->getArgument(0);
    llvm::append_range(iterArgs, body->getArguments().drop_front());
  }

  /// Ends the body (insertion point at its end) with `next`.
  void yield(OpBuilder &b, Location loc, ValueRange next) {
    if (llvm::isa<scf::ForOp>(op)) {
      scf::YieldOp::create(b, loc, next);
      return;
    }
    SmallVector<Value> all = {
        arith::AddIOp::create(b, loc, iv, indexConst(b, loc, 1))};
    llvm::append_range(all, next);
    scf::YieldOp::create(b, loc, all);
  }

  ValueRange results() {
    return llvm::isa<scf::ForOp>(op) ? op->getResults()
                                     : op->getResults().drop_front();
  }
};

/// Lets the linalg op that computes the next value `v` of a loop-carried
/// tensor write into the current one, `dest` (an iteration argument), where
/// its output is a tensor.empty it does not read and the types agree: then
/// bufferization updates the state in place (or copies where the old value
/// is still read) instead of allocating a buffer every iteration.
void writeInto(PatternRewriter &rw, Value v, Value dest) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || v.getType() != dest.getType() ||
      !llvm::cast<RankedTensorType>(v.getType()).hasStaticShape())
    return;
  unsigned r = llvm::cast<OpResult>(v).getResultNumber();
  OpOperand *init = g.getDpsInitOperand(r);
  if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
      g.payloadUsesValueFromOperand(init) ||
      !g.getMatchingIndexingMap(init).isIdentity())
    return;
  rw.modifyOpInPlace(g, [&] { init->set(dest); });
}

/// Replaces the onnx.Yield ending `block` by an scf.yield of its operands
/// cast to `types`.
void yieldAs(PatternRewriter &rw, Block &block, TypeRange types) {
  Operation *y = block.getTerminator();
  rw.setInsertionPoint(y);
  SmallVector<Value> vals;
  for (auto [v, t] : llvm::zip(y->getOperands(), types))
    vals.push_back(castIfNeeded(rw, y->getLoc(), v, t));
  scf::YieldOp::create(rw, y->getLoc(), vals);
  rw.eraseOp(y);
}

/// `v` cast to the declared type `t` of an op result, where that is ranked.
Value asResult(OpBuilder &b, Location loc, Value v, Type t) {
  return llvm::isa<RankedTensorType>(t) ? castIfNeeded(b, loc, v, t) : v;
}

/// Replaces `op` by `values` (ranked), cast to the declared result types.
/// Where one is unranked, onnx users (lowered later, and needing ranks)
/// take the ranked value and other users a cast to the declared type.
void replaceWithResults(PatternRewriter &rw, Operation *op,
                        ArrayRef<Value> values) {
  for (auto [res, v] : llvm::zip(op->getResults(), values)) {
    Type declared = res.getType();
    if (llvm::isa<RankedTensorType>(declared) || v.getType() == declared) {
      rw.replaceAllUsesWith(res, asResult(rw, op->getLoc(), v, declared));
      continue;
    }
    Value cast;
    for (OpOperand &use : llvm::make_early_inc_range(res.getUses())) {
      Operation *user = use.getOwner();
      Value with = v;
      if (!llvm::isa_and_present<onnxir::OnnxDialect>(user->getDialect())) {
        if (!cast)
          cast = tensor::CastOp::create(rw, op->getLoc(), declared, v);
        with = cast;
      }
      rw.modifyOpInPlace(user, [&] { use.set(with); });
    }
  }
  rw.eraseOp(op);
}

/// The single-block body of `region` ending in onnx.Yield, or null.
Block *bodyOf(Region &region) {
  if (!region.hasOneBlock() ||
      !llvm::isa<onnxir::YieldOp>(region.front().getTerminator()))
    return nullptr;
  return &region.front();
}

//===----------------------------------------------------------------------===//
// If
//===----------------------------------------------------------------------===//

struct IfToScf : OpRewritePattern<onnxir::IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::IfOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Block *thenBlock = bodyOf(op.getThenBranch());
    Block *elseBlock = bodyOf(op.getElseBranch());
    if (!thenBlock || !elseBlock || thenBlock->getNumArguments() ||
        elseBlock->getNumArguments())
      return rw.notifyMatchFailure(op, "branches must be single blocks");
    Operation *thenY = thenBlock->getTerminator();
    Operation *elseY = elseBlock->getTerminator();
    unsigned n = op.getNumResults();
    if (thenY->getNumOperands() != n || elseY->getNumOperands() != n)
      return rw.notifyMatchFailure(op, "branch output counts differ");
    SmallVector<Type> types;
    for (unsigned i = 0; i < n; ++i) {
      RankedTensorType t = joinTypes(thenY->getOperand(i).getType(),
                                     elseY->getOperand(i).getType());
      if (!t)
        return rw.notifyMatchFailure(
            op, "branch outputs of unknown or different ranks or types");
      types.push_back(t);
    }
    FailureOr<Value> cond = scalarOf(rw, loc, op.getCond());
    if (failed(cond) || !cond->getType().isInteger(1))
      return rw.notifyMatchFailure(op, "needs a ranked boolean condition");
    auto ifOp = scf::IfOp::create(rw, loc, types, *cond,
                                  /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    rw.inlineRegionBefore(op.getThenBranch(), ifOp.getThenRegion(),
                          ifOp.getThenRegion().end());
    rw.inlineRegionBefore(op.getElseBranch(), ifOp.getElseRegion(),
                          ifOp.getElseRegion().end());
    yieldAs(rw, ifOp.getThenRegion().front(), types);
    yieldAs(rw, ifOp.getElseRegion().front(), types);
    rw.setInsertionPointAfter(ifOp);
    SmallVector<Value> results;
    for (unsigned i = 0; i < n; ++i)
      results.push_back(
          asResult(rw, loc, ifOp.getResult(i), op.getResult(i).getType()));
    replaceWithResults(rw, op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

/// What an onnx.Loop carries, read off its types before any IR is built.
struct LoopPlan {
  Block *body = nullptr;
  Operation *yield = nullptr;
  unsigned n = 0, k = 0; // loop-carried values, scan outputs
  bool hasM = false, hasCond = false;
  SmallVector<Type> carried;
  SmallVector<Stack> stacks;
};

/// The trip count of a Loop and how its buffers are sized.
struct LoopBounds {
  Value maxTrip; // M as an index (when given)
  Value cond0;   // the initial condition (true when absent)
  Value hint;    // the rows first allocated for each scan output
  bool counted;  // whether it runs exactly M times (or not at all)
};

struct LoopToScf : OpRewritePattern<onnxir::LoopOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Checks the body against the operands and fills `p`.
  static LogicalResult plan(PatternRewriter &rw, onnxir::LoopOp op,
                            LoopPlan &p) {
    Block *body = bodyOf(op.getBody());
    unsigned n = op.getVInitial().size();
    unsigned numResults = op.getNumResults();
    if (!body || body->getNumArguments() != n + 2 || numResults < n ||
        body->getTerminator()->getNumOperands() != numResults + 1)
      return rw.notifyMatchFailure(op, "body does not match the operands");
    p.body = body;
    p.yield = body->getTerminator();
    p.n = n;
    p.k = numResults - n;
    p.hasM = !isNone(op.getM());
    p.hasCond = !isNone(op.getCond());
    // Types: loop-carried values get the join of their initial, body input
    // and body output types; scan outputs need ranked elements.
    for (unsigned j = 0; j < n; ++j) {
      RankedTensorType t = joinTypes(op.getVInitial()[j].getType(),
                                     body->getArgument(j + 2).getType());
      if (t)
        t = joinTypes(t, p.yield->getOperand(j + 1).getType());
      if (!t)
        return rw.notifyMatchFailure(op, "loop-carried value of unknown or "
                                         "changing rank");
      p.carried.push_back(t);
    }
    for (unsigned j = 0; j < p.k; ++j) {
      auto t = llvm::dyn_cast<RankedTensorType>(
          p.yield->getOperand(1 + n + j).getType());
      if (!t)
        return rw.notifyMatchFailure(op, "scan output of unknown rank");
      p.stacks.emplace_back(t, 0);
    }
    // Trip count and condition: one-element int64 and boolean tensors.
    auto isScalarOf = [](Value v, unsigned width) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      return t && t.getElementType().isInteger(width) &&
             llvm::all_of(t.getShape(), [](int64_t d) { return d == 1; });
    };
    if ((p.hasM && !isScalarOf(op.getM(), 64)) ||
        (p.hasCond && !isScalarOf(op.getCond(), 1)) ||
        (p.hasCond && !isScalarOf(p.yield->getOperand(0), 1)))
      return rw.notifyMatchFailure(op, "needs a scalar int64 trip count and "
                                       "scalar boolean conditions");
    return success();
  }

  /// Reads M and the initial condition and decides whether the loop is
  /// counted: the condition never changes (absent, or passed on by the
  /// body) or is a true constant the body recomputes as true; it runs M
  /// times, or not at all when the condition starts false.
  static LoopBounds bounds(PatternRewriter &rw, Location loc, onnxir::LoopOp op,
                           const LoopPlan &p) {
    LoopBounds lb;
    if (p.hasM) {
      FailureOr<Value> mv = scalarOf(rw, loc, op.getM());
      lb.maxTrip = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), *mv);
    }
    lb.cond0 = scalarConst(rw, loc, rw.getI1Type(), 1);
    if (p.hasCond) {
      FailureOr<Value> cv = scalarOf(rw, loc, op.getCond());
      lb.cond0 = *cv;
    }
    Value condOut = p.yield->getOperand(0);
    lb.counted =
        p.hasM && (!p.hasCond || passesOn(condOut, p.body->getArgument(1)) ||
                   (isConstantTrue(op.getCond()) && isConstantTrue(condOut)));
    lb.hint = indexConst(rw, loc, 16);
    if (lb.counted)
      lb.hint = p.hasCond
                    ? arith::SelectOp::create(rw, loc, lb.cond0, lb.maxTrip,
                                              indexConst(rw, loc, 0))
                    : lb.maxTrip;
    else if (p.hasM)
      lb.hint = arith::MinSIOp::create(rw, loc, lb.maxTrip, lb.hint);
    lb.hint = arith::MaxSIOp::create(rw, loc, lb.hint, indexConst(rw, loc, 1));
    return lb;
  }

  /// The after region of `whileOp`: the body, then the stores and the next
  /// iteration's values.
  static void buildAfter(PatternRewriter &rw, Location loc,
                         scf::WhileOp whileOp, const LoopPlan &p,
                         const LoopBounds &lb) {
    Block *body = p.body;
    Operation *yield = p.yield;
    unsigned n = p.n;
    Block *after = &whileOp.getAfter().front();
    rw.setInsertionPointToStart(after);
    Value i = after->getArgument(0);
    SmallVector<Value> args;
    Value iter = arith::IndexCastOp::create(rw, loc, rw.getI64Type(), i);
    args.push_back(tensorOf(rw, loc, iter, body->getArgument(0).getType()));
    args.push_back(tensorOf(rw, loc, after->getArgument(1),
                            body->getArgument(1).getType()));
    for (unsigned j = 0; j < n; ++j)
      args.push_back(castIfNeeded(rw, loc, after->getArgument(2 + j),
                                  body->getArgument(2 + j).getType()));
    rw.inlineBlockBefore(body, after, after->end(), args);

    rw.setInsertionPoint(yield);
    SmallVector<Value> next;
    next.push_back(arith::AddIOp::create(rw, loc, i, indexConst(rw, loc, 1)));
    if (p.hasCond) {
      FailureOr<Value> c = scalarOf(rw, loc, yield->getOperand(0));
      next.push_back(*c);
    } else {
      next.push_back(after->getArgument(1));
    }
    for (unsigned j = 0; j < n; ++j) {
      writeInto(rw, yield->getOperand(1 + j), after->getArgument(2 + j));
      next.push_back(
          castIfNeeded(rw, loc, yield->getOperand(1 + j), p.carried[j]));
    }
    bool grow = !lb.counted;
    for (unsigned j = 0; j < p.k; ++j) {
      const Stack &s = p.stacks[j];
      bool needsGrow = grow || !s.elem.hasStaticShape();
      next.push_back(s.store(rw, loc, after->getArgument(2 + n + j),
                             yield->getOperand(1 + n + j), i, i, lb.hint,
                             needsGrow));
    }
    scf::YieldOp::create(rw, loc, next);
    rw.eraseOp(yield);
  }

  LogicalResult matchAndRewrite(onnxir::LoopOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LoopPlan p;
    if (failed(plan(rw, op, p)))
      return failure();
    LoopBounds lb = bounds(rw, loc, op, p);
    SmallVector<Value> inits = {indexConst(rw, loc, 0), lb.cond0};
    for (unsigned j = 0; j < p.n; ++j)
      inits.push_back(castIfNeeded(rw, loc, op.getVInitial()[j], p.carried[j]));
    for (const Stack &s : p.stacks)
      inits.push_back(s.init(rw, loc, lb.hint));
    SmallVector<Type> types = llvm::to_vector(ValueRange(inits).getTypes());
    auto whileOp =
        scf::WhileOp::create(rw, loc, types, inits, nullptr, nullptr);

    // Before: i < M and cond.
    {
      Block *before = &whileOp.getBefore().front();
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPointToStart(before);
      Value go = before->getArgument(1);
      if (p.hasM) {
        Value inRange =
            arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::slt,
                                  before->getArgument(0), lb.maxTrip);
        go = arith::AndIOp::create(rw, loc, go, inRange);
      }
      scf::ConditionOp::create(rw, loc, go, before->getArguments());
    }
    buildAfter(rw, loc, whileOp, p, lb);

    rw.setInsertionPointAfter(whileOp);
    SmallVector<Value> results;
    Value trips = whileOp.getResult(0);
    for (unsigned j = 0; j < p.n; ++j)
      results.push_back(asResult(rw, loc, whileOp.getResult(2 + j),
                                 op.getResult(j).getType()));
    for (unsigned j = 0; j < p.k; ++j)
      results.push_back(asResult(
          rw, loc,
          p.stacks[j].take(rw, loc, whileOp.getResult(2 + p.n + j), trips),
          op.getResult(p.n + j).getType()));
    replaceWithResults(rw, op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Scan
//===----------------------------------------------------------------------===//

/// The first `n` entries of the integer list attribute `a` (axes or
/// directions), 0 past its end or where it is absent (null).
SmallVector<int64_t> listOf(ArrayAttr a, size_t n) {
  SmallVector<int64_t> out(n, 0);
  for (auto [i, v] : llvm::enumerate(intsOf(a)))
    if (i < n)
      out[i] = v;
  return out;
}

/// The element type of `t` without dim `axis`.
RankedTensorType dropDim(RankedTensorType t, int64_t axis) {
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.begin() + axis);
  return RankedTensorType::get(shape, t.getElementType());
}

/// Slice `index` of `v` along `axis`, without that axis.
Value sliceAt(OpBuilder &b, Location loc, Value v, int64_t axis, Value index) {
  auto t = llvm::cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0));
  offsets[axis] = index;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  sizes[axis] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> ones(t.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, dropDim(t, axis), v, offsets,
                                        sizes, ones);
}

/// What a Scan (or one batch element of a Scan-8) iterates over, read off
/// the types before any IR is built.
struct ScanPlan {
  int64_t n = 0, m = 0, k = 0; // states, scan inputs, scan outputs
  SmallVector<int64_t> inAxes, inDirs, outDirs;
  SmallVector<Type> carried;
  SmallVector<Stack> stacks;
  Block *body = nullptr;
};

struct ScanToScf : OpRewritePattern<onnxir::ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Checks the op against operand and result types (the batch axis
  /// dropped for Scan-8) and fills `p`.
  static LogicalResult plan(PatternRewriter &rw, onnxir::ScanOp op,
                            TypeRange operands, TypeRange results,
                            ScanPlan &p) {
    Block *body = bodyOf(op.getBody());
    int64_t m = op.getNumScanInputs();
    int64_t n = static_cast<int64_t>(operands.size()) - m;
    int64_t k = static_cast<int64_t>(results.size()) - n;
    Operation *yield = body ? body->getTerminator() : nullptr;
    if (!body || m < 1 || n < 0 || k < 0 ||
        body->getNumArguments() != static_cast<unsigned>(n + m) ||
        yield->getNumOperands() != static_cast<unsigned>(n + k))
      return rw.notifyMatchFailure(op, "body does not match the operands");
    p.n = n;
    p.m = m;
    p.k = k;
    p.body = body;
    p.inAxes = listOf(op.getScanInputAxesAttr(), m);
    p.inDirs = listOf(op.getScanInputDirectionsAttr(), m);
    p.outDirs = listOf(op.getScanOutputDirectionsAttr(), k);
    SmallVector<int64_t> outAxes = listOf(op.getScanOutputAxesAttr(), k);
    for (int64_t j = 0; j < n; ++j) {
      RankedTensorType t =
          joinTypes(operands[j], body->getArgument(j).getType());
      if (t)
        t = joinTypes(t, yield->getOperand(j).getType());
      if (!t)
        return rw.notifyMatchFailure(op, "state of unknown or changing rank");
      p.carried.push_back(t);
    }
    for (int64_t j = 0; j < m; ++j) {
      auto t = llvm::dyn_cast<RankedTensorType>(operands[n + j]);
      if (!t || t.getRank() < 1)
        return rw.notifyMatchFailure(op, "scan input of unknown rank");
      p.inAxes[j] = normalizeAxis(p.inAxes[j], t.getRank());
      if (p.inAxes[j] < 0 || p.inAxes[j] >= t.getRank())
        return rw.notifyMatchFailure(op, "scan input axis out of range");
    }
    for (int64_t j = 0; j < k; ++j) {
      auto t =
          llvm::dyn_cast<RankedTensorType>(yield->getOperand(n + j).getType());
      if (!t)
        return rw.notifyMatchFailure(op, "scan output of unknown rank");
      int64_t axis = normalizeAxis(outAxes[j], t.getRank() + 1);
      if (axis < 0 || axis > t.getRank())
        return rw.notifyMatchFailure(op, "scan output axis out of range");
      p.stacks.emplace_back(t, axis);
    }
    return success();
  }

  /// The scan of one batch element (or of the whole op without a batch
  /// axis): `operands` are the initial states then the scan inputs; the
  /// body is moved into the loop, so this runs once per op. Returns the
  /// final states then the scan outputs, in the types `resultTypes`.
  /// With `count` (Scan-8's sequence_lens), only the first `count` steps
  /// run (backwards from step count-1 for direction 1) and the scan outputs
  /// keep the full length, zero past `count`.
  static SmallVector<Value> scan(PatternRewriter &rw, Location loc,
                                 const ScanPlan &p, ValueRange operands,
                                 TypeRange resultTypes, Value count = {}) {
    Block *body = p.body;
    Operation *yield = body->getTerminator();
    int64_t n = p.n, m = p.m, k = p.k;
    Value len = tensor::DimOp::create(rw, loc, operands[n], p.inAxes[0]);
    Value steps = count ? count : len;
    Value one = indexConst(rw, loc, 1);
    Value last = arith::SubIOp::create(rw, loc, steps, one);
    SmallVector<Value> inits;
    for (int64_t j = 0; j < n; ++j)
      inits.push_back(castIfNeeded(rw, loc, operands[j], p.carried[j]));
    SmallVector<Stack> stacks(p.stacks);
    for (Stack &s : stacks) {
      s.zeroFill = static_cast<bool>(count);
      inits.push_back(s.init(rw, loc, len));
    }
    bool lazy = llvm::any_of(
        stacks, [](const Stack &s) { return !s.elem.hasStaticShape(); });
    CountedLoop loop(rw, loc, steps, inits, lazy);
    Block *block = loop.body;
    rw.setInsertionPointToStart(block);
    Value t = loop.iv;
    Value back = arith::SubIOp::create(rw, loc, last, t);
    SmallVector<Value> args;
    for (int64_t j = 0; j < n; ++j)
      args.push_back(castIfNeeded(rw, loc, loop.iterArgs[j],
                                  body->getArgument(j).getType()));
    for (int64_t j = 0; j < m; ++j) {
      Value e = sliceAt(rw, loc, operands[n + j], p.inAxes[j],
                        p.inDirs[j] ? back : t);
      args.push_back(
          castIfNeeded(rw, loc, e, body->getArgument(n + j).getType()));
    }
    rw.inlineBlockBefore(body, block, block->end(), args);
    rw.setInsertionPoint(yield);
    SmallVector<Value> next;
    for (int64_t j = 0; j < n; ++j) {
      writeInto(rw, yield->getOperand(j), loop.iterArgs[j]);
      next.push_back(castIfNeeded(rw, loc, yield->getOperand(j), p.carried[j]));
    }
    for (int64_t j = 0; j < k; ++j) {
      const Stack &s = stacks[j];
      Value e = castIfNeeded(rw, loc, yield->getOperand(n + j), s.elem);
      next.push_back(s.store(rw, loc, loop.iterArgs[n + j], e,
                             p.outDirs[j] ? back : t, t, len,
                             !s.elem.hasStaticShape()));
    }
    loop.yield(rw, loc, next);
    rw.eraseOp(yield);
    rw.setInsertionPointAfter(loop.op);
    SmallVector<Value> results;
    for (int64_t j = 0; j < n + k; ++j)
      results.push_back(asResult(rw, loc, loop.results()[j], resultTypes[j]));
    return results;
  }

  LogicalResult matchAndRewrite(onnxir::ScanOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    ScanPlan p;
    if (!op->hasAttr(kScan8BatchAttr)) {
      if (failed(plan(rw, op, op->getOperandTypes(), op->getResultTypes(), p)))
        return failure();
      replaceWithResults(
          rw, op, scan(rw, loc, p, op->getOperands(), op->getResultTypes()));
      return success();
    }

    // Scan-8: every operand and result has a leading batch axis; the body
    // sees one batch element at a time, for sequence_lens[b] steps.
    ValueRange all = op->getOperands();
    Value lens;
    if (op->hasAttr(kScan8LensAttr)) {
      auto lt = all.empty()
                    ? RankedTensorType()
                    : llvm::dyn_cast<RankedTensorType>(all.front().getType());
      if (!lt || lt.getRank() != 1 || !lt.getElementType().isSignlessInteger())
        return rw.notifyMatchFailure(op, "sequence_lens must be 1-D integers");
      lens = all.front();
      all = all.drop_front();
    }
    SmallVector<Type> inTypes, outTypes;
    for (Type ty : all.getTypes()) {
      auto t = llvm::dyn_cast<RankedTensorType>(ty);
      if (!t || t.getRank() < 1)
        return rw.notifyMatchFailure(op, "operands need a batch axis");
      inTypes.push_back(dropDim(t, 0));
    }
    for (Type ty : op->getResultTypes()) {
      auto t = llvm::dyn_cast<RankedTensorType>(ty);
      if (!t || t.getRank() < 1)
        return rw.notifyMatchFailure(op, "results need a batch axis");
      outTypes.push_back(dropDim(t, 0));
    }
    if (failed(plan(rw, op, inTypes, outTypes, p)))
      return failure();
    // The per-batch results' sizes: the states keep their initial shapes;
    // a scan output is its element with the sequence length inserted, known
    // here when the element's shape is static.
    Value batch = tensor::DimOp::create(rw, loc, all[0], 0);
    Value len = tensor::DimOp::create(rw, loc, all[p.n], p.inAxes[0] + 1);
    SmallVector<Stack> rows;
    SmallVector<Value> inits;
    bool lazy = false;
    for (auto [j, t] : llvm::enumerate(outTypes)) {
      rows.emplace_back(llvm::cast<RankedTensorType>(t), 0);
      const Stack &row = rows.back();
      SmallVector<OpFoldResult> sizes = {batch};
      if (static_cast<int64_t>(j) < p.n) {
        SmallVector<OpFoldResult> dims = tensor::getMixedSizes(rw, loc, all[j]);
        sizes.append(dims.begin() + 1, dims.end());
      } else if (const Stack &inner = p.stacks[j - p.n];
                 inner.elem.hasStaticShape()) {
        for (int64_t d : inner.elem.getShape())
          sizes.push_back(rw.getIndexAttr(d));
        sizes.insert(sizes.begin() + 1 + inner.axis, len);
      } else {
        inits.push_back(row.init(rw, loc, batch));
        lazy = true;
        continue;
      }
      inits.push_back(row.initSized(rw, loc, sizes));
    }
    CountedLoop loop(rw, loc, batch, inits, lazy);
    rw.setInsertionPointToStart(loop.body);
    Value b = loop.iv;
    SmallVector<Value> operands;
    for (Value v : all)
      operands.push_back(sliceAt(rw, loc, v, 0, b));
    Value count;
    if (lens) {
      // sequence_lens[b], clamped to [0, max length].
      Value l = tensor::ExtractOp::create(rw, loc, lens, ValueRange{b});
      l = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), l);
      l = arith::MaxSIOp::create(rw, loc, l, indexConst(rw, loc, 0));
      count = arith::MinSIOp::create(
          rw, loc, l,
          tensor::DimOp::create(rw, loc, operands[p.n], p.inAxes[0]));
    }
    SmallVector<Value> r = scan(rw, loc, p, operands, outTypes, count);
    SmallVector<Value> next;
    for (auto [j, v] : llvm::enumerate(r)) {
      bool sized = static_cast<int64_t>(j) < p.n ||
                   p.stacks[j - p.n].elem.hasStaticShape();
      next.push_back(
          rows[j].store(rw, loc, loop.iterArgs[j], v, b, b, batch, !sized));
    }
    loop.yield(rw, loc, next);
    rw.setInsertionPointAfter(loop.op);
    SmallVector<Value> results;
    for (auto [j, v] : llvm::enumerate(loop.results()))
      results.push_back(asResult(rw, loc, v, op->getResult(j).getType()));
    replaceWithResults(rw, op, results);
    return success();
  }
};

} // namespace

void seqc::populateOnnxControlFlowToScfPatterns(RewritePatternSet &patterns) {
  patterns.add<IfToScf, LoopToScf, ScanToScf>(patterns.getContext());
}
