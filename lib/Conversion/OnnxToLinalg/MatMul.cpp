//===- MatMul.cpp - MatMul, Gemm and Einsum to linalg -----------*- C++ -*-===//
//
// 2-D MatMul becomes linalg.matmul (the form the CPU pipeline tiles and
// vectorizes); batched MatMul with numpy-broadcast batch dims, 1-D operands,
// Gemm (alpha, beta, transposes, broadcast C) and Einsum become
// linalg.generic. Det is LU elimination in scf loops, one matrix at a time.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cctype>
#include <map>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type,
                 ArrayRef<OpFoldResult> sizes) {
  Value init = emptyTensor(b, loc, type, sizes);
  Value zero = scalarConst(b, loc, type.getElementType(), 0);
  return linalg::FillOp::create(b, loc, zero, init).getResult(0);
}

/// MatMul's operands and types (A, B and the result ranked; float result).
struct MatMulPlan {
  Value a, b;
  RankedTensorType at, bt, rt;
  int64_t ra, rb, rr;
};

/// A product computed on collapsed operands, expanded back to the result:
/// A's leading dims, then B's last.
Value expandBack(PatternRewriter &rw, Location loc, const MatMulPlan &p,
                 Value flat, ArrayRef<ReassociationIndices> groups) {
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < p.ra - 1; ++i) {
    sizes.push_back(tensor::getMixedSize(rw, loc, p.a, i));
    shape.push_back(p.at.getDimSize(i));
  }
  sizes.push_back(tensor::getMixedSize(rw, loc, p.b, p.rb - 1));
  shape.push_back(p.bt.getDimSize(p.rb - 1));
  Value out = tensor::ExpandShapeOp::create(
      rw, loc, RankedTensorType::get(shape, p.rt.getElementType()), flat,
      groups, sizes);
  return castIfNeeded(rw, loc, out, p.rt);
}

/// Batched A times a matrix B: A's batch dims folded into M, so the
/// product is one 2-D linalg.matmul (the form the codegen strategy takes).
Value batchTimesMatrix(PatternRewriter &rw, Location loc, const MatMulPlan &p) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < p.ra - 1; ++i)
    groups[0].push_back(i);
  groups.push_back({p.ra - 1});
  Value a2 = tensor::CollapseShapeOp::create(rw, loc, p.a, groups);
  auto a2t = llvm::cast<RankedTensorType>(a2.getType());
  auto r2t = RankedTensorType::get({a2t.getDimSize(0), p.bt.getDimSize(1)},
                                   p.rt.getElementType());
  SmallVector<OpFoldResult> sizes2 = {tensor::getMixedSize(rw, loc, a2, 0),
                                      tensor::getMixedSize(rw, loc, p.b, 1)};
  Value mm =
      linalg::MatmulOp::create(rw, loc, TypeRange{r2t}, ValueRange{a2, p.b},
                               ValueRange{zeroFilled(rw, loc, r2t, sizes2)})
          .getResult(0);
  return expandBack(rw, loc, p, mm, groups);
}

/// Equal static batch dims on both sides (attention's QK^T and AV): one
/// linalg.batch_matmul over the flattened batch.
Value equalBatches(PatternRewriter &rw, Location loc, const MatMulPlan &p) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < p.ra - 2; ++i)
    groups[0].push_back(i);
  groups.push_back({p.ra - 2});
  groups.push_back({p.ra - 1});
  Value a3 = tensor::CollapseShapeOp::create(rw, loc, p.a, groups);
  Value b3 = tensor::CollapseShapeOp::create(rw, loc, p.b, groups);
  auto a3t = llvm::cast<RankedTensorType>(a3.getType());
  auto b3t = llvm::cast<RankedTensorType>(b3.getType());
  auto r3t = RankedTensorType::get(
      {a3t.getDimSize(0), a3t.getDimSize(1), b3t.getDimSize(2)},
      p.rt.getElementType());
  SmallVector<OpFoldResult> sizes3 = {rw.getIndexAttr(a3t.getDimSize(0)),
                                      tensor::getMixedSize(rw, loc, a3, 1),
                                      tensor::getMixedSize(rw, loc, b3, 2)};
  Value mm = linalg::BatchMatmulOp::create(
                 rw, loc, TypeRange{r3t}, ValueRange{a3, b3},
                 ValueRange{zeroFilled(rw, loc, r3t, sizes3)})
                 .getResult(0);
  return expandBack(rw, loc, p, mm, groups);
}

