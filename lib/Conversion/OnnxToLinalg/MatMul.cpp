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

struct MatMulToLinalg : OpRewritePattern<onnxir::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::MatMulOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value a = op.getA(), b = op.getB();
    auto at = llvm::dyn_cast<RankedTensorType>(a.getType());
    auto bt = llvm::dyn_cast<RankedTensorType>(b.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!at || !bt || !rt || !llvm::isa<FloatType>(rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    int64_t ra = at.getRank(), rb = bt.getRank(), rr = rt.getRank();
    if (ra == 2 && rb == 2) {
      SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, loc, a, 0),
                                         tensor::getMixedSize(rw, loc, b, 1)};
      Value init = zeroFilled(rw, loc, rt, sizes);
      Value mm = linalg::MatmulOp::create(rw, loc, TypeRange{rt},
                                          ValueRange{a, b}, ValueRange{init})
                     .getResult(0);
      rw.replaceOp(op, mm);
      return success();
    }
    // A product computed on collapsed operands, expanded back to the
    // result: A's leading dims, then B's last.
    auto expandBack = [&](Value flat,
                          ArrayRef<ReassociationIndices> groups) -> Value {
      SmallVector<OpFoldResult> sizes;
      SmallVector<int64_t> shape;
      for (int64_t i = 0; i < ra - 1; ++i) {
        sizes.push_back(tensor::getMixedSize(rw, loc, a, i));
        shape.push_back(at.getDimSize(i));
      }
      sizes.push_back(tensor::getMixedSize(rw, loc, b, rb - 1));
      shape.push_back(bt.getDimSize(rb - 1));
      Value out = tensor::ExpandShapeOp::create(
          rw, loc, RankedTensorType::get(shape, rt.getElementType()), flat,
          groups, sizes);
      return castIfNeeded(rw, loc, out, rt);
    };
    // Batched A times a matrix B: fold A's batch dims into M, so the
    // product is one 2-D linalg.matmul (the form the codegen strategy takes).
    // Only with at most one dynamic dim among them: expanding a group with
    // two dynamic dims back is not handled downstream (expand-strided-metadata
    // crashes on it in MLIR 22).
    int64_t dynLeading = llvm::count_if(at.getShape().drop_back(),
                                        ShapedType::isDynamic);
    if (ra >= 3 && rb == 2 && dynLeading <= 1) {
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < ra - 1; ++i)
        groups[0].push_back(i);
      groups.push_back({ra - 1});
      Value a2 = tensor::CollapseShapeOp::create(rw, loc, a, groups);
      auto a2t = llvm::cast<RankedTensorType>(a2.getType());
      auto r2t = RankedTensorType::get({a2t.getDimSize(0), bt.getDimSize(1)},
                                       rt.getElementType());
      SmallVector<OpFoldResult> sizes2 = {tensor::getMixedSize(rw, loc, a2, 0),
                                          tensor::getMixedSize(rw, loc, b, 1)};
      Value mm = linalg::MatmulOp::create(
                     rw, loc, TypeRange{r2t}, ValueRange{a2, b},
                     ValueRange{zeroFilled(rw, loc, r2t, sizes2)})
                     .getResult(0);
      rw.replaceOp(op, expandBack(mm, groups));
      return success();
    }
    // Equal batch dims on both sides (attention's QK^T and AV): one
    // linalg.batch_matmul over the flattened batch.
    if (ra >= 3 && ra == rb &&
        at.getShape().drop_back(2) == bt.getShape().drop_back(2) &&
        llvm::none_of(at.getShape().drop_back(2), ShapedType::isDynamic)) {
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < ra - 2; ++i)
        groups[0].push_back(i);
      groups.push_back({ra - 2});
      groups.push_back({ra - 1});
      Value a3 = tensor::CollapseShapeOp::create(rw, loc, a, groups);
      Value b3 = tensor::CollapseShapeOp::create(rw, loc, b, groups);
      auto a3t = llvm::cast<RankedTensorType>(a3.getType());
      auto b3t = llvm::cast<RankedTensorType>(b3.getType());
      auto r3t = RankedTensorType::get(
          {a3t.getDimSize(0), a3t.getDimSize(1), b3t.getDimSize(2)},
          rt.getElementType());
      SmallVector<OpFoldResult> sizes3 = {
          rw.getIndexAttr(a3t.getDimSize(0)),
          tensor::getMixedSize(rw, loc, a3, 1),
          tensor::getMixedSize(rw, loc, b3, 2)};
      Value mm = linalg::BatchMatmulOp::create(
                     rw, loc, TypeRange{r3t}, ValueRange{a3, b3},
                     ValueRange{zeroFilled(rw, loc, r3t, sizes3)})
                     .getResult(0);
      rw.replaceOp(op, expandBack(mm, groups));
      return success();
    }
    // General case: loops over the result dims plus k. 1-D A has no M dim,
    // 1-D B no N dim (numpy matmul).
    MLIRContext *ctx = rw.getContext();
    int64_t nLoops = rr + 1;
    AffineExpr k = getAffineDimExpr(rr, ctx);
    bool aVec = ra == 1, bVec = rb == 1;
    // Result layout: batch..., [M], [N].
    int64_t batch = rr - (aVec ? 0 : 1) - (bVec ? 0 : 1);
    AffineExpr mExpr = aVec ? AffineExpr() : getAffineDimExpr(batch, ctx);
    AffineExpr nExpr =
        bVec ? AffineExpr() : getAffineDimExpr(batch + (aVec ? 0 : 1), ctx);
    auto batchExprs = [&](RankedTensorType t, int64_t matDims) {
      SmallVector<AffineExpr> es;
      int64_t tb = t.getRank() - matDims;
      for (int64_t i = 0; i < tb; ++i) {
        int64_t r = batch - tb + i;
        es.push_back(t.getDimSize(i) == 1 && rt.getDimSize(r) != 1
                         ? getAffineConstantExpr(0, ctx)
                         : getAffineDimExpr(r, ctx));
      }
      return es;
    };
    SmallVector<AffineExpr> aEs = aVec ? SmallVector<AffineExpr>{}
                                       : batchExprs(at, 2);
    if (!aVec)
      aEs.push_back(mExpr);
    aEs.push_back(k);
    SmallVector<AffineExpr> bEs = bVec ? SmallVector<AffineExpr>{}
                                       : batchExprs(bt, 2);
    bEs.push_back(k);
    if (!bVec)
      bEs.push_back(nExpr);
    SmallVector<AffineMap> maps = {
        AffineMap::get(nLoops, 0, aEs, ctx), AffineMap::get(nLoops, 0, bEs, ctx),
        AffineMap::get(nLoops, 0,
                       llvm::to_vector(llvm::map_range(
                           llvm::seq<int64_t>(0, rr),
                           [&](int64_t i) { return getAffineDimExpr(i, ctx); })),
                       ctx)};
    // Result sizes: batch dims from either operand, M from A, N from B.
    SmallVector<OpFoldResult> sizes;
    for (int64_t r = 0; r < rr; ++r) {
      if (!rt.isDynamicDim(r)) {
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(r)));
        continue;
      }
      if (!aVec && r == batch)
        sizes.push_back(tensor::getMixedSize(rw, loc, a, ra - 2));
      else if (!bVec && r == rr - 1)
        sizes.push_back(tensor::getMixedSize(rw, loc, b, rb - 1));
      else {
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
              rw, loc, tensor::DimOp::create(rw, loc, a, ia),
              tensor::DimOp::create(rw, loc, b, ib))));
        else if (aHas && at.isDynamicDim(ia))
          sizes.push_back(tensor::getMixedSize(rw, loc, a, ia));
        else
          sizes.push_back(tensor::getMixedSize(rw, loc, b, ib));
      }
    }
    // Dynamic batch dims may be 1 at run time while the result's are not.
    auto batchTargets = [&](RankedTensorType t, bool vec) {
      SmallVector<OpFoldResult> targets(t.getRank(), OpFoldResult());
      if (vec)
        return targets;
      int64_t tb = t.getRank() - 2;
      for (int64_t i = 0; i < tb; ++i)
        if (rt.getDimSize(batch - tb + i) != 1)
          targets[i] = sizes[batch - tb + i];
      return targets;
    };
    a = expandDynamicDims(rw, loc, a, batchTargets(at, aVec));
    b = expandDynamicDims(rw, loc, b, batchTargets(bt, bVec));
    Value init = zeroFilled(rw, loc, rt, sizes);
    SmallVector<utils::IteratorType> iters(rr, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{a, b}, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location l, ValueRange x) {
          Value m = arith::MulFOp::create(nb, l, x[0], x[1]);
          linalg::YieldOp::create(nb, l,
                                  Value(arith::AddFOp::create(nb, l, x[2], m)));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
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
    bool ta = intAttr(op, "transA", 0), tb = intAttr(op, "transB", 0);
    float alpha = floatAttr(op, "alpha", 1.0f), beta = floatAttr(op, "beta", 1.0f);
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

/// Einsum as one linalg.generic: each label is a loop dim (the output's
/// labels first, parallel; the others reduced), each operand's map lists
/// its labels (a label repeated in one operand reads its diagonal). `...`
/// stands for the same trailing-aligned broadcast dims in every operand;
/// without `->` the output is `...` then the labels seen once, sorted.
struct EinsumToLinalg : OpRewritePattern<onnxir::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::EinsumOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt)
      return rw.notifyMatchFailure(op, "unranked result");
    std::string eq;
    for (char ch : strAttr(op, "equation", ""))
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
    // Labels: letters as themselves; ellipsis dim k (of E) as 256 + k.
    auto ellipsisCount = [](const std::string &term, int64_t rank) {
      size_t letters = 0;
      for (char ch : term)
        letters += std::isalpha(static_cast<unsigned char>(ch)) ? 1 : 0;
      return rank - static_cast<int64_t>(letters);
    };
    int64_t numEllipsis = 0;
    SmallVector<SmallVector<int>> labels;
    for (size_t i = 0; i < ins.size(); ++i) {
      auto t = llvm::dyn_cast<RankedTensorType>(ins[i].getType());
      if (!t)
        return rw.notifyMatchFailure(op, "unranked input");
      if (terms[i].find("...") != std::string::npos)
        numEllipsis = std::max(numEllipsis, ellipsisCount(terms[i], t.getRank()));
    }
    auto expand = [&](const std::string &term, int64_t e) {
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
    };
    for (size_t i = 0; i < ins.size(); ++i) {
      auto t = llvm::cast<RankedTensorType>(ins[i].getType());
      int64_t e = terms[i].find("...") != std::string::npos
                      ? ellipsisCount(terms[i], t.getRank())
                      : 0;
      labels.push_back(expand(terms[i], e));
      if (static_cast<int64_t>(labels.back().size()) != t.getRank())
        return rw.notifyMatchFailure(op, "term does not match the rank");
    }
    SmallVector<int> outLabels;
    if (arrow != std::string::npos) {
      outLabels = expand(eq.substr(arrow + 2), numEllipsis);
    } else {
      for (int64_t k = 0; k < numEllipsis; ++k)
        outLabels.push_back(256 + k);
      std::map<int, int> count;
      for (auto &ls : labels)
        for (int lb : ls)
          if (lb < 256)
            ++count[lb];
      for (auto &[lb, n] : count)
        if (n == 1)
          outLabels.push_back(lb);
    }
    if (static_cast<int64_t>(outLabels.size()) != rt.getRank())
      return rw.notifyMatchFailure(op, "output term does not match the rank");
    // Loop dims: output labels, then the reduced ones in order of appearance.
    SmallVector<int> loopLabels(outLabels);
    for (auto &ls : labels)
      for (int lb : ls)
        if (!llvm::is_contained(loopLabels, lb))
          loopLabels.push_back(lb);
    auto dimOf = [&](int lb) {
      return static_cast<unsigned>(llvm::find(loopLabels, lb) - loopLabels.begin());
    };
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
        bool bcast = lb >= 256 && t.getDimSize(j) == 1 &&
                     getConstantIntValue(sizeOf(lb)) != std::optional<int64_t>(1);
        exprs.push_back(bcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(dimOf(lb), ctx));
      }
      maps.push_back(AffineMap::get(loopLabels.size(), 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    SmallVector<OpFoldResult> sizes;
    for (size_t j = 0; j < outLabels.size(); ++j) {
      outExprs.push_back(getAffineDimExpr(j, ctx));
      sizes.push_back(rt.isDynamicDim(j) ? sizeOf(outLabels[j])
                                         : rw.getIndexAttr(rt.getDimSize(j)));
    }
    maps.push_back(AffineMap::get(loopLabels.size(), 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iters(loopLabels.size(),
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
              b, l, isFloat ? Value(arith::AddFOp::create(b, l, acc, p))
                            : Value(arith::AddIOp::create(b, l, acc, p)));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

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
    SmallVector<OpFoldResult> outSizes;
    SmallVector<Value> batchDims;
    Value count = one;
    for (int64_t i = 0; i < nb; ++i) {
      Value d = tensor::DimOp::create(rw, l, x, i);
      batchDims.push_back(d);
      outSizes.push_back(tensor::getMixedSize(rw, l, x, i));
      count = arith::MulIOp::create(rw, l, count, d);
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
          Value copy = tensor::EmptyOp::create(b, nl, matType, ValueRange{m, m});
          a = linalg::CopyOp::create(b, nl, a, copy).getResult(0);
          Value det0 = scalarConst(b, nl, elem, 1);
          auto kLoop = scf::ForOp::create(
              b, nl, zero, m, one, ValueRange{a, det0},
              [&](OpBuilder &kb, Location kl, Value k, ValueRange kIt) {
                Value mat = kIt[0], det = kIt[1];
                auto at = [&](OpBuilder &ob, Value i, Value j) -> Value {
                  return tensor::ExtractOp::create(ob, kl, mat,
                                                   ValueRange{i, j});
                };
                // The row at or below k with the largest |a[i, k]|.
                auto piv = scf::ForOp::create(
                    kb, kl, arith::AddIOp::create(kb, kl, k, one), m, one,
                    ValueRange{k, math::AbsFOp::create(kb, kl, at(kb, k, k))},
                    [&](OpBuilder &pb, Location pl, Value i, ValueRange pIt) {
                      Value v = math::AbsFOp::create(pb, pl, at(pb, i, k));
                      Value better = arith::CmpFOp::create(
                          pb, pl, arith::CmpFPredicate::OGT, v, pIt[1]);
                      scf::YieldOp::create(
                          pb, pl,
                          ValueRange{
                              arith::SelectOp::create(pb, pl, better, i, pIt[0]),
                              arith::SelectOp::create(pb, pl, better, v,
                                                      pIt[1])});
                    });
                Value p = piv.getResult(0);
                // Swap rows k and p (a no-op when p == k).
                auto swap = scf::ForOp::create(
                    kb, kl, zero, m, one, ValueRange{mat},
                    [&](OpBuilder &sb, Location sl, Value j, ValueRange sIt) {
                      Value vk = tensor::ExtractOp::create(sb, sl, sIt[0],
                                                           ValueRange{k, j});
                      Value vp = tensor::ExtractOp::create(sb, sl, sIt[0],
                                                           ValueRange{p, j});
                      Value s1 = tensor::InsertOp::create(sb, sl, vp, sIt[0],
                                                          ValueRange{k, j});
                      Value s2 = tensor::InsertOp::create(sb, sl, vk, s1,
                                                          ValueRange{p, j});
                      scf::YieldOp::create(sb, sl, s2);
                    });
                mat = swap.getResult(0);
                Value swapped = arith::CmpIOp::create(
                    kb, kl, arith::CmpIPredicate::ne, p, k);
                det = arith::SelectOp::create(
                    kb, kl, swapped, arith::NegFOp::create(kb, kl, det), det);
                Value pv = at(kb, k, k);
                det = arith::MulFOp::create(kb, kl, det, pv);
                Value nonzero = arith::CmpFOp::create(
                    kb, kl, arith::CmpFPredicate::UNE, pv,
                    scalarConst(kb, kl, elem, 0));
                auto elim = scf::IfOp::create(
                    kb, kl, nonzero,
                    [&](OpBuilder &tb, Location tl) {
                      Value k1 = arith::AddIOp::create(tb, tl, k, one);
                      auto rows = scf::ForOp::create(
                          tb, tl, k1, m, one, ValueRange{mat},
                          [&](OpBuilder &ib, Location il, Value i,
                              ValueRange iIt) {
                            Value f = arith::DivFOp::create(
                                ib, il,
                                tensor::ExtractOp::create(ib, il, iIt[0],
                                                          ValueRange{i, k}),
                                pv);
                            auto cols = scf::ForOp::create(
                                ib, il, k1, m, one, ValueRange{iIt[0]},
                                [&](OpBuilder &jb, Location jl, Value j,
                                    ValueRange jIt) {
                                  Value aij = tensor::ExtractOp::create(
                                      jb, jl, jIt[0], ValueRange{i, j});
                                  Value akj = tensor::ExtractOp::create(
                                      jb, jl, jIt[0], ValueRange{k, j});
                                  Value v = arith::SubFOp::create(
                                      jb, jl, aij,
                                      arith::MulFOp::create(jb, jl, f, akj));
                                  scf::YieldOp::create(
                                      jb, jl,
                                      Value(tensor::InsertOp::create(
                                          jb, jl, v, jIt[0], ValueRange{i, j})));
                                });
                            scf::YieldOp::create(ib, il, cols.getResults());
                          });
                      scf::YieldOp::create(tb, tl, rows.getResults());
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, mat);
                    });
                scf::YieldOp::create(kb, kl,
                                     ValueRange{elim.getResult(0), det});
              });
          Value res = tensor::InsertOp::create(b, nl, kLoop.getResult(1),
                                               outIt[0], bi);
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