/// The general product's layout: loops over the result dims (batch...,
/// [M], [N]) plus k; 1-D A has no M dim, 1-D B no N dim (numpy matmul).
struct GeneralMatMul {
  bool aVec, bVec;
  int64_t batch;

  explicit GeneralMatMul(const MatMulPlan &p)
      : aVec(p.ra == 1), bVec(p.rb == 1),
        batch(p.rr - (p.ra == 1 ? 0 : 1) - (p.rb == 1 ? 0 : 1)) {}

  /// The indexing maps of A, B and the result.
  SmallVector<AffineMap> maps(MLIRContext *ctx, const MatMulPlan &p) const {
    int64_t rr = p.rr, nLoops = rr + 1;
    AffineExpr k = getAffineDimExpr(rr, ctx);
    AffineExpr mExpr = aVec ? AffineExpr() : getAffineDimExpr(batch, ctx);
    AffineExpr nExpr =
        bVec ? AffineExpr() : getAffineDimExpr(batch + (aVec ? 0 : 1), ctx);
    auto batchExprs = [&](RankedTensorType t, int64_t matDims) {
      SmallVector<AffineExpr> es;
      int64_t tb = t.getRank() - matDims;
      for (int64_t i = 0; i < tb; ++i) {
        int64_t r = batch - tb + i;
        es.push_back(t.getDimSize(i) == 1 && p.rt.getDimSize(r) != 1
                         ? getAffineConstantExpr(0, ctx)
                         : getAffineDimExpr(r, ctx));
      }
      return es;
    };
    SmallVector<AffineExpr> aEs =
        aVec ? SmallVector<AffineExpr>{} : batchExprs(p.at, 2);
    if (!aVec)
      aEs.push_back(mExpr);
    aEs.push_back(k);
    SmallVector<AffineExpr> bEs =
        bVec ? SmallVector<AffineExpr>{} : batchExprs(p.bt, 2);
    bEs.push_back(k);
    if (!bVec)
      bEs.push_back(nExpr);
    return {AffineMap::get(nLoops, 0, aEs, ctx),
            AffineMap::get(nLoops, 0, bEs, ctx),
            AffineMap::get(
                nLoops, 0,
                llvm::to_vector(llvm::map_range(
                    llvm::seq<int64_t>(0, rr),
                    [&](int64_t i) { return getAffineDimExpr(i, ctx); })),
                ctx)};
  }

  /// Result sizes: batch dims from either operand, M from A, N from B.
  SmallVector<OpFoldResult> sizes(PatternRewriter &rw, Location loc,
                                  const MatMulPlan &p) const {
    const RankedTensorType &at = p.at, &bt = p.bt, &rt = p.rt;
    int64_t ra = p.ra, rb = p.rb, rr = p.rr;
    SmallVector<OpFoldResult> sizes;
    for (int64_t r = 0; r < rr; ++r) {
      if (!rt.isDynamicDim(r)) {
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(r)));
        continue;
      }
      if (!aVec && r == batch) {
        sizes.push_back(tensor::getMixedSize(rw, loc, p.a, ra - 2));
        continue;
      }
      if (!bVec && r == rr - 1) {
        sizes.push_back(tensor::getMixedSize(rw, loc, p.b, rb - 1));
        continue;
      }
      int64_t ia = r - (batch - (ra - (aVec ? 1 : 2)));
      int64_t ib = r - (batch - (rb - (bVec ? 1 : 2)));
      // A static size other than 1 decides; else the larger run-time one.
      bool aHas = ia >= 0 && !aVec, bHas = ib >= 0 && !bVec;
      if (aHas && !at.isDynamicDim(ia) && at.getDimSize(ia) != 1)
        sizes.push_back(rw.getIndexAttr(at.getDimSize(ia)));
      else if (bHas && !bt.isDynamicDim(ib) && bt.getDimSize(ib) != 1)
        sizes.push_back(rw.getIndexAttr(bt.getDimSize(ib)));
      else if (aHas && at.isDynamicDim(ia) && bHas && bt.isDynamicDim(ib))
        sizes.push_back(Value(arith::MaxSIOp::create(
            rw, loc, tensor::DimOp::create(rw, loc, p.a, ia),
            tensor::DimOp::create(rw, loc, p.b, ib))));
      else if (aHas && at.isDynamicDim(ia))
        sizes.push_back(tensor::getMixedSize(rw, loc, p.a, ia));
      else
        sizes.push_back(tensor::getMixedSize(rw, loc, p.b, ib));
    }
    return sizes;
  }

  /// The result sizes an operand's dynamic batch dims broadcast to (they
  /// may be 1 at run time while the result's are not).
  SmallVector<OpFoldResult> batchTargets(RankedTensorType t, bool vec,
                                         const MatMulPlan &p,
                                         ArrayRef<OpFoldResult> sizes) const {
    SmallVector<OpFoldResult> targets(t.getRank(), OpFoldResult());
    if (vec)
      return targets;
    int64_t tb = t.getRank() - 2;
    for (int64_t i = 0; i < tb; ++i)
      if (p.rt.getDimSize(batch - tb + i) != 1)
        targets[i] = sizes[batch - tb + i];
    return targets;
  }
};

/// The general case: one linalg.generic with numpy-broadcast batch dims
/// and 1-D operands.
Value generalMatMul(PatternRewriter &rw, Location loc, const MatMulPlan &p) {
  GeneralMatMul g(p);
  SmallVector<AffineMap> maps = g.maps(rw.getContext(), p);
  SmallVector<OpFoldResult> sizes = g.sizes(rw, loc, p);
  Value a =
      expandDynamicDims(rw, loc, p.a, g.batchTargets(p.at, g.aVec, p, sizes));
  Value b =
      expandDynamicDims(rw, loc, p.b, g.batchTargets(p.bt, g.bVec, p, sizes));
  Value init = zeroFilled(rw, loc, p.rt, sizes);
  SmallVector<utils::IteratorType> iters(p.rr, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto gen = linalg::GenericOp::create(
      rw, loc, TypeRange{p.rt}, ValueRange{a, b}, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange x) {
        Value m = arith::MulFOp::create(nb, l, x[0], x[1]);
        linalg::YieldOp::create(nb, l,
                                Value(arith::AddFOp::create(nb, l, x[2], m)));
      });
  return gen.getResult(0);
}

/// MatMul: 2-D as linalg.matmul; batched A times a matrix, and equal
/// static batches, as one matmul / batch_matmul on collapsed operands;
/// everything else as one generic.
struct MatMulToLinalg : OpRewritePattern<onnxir::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::MatMulOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MatMulPlan p{op.getA(), op.getB()};
    p.at = llvm::dyn_cast<RankedTensorType>(p.a.getType());
    p.bt = llvm::dyn_cast<RankedTensorType>(p.b.getType());
    p.rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!p.at || !p.bt || !p.rt || !llvm::isa<FloatType>(p.rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    p.ra = p.at.getRank();
    p.rb = p.bt.getRank();
    p.rr = p.rt.getRank();
    rw.replaceOp(op, build(rw, loc, p));
    return success();
  }

  static Value build(PatternRewriter &rw, Location loc, const MatMulPlan &p) {
    int64_t ra = p.ra, rb = p.rb;
    if (ra == 2 && rb == 2) {
      SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, loc, p.a, 0),
                                         tensor::getMixedSize(rw, loc, p.b, 1)};
      Value init = zeroFilled(rw, loc, p.rt, sizes);
      return linalg::MatmulOp::create(rw, loc, TypeRange{p.rt},
                                      ValueRange{p.a, p.b}, ValueRange{init})
          .getResult(0);
    }
    // Only with at most one dynamic dim among A's leading dims: expanding a
    // group with two dynamic dims back is not handled downstream
    // (expand-strided-metadata crashes on it in MLIR 22).
    int64_t dynLeading =
        llvm::count_if(p.at.getShape().drop_back(), ShapedType::isDynamic);
    if (ra >= 3 && rb == 2 && dynLeading <= 1)
      return batchTimesMatrix(rw, loc, p);
    if (ra >= 3 && ra == rb &&
        p.at.getShape().drop_back(2) == p.bt.getShape().drop_back(2) &&
        llvm::none_of(p.at.getShape().drop_back(2), ShapedType::isDynamic))
      return equalBatches(rw, loc, p);
    return generalMatMul(rw, loc, p);
  }
};

struct GemmToLinalg : OpRewritePattern<onnxir::GemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::GemmOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    auto at = llvm::dyn_cast<RankedTensorType>(op.getA().getType());
    if (!rt || !at || rt.getRank() != 2 ||
        !llvm::isa<FloatType>(rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs 2-D float tensors");
    bool ta = op.getTransA() != 0, tb = op.getTransB() != 0;
    float alpha = op.getAlpha().convertToFloat(),
          beta = op.getBeta().convertToFloat();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto map3 = [&](AffineExpr x, AffineExpr y) {
      return AffineMap::get(3, 0, {x, y}, ctx);
    };
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rw, loc, op.getA(), ta ? 1 : 0),
        tensor::getMixedSize(rw, loc, op.getB(), tb ? 0 : 1)};
    Type elem = rt.getElementType();
    Value init = zeroFilled(rw, loc, rt, sizes);
    SmallVector<utils::IteratorType> iters = {utils::IteratorType::parallel,
                                              utils::IteratorType::parallel,
                                              utils::IteratorType::reduction};
    Value ab = linalg::GenericOp::create(
                   rw, loc, TypeRange{rt}, ValueRange{op.getA(), op.getB()},
                   ValueRange{init},
                   {ta ? map3(k, m) : map3(m, k), tb ? map3(n, k) : map3(k, n),
                    map3(m, n)},
                   iters,
                   [&](OpBuilder &b, Location l, ValueRange x) {
                     Value p = arith::MulFOp::create(b, l, x[0], x[1]);
                     linalg::YieldOp::create(
                         b, l, Value(arith::AddFOp::create(b, l, x[2], p)));
                   })
                   .getResult(0);
    // alpha * AB + beta * C (C broadcast).
    SmallVector<Value> ins = {ab};
    SmallVector<AffineMap> maps = {rw.getMultiDimIdentityMap(2)};
    Value c = op.getC();
    bool hasC = !isNone(c) && beta != 0.0f;
    if (hasC) {
      auto ct = llvm::dyn_cast<RankedTensorType>(c.getType());
      if (!ct)
        return rw.notifyMatchFailure(op, "unranked C");
      ins.push_back(expandDynamicBroadcast(rw, loc, c, rt, sizes));
      maps.push_back(broadcastMap(ctx, ct, rt));
    }
    maps.push_back(rw.getMultiDimIdentityMap(2));
    SmallVector<utils::IteratorType> par(2, utils::IteratorType::parallel);
    Value out = linalg::GenericOp::create(
                    rw, loc, TypeRange{rt}, ins,
                    ValueRange{emptyTensor(rw, loc, rt, sizes)}, maps, par,
                    [&](OpBuilder &b, Location l, ValueRange x) {
                      Value v = arith::MulFOp::create(
                          b, l, x[0], scalarConst(b, l, elem, alpha));
                      if (hasC)
                        v = arith::AddFOp::create(
                            b, l, v,
                            arith::MulFOp::create(
                                b, l, x[1], scalarConst(b, l, elem, beta)));
                      linalg::YieldOp::create(b, l, v);
                    })
                    .getResult(0);
    rw.replaceOp(op, out);
    return success();
  }
};

/// Einsum's labels: letters as themselves; ellipsis dim k (of E) as
/// 256 + k. Per operand its labels, then the output's, then the loop dims
/// (the output's labels, then the reduced ones in order of appearance).
struct EinsumPlan {
  SmallVector<SmallVector<int>> labels;
  SmallVector<int> outLabels, loopLabels;

  unsigned dimOf(int lb) const {
    return static_cast<unsigned>(llvm::find(loopLabels, lb) -
                                 loopLabels.begin());
  }
};

/// The number of dims `...` stands for in `term` of an operand of `rank`.
int64_t ellipsisCount(const std::string &term, int64_t rank) {
  size_t letters = 0;
  for (char ch : term)
    letters += std::isalpha(static_cast<unsigned char>(ch)) ? 1 : 0;
  return rank - static_cast<int64_t>(letters);
}

/// `term`'s labels, its `...` standing for the last `e` of the
/// `numEllipsis` ellipsis dims.
SmallVector<int> expandTerm(const std::string &term, int64_t e,
                            int64_t numEllipsis) {
  SmallVector<int> out;
  for (size_t j = 0; j < term.size(); ++j) {
    if (term.compare(j, 3, "...") == 0) {
      for (int64_t k = numEllipsis - e; k < numEllipsis; ++k)
        out.push_back(256 + k);
      j += 2;
    } else {
      out.push_back(static_cast<unsigned char>(term[j]));
    }
  }
  return out;
}

/// Parses the equation against the operands' and result's ranks.
LogicalResult parseEinsum(onnxir::EinsumOp op, PatternRewriter &rw,
                          RankedTensorType rt, EinsumPlan &plan) {
  std::string eq;
  for (char ch : op.getEquation())
    if (ch != ' ')
      eq.push_back(ch);
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  SmallVector<std::string> terms;
  for (StringRef term : llvm::split(StringRef(lhs), ','))
    terms.push_back(term.str());
  ValueRange ins = op->getOperands();
  if (terms.size() != ins.size())
    return rw.notifyMatchFailure(op, "equation does not match the inputs");
  int64_t numEllipsis = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    auto t = llvm::dyn_cast<RankedTensorType>(ins[i].getType());
    if (!t)
      return rw.notifyMatchFailure(op, "unranked input");
    if (terms[i].find("...") != std::string::npos)
      numEllipsis = std::max(numEllipsis, ellipsisCount(terms[i], t.getRank()));
  }
  for (size_t i = 0; i < ins.size(); ++i) {
    auto t = llvm::cast<RankedTensorType>(ins[i].getType());
    int64_t e = terms[i].find("...") != std::string::npos
                    ? ellipsisCount(terms[i], t.getRank())
                    : 0;
    plan.labels.push_back(expandTerm(terms[i], e, numEllipsis));
    if (static_cast<int64_t>(plan.labels.back().size()) != t.getRank())
      return rw.notifyMatchFailure(op, "term does not match the rank");
  }
  if (arrow != std::string::npos) {
    plan.outLabels = expandTerm(eq.substr(arrow + 2), numEllipsis, numEllipsis);
  } else {
    // Without `->`: `...`, then the labels seen once, sorted.
    for (int64_t k = 0; k < numEllipsis; ++k)
      plan.outLabels.push_back(256 + k);
    std::map<int, int> count;
    for (auto &ls : plan.labels)
      for (int lb : ls)
        if (lb < 256)
          ++count[lb];
    for (auto &[lb, n] : count)
      if (n == 1)
        plan.outLabels.push_back(lb);
  }
  if (static_cast<int64_t>(plan.outLabels.size()) != rt.getRank())
    return rw.notifyMatchFailure(op, "output term does not match the rank");
  plan.loopLabels = plan.outLabels;
  for (auto &ls : plan.labels)
    for (int lb : ls)
      if (!llvm::is_contained(plan.loopLabels, lb))
        plan.loopLabels.push_back(lb);
  return success();
}

/// Einsum as one linalg.generic: each label is a loop dim (the output's
/// labels first, parallel; the others reduced), each operand's map lists
/// its labels (a label repeated in one operand reads its diagonal). `...`
/// stands for the same trailing-aligned broadcast dims in every operand;
/// without `->` the output is `...` then the labels seen once, sorted.
struct EinsumToLinalg : OpRewritePattern<onnxir::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::EinsumOp op,
                                PatternRewriter &rw) const override {
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt)
      return rw.notifyMatchFailure(op, "unranked result");
    EinsumPlan plan;
    if (failed(parseEinsum(op, rw, rt, plan)))
      return failure();
    rw.replaceOp(op, build(rw, op.getLoc(), op->getOperands(), rt, plan));
    return success();
  }

  static Value build(PatternRewriter &rw, Location loc, ValueRange ins,
                     RankedTensorType rt, const EinsumPlan &plan) {
    MLIRContext *ctx = rw.getContext();
    const SmallVector<SmallVector<int>> &labels = plan.labels;
    const SmallVector<int> &outLabels = plan.outLabels;
    size_t numLoops = plan.loopLabels.size();
    // A label's size: from an operand where it is not a static 1.
    auto sizeOf = [&](int lb) -> OpFoldResult {
      OpFoldResult one = rw.getIndexAttr(1);
      for (size_t i = 0; i < ins.size(); ++i) {
        auto t = llvm::cast<RankedTensorType>(ins[i].getType());
        for (size_t j = 0; j < labels[i].size(); ++j)
          if (labels[i][j] == lb && t.getDimSize(j) != 1)
            return tensor::getMixedSize(rw, loc, ins[i], j);
      }
      return one;
    };
    SmallVector<AffineMap> maps;
    for (size_t i = 0; i < ins.size(); ++i) {
      auto t = llvm::cast<RankedTensorType>(ins[i].getType());
      SmallVector<AffineExpr> exprs;
      for (size_t j = 0; j < labels[i].size(); ++j) {
        int lb = labels[i][j];
        // A broadcast ellipsis dim (static 1 here, larger elsewhere).
        bool bcast =
            lb >= 256 && t.getDimSize(j) == 1 &&
            getConstantIntValue(sizeOf(lb)) != std::optional<int64_t>(1);
        exprs.push_back(bcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(plan.dimOf(lb), ctx));
      }
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    SmallVector<OpFoldResult> sizes;
    for (size_t j = 0; j < outLabels.size(); ++j) {
      outExprs.push_back(getAffineDimExpr(j, ctx));
      sizes.push_back(rt.isDynamicDim(j) ? sizeOf(outLabels[j])
                                         : rw.getIndexAttr(rt.getDimSize(j)));
    }
    maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iters(numLoops,
                                           utils::IteratorType::reduction);
    for (size_t j = 0; j < outLabels.size(); ++j)
      iters[j] = utils::IteratorType::parallel;
    Type elem = rt.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    Value init = linalg::FillOp::create(rw, loc, scalarConst(rw, loc, elem, 0),
                                        emptyTensor(rw, loc, rt, sizes))
                     .getResult(0);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value p = a[0];
          for (size_t i = 1; i < ins.size(); ++i)
            p = isFloat ? Value(arith::MulFOp::create(b, l, p, a[i]))
                        : Value(arith::MulIOp::create(b, l, p, a[i]));
          Value acc = a.back();
          linalg::YieldOp::create(
              b, l,
              isFloat ? Value(arith::AddFOp::create(b, l, acc, p))
                      : Value(arith::AddIOp::create(b, l, acc, p)));
        });
    return g.getResult(0);
  }
};

/// The index constants and sizes Det's loops share.
struct DetLoops {
  Value zero, one, m;
  Type elem;
};

/// The row at or below k of `mat` with the largest |a[i, k]|.
Value pivotRow(OpBuilder &kb, Location kl, const DetLoops &d, Value mat,
               Value k) {
  auto at = [&](OpBuilder &ob, Value i, Value j) -> Value {
    return tensor::ExtractOp::create(ob, kl, mat, ValueRange{i, j});
  };
  auto piv = scf::ForOp::create(
      kb, kl, arith::AddIOp::create(kb, kl, k, d.one), d.m, d.one,
      ValueRange{k, math::AbsFOp::create(kb, kl, at(kb, k, k))},
      [&](OpBuilder &pb, Location pl, Value i, ValueRange pIt) {
        Value v = math::AbsFOp::create(pb, pl, at(pb, i, k));
        Value better =
            arith::CmpFOp::create(pb, pl, arith::CmpFPredicate::OGT, v, pIt[1]);
        scf::YieldOp::create(
            pb, pl,
            ValueRange{arith::SelectOp::create(pb, pl, better, i, pIt[0]),
                       arith::SelectOp::create(pb, pl, better, v, pIt[1])});
      });
  return piv.getResult(0);
}

/// `mat` with rows k and p swapped (a no-op when p == k).
Value swapRows(OpBuilder &kb, Location kl, const DetLoops &d, Value mat,
               Value k, Value p) {
  auto swap = scf::ForOp::create(
      kb, kl, d.zero, d.m, d.one, ValueRange{mat},
      [&](OpBuilder &sb, Location sl, Value j, ValueRange sIt) {
        Value vk = tensor::ExtractOp::create(sb, sl, sIt[0], ValueRange{k, j});
        Value vp = tensor::ExtractOp::create(sb, sl, sIt[0], ValueRange{p, j});
        Value s1 =
            tensor::InsertOp::create(sb, sl, vp, sIt[0], ValueRange{k, j});
        Value s2 = tensor::InsertOp::create(sb, sl, vk, s1, ValueRange{p, j});
        scf::YieldOp::create(sb, sl, s2);
      });
  return swap.getResult(0);
}

/// Rows k+1.. of `mat` minus their multiple of row k that zeroes column k
/// (pivot pv).
Value eliminateBelow(OpBuilder &tb, Location tl, const DetLoops &d, Value mat,
                     Value k, Value pv) {
  Value k1 = arith::AddIOp::create(tb, tl, k, d.one);
  auto rows = scf::ForOp::create(
      tb, tl, k1, d.m, d.one, ValueRange{mat},
      [&](OpBuilder &ib, Location il, Value i, ValueRange iIt) {
        Value f = arith::DivFOp::create(
            ib, il, tensor::ExtractOp::create(ib, il, iIt[0], ValueRange{i, k}),
            pv);
        auto cols = scf::ForOp::create(
            ib, il, k1, d.m, d.one, ValueRange{iIt[0]},
            [&](OpBuilder &jb, Location jl, Value j, ValueRange jIt) {
              Value aij =
                  tensor::ExtractOp::create(jb, jl, jIt[0], ValueRange{i, j});
              Value akj =
                  tensor::ExtractOp::create(jb, jl, jIt[0], ValueRange{k, j});
              Value v = arith::SubFOp::create(
                  jb, jl, aij, arith::MulFOp::create(jb, jl, f, akj));
              scf::YieldOp::create(jb, jl,
                                   Value(tensor::InsertOp::create(
                                       jb, jl, v, jIt[0], ValueRange{i, j})));
            });
        scf::YieldOp::create(ib, il, cols.getResults());
      });
  return rows.getResult(0);
}

/// One step k of the elimination on (mat, det): pivot, swap, multiply the
/// determinant by the pivot, eliminate below it unless it is zero.
SmallVector<Value> luStep(OpBuilder &kb, Location kl, const DetLoops &d,
                          Value k, ValueRange kIt) {
  Value mat = kIt[0], det = kIt[1];
  Value p = pivotRow(kb, kl, d, mat, k);
  mat = swapRows(kb, kl, d, mat, k, p);
  Value swapped = arith::CmpIOp::create(kb, kl, arith::CmpIPredicate::ne, p, k);
  det = arith::SelectOp::create(kb, kl, swapped,
                                arith::NegFOp::create(kb, kl, det), det);
  Value pv = tensor::ExtractOp::create(kb, kl, mat, ValueRange{k, k});
  det = arith::MulFOp::create(kb, kl, det, pv);
  Value nonzero = arith::CmpFOp::create(kb, kl, arith::CmpFPredicate::UNE, pv,
                                        scalarConst(kb, kl, d.elem, 0));
  auto elim = scf::IfOp::create(
      kb, kl, nonzero,
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(tb, tl, eliminateBelow(tb, tl, d, mat, k, pv));
      },
      [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, mat); });
  return {elim.getResult(0), det};
}

/// Det of (..., M, M): per matrix (an scf.for over the batch elements), LU
/// elimination with partial pivoting on a copy of the matrix; the
/// determinant is the product of the pivots, negated per row swap. A zero
/// pivot column makes it 0 (the elimination step is skipped then).
struct DetToLinalg : OpRewritePattern<onnxir::DetOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::DetOp op,
                                PatternRewriter &rw) const override {
    Location l = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt || t.getRank() < 2 ||
        !llvm::isa<FloatType>(t.getElementType()) ||
        rt.getRank() != t.getRank() - 2)
      return rw.notifyMatchFailure(op, "needs a float (..., M, M) tensor");
    int64_t r = t.getRank(), nb = r - 2;
    Type elem = t.getElementType();
    Value zero = indexConst(rw, l, 0), one = indexConst(rw, l, 1);
    Value m = tensor::DimOp::create(rw, l, x, r - 1);
    DetLoops d{zero, one, m, elem};
    SmallVector<OpFoldResult> outSizes;
    SmallVector<Value> batchDims;
    Value count = one;
    for (int64_t i = 0; i < nb; ++i) {
      Value dim = tensor::DimOp::create(rw, l, x, i);
      batchDims.push_back(dim);
      outSizes.push_back(tensor::getMixedSize(rw, l, x, i));
      count = arith::MulIOp::create(rw, l, count, dim);
    }
    auto outType = RankedTensorType::get(t.getShape().drop_back(2), elem);
    Value out = emptyTensor(rw, l, outType, outSizes);
    auto matType = RankedTensorType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic}, elem);
    auto loop = scf::ForOp::create(
        rw, l, zero, count, one, ValueRange{out},
        [&](OpBuilder &b, Location nl, Value flat, ValueRange outIt) {
          // The batch indices of `flat` (row-major).
          SmallVector<Value> bi(nb);
          Value rest = flat;
          for (int64_t i = nb - 1; i >= 0; --i) {
            bi[i] = arith::RemUIOp::create(b, nl, rest, batchDims[i]);
            rest = arith::DivUIOp::create(b, nl, rest, batchDims[i]);
          }
          SmallVector<OpFoldResult> offs, sizes, strides(r, b.getIndexAttr(1));
          for (int64_t i = 0; i < nb; ++i) {
            offs.push_back(bi[i]);
            sizes.push_back(b.getIndexAttr(1));
          }
          offs.append({b.getIndexAttr(0), b.getIndexAttr(0)});
          sizes.append({m, m});
          Value a = tensor::ExtractSliceOp::create(b, nl, matType, x, offs,
                                                   sizes, strides);
          // A private copy to eliminate in place.
          Value copy =
              tensor::EmptyOp::create(b, nl, matType, ValueRange{m, m});
          a = linalg::CopyOp::create(b, nl, a, copy).getResult(0);
          Value det0 = scalarConst(b, nl, elem, 1);
          auto kLoop = scf::ForOp::create(
              b, nl, zero, m, one, ValueRange{a, det0},
              [&](OpBuilder &kb, Location kl, Value k, ValueRange kIt) {
                scf::YieldOp::create(kb, kl, luStep(kb, kl, d, k, kIt));
              });
          Value res =
              tensor::InsertOp::create(b, nl, kLoop.getResult(1), outIt[0], bi);
          scf::YieldOp::create(b, nl, res);
        });
    rw.replaceOp(op, castIfNeeded(rw, l, loop.getResult(0), rt));
    return success();
  }
};

} // namespace

void seqc::populateOnnxMatMulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulToLinalg, GemmToLinalg, EinsumToLinalg, DetToLinalg>(
      patterns.getContext());
}
