//===- Reduction.cpp - Reductions, Softmax, LayerNorm to linalg -*- C++ -*-===//
//
// Reductions become a linalg.generic reducing into the keepdims=0 shape
// (followed by tensor.expand_shape for keepdims=1); Softmax, LogSoftmax and
// LayerNormalization are decomposed into reductions and elementwise generics
// with the numerically safe formulations (max subtracted before exp).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

using Combiner = function_ref<Value(OpBuilder &, Location, Value acc, Value x)>;

/// Reduces `x` over the dims in `reduced` (sorted) into a tensor without
/// them, starting from `init`.
Value reduceDims(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> reduced,
                 Value init, Combiner combine) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    bool red = llvm::is_contained(reduced, i);
    iters.push_back(red ? utils::IteratorType::reduction
                        : utils::IteratorType::parallel);
    if (red)
      continue;
    shape.push_back(t.getDimSize(i));
    sizes.push_back(tensor::getMixedSize(b, loc, x, i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  auto outType = RankedTensorType::get(shape, t.getElementType());
  Value acc = linalg::FillOp::create(b, loc, init,
                                     emptyTensor(b, loc, outType, sizes))
                  .getResult(0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{x}, ValueRange{acc},
             {b.getMultiDimIdentityMap(t.getRank()),
              AffineMap::get(t.getRank(), 0, outExprs, ctx)},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, combine(nb, l, a[1], a[0]));
             })
      .getResult(0);
}

/// Elementwise f(x, r) where r has x's shape without the `reduced` dims.
Value withReduced(OpBuilder &b, Location loc, Value x, Value r,
                  ArrayRef<int64_t> reduced,
                  function_ref<Value(OpBuilder &, Location, Value, Value)> f) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> rExprs;
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (!llvm::is_contained(reduced, i))
      rExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<utils::IteratorType> iters(t.getRank(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, t, tensor::getMixedSizes(b, loc, x));
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{x, r}, ValueRange{init},
             {b.getMultiDimIdentityMap(t.getRank()),
              AffineMap::get(t.getRank(), 0, rExprs, ctx),
              b.getMultiDimIdentityMap(t.getRank())},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, f(nb, l, a[0], a[1]));
             })
      .getResult(0);
}

/// Elementwise map of a single tensor.
Value mapTensor(OpBuilder &b, Location loc, Value x,
                function_ref<Value(OpBuilder &, Location, Value)> f) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  SmallVector<utils::IteratorType> iters(t.getRank(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, t, tensor::getMixedSizes(b, loc, x));
  AffineMap id = b.getMultiDimIdentityMap(t.getRank());
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{x}, ValueRange{init}, {id, id},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, f(nb, l, a[0]));
             })
      .getResult(0);
}

/// Restores reduced dims as size-1 dims to reach `type` (keepdims=1).
Value keepDims(OpBuilder &b, Location loc, Value r, RankedTensorType type,
               ArrayRef<int64_t> reduced) {
  if (r.getType() == type)
    return r;
  auto rt = llvm::cast<RankedTensorType>(r.getType());
  if (rt.getRank() == 0) {
    // Every dim was reduced: all of them come back as size 1.
    SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
    return tensor::ExpandShapeOp::create(
        b, loc, type, r, ArrayRef<ReassociationIndices>{}, ones);
  }
  SmallVector<ReassociationIndices> groups;
  int64_t out = 0;
  for (int64_t i = 0; i < rt.getRank(); ++i) {
    ReassociationIndices g;
    while (llvm::is_contained(reduced, out) && out < type.getRank())
      g.push_back(out++);
    g.push_back(out++);
    groups.push_back(g);
  }
  while (out < type.getRank())
    groups.back().push_back(out++);
  SmallVector<OpFoldResult> sizes;
  int64_t src = 0;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (llvm::is_contained(reduced, i))
      sizes.push_back(b.getIndexAttr(1));
    else
      sizes.push_back(tensor::getMixedSize(b, loc, r, src++));
  }
  return tensor::ExpandShapeOp::create(b, loc, type, r, groups, sizes);
}

Value addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}

/// ReduceSum / ReduceMean / ReduceMax / ReduceMin / ReduceProd with a
/// constant (or absent) `axes` input.
struct ReduceToLinalg : RewritePattern {
  ReduceToLinalg(MLIRContext *ctx, StringRef name)
      : RewritePattern(name, 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!t || !rt || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    SmallVector<int64_t> axes;
    if (op->getNumOperands() > 1 && !isNone(op->getOperand(1))) {
      auto c = constantInts(op->getOperand(1));
      if (!c)
        return rw.notifyMatchFailure(op, "axes must be constant");
      axes = *c;
    }
    if (axes.empty() && !intAttr(op, "noop_with_empty_axes", 0))
      for (int64_t i = 0; i < t.getRank(); ++i)
        axes.push_back(i);
    for (int64_t &a : axes)
      a = normalizeAxis(a, t.getRank());
    llvm::sort(axes);
    StringRef name = op->getName().getStringRef();
    Type elem = t.getElementType();
    Value init;
    Value r;
    if (name == "onnx.ReduceMax" || name == "onnx.ReduceMin") {
      bool isMax = name == "onnx.ReduceMax";
      init = isMax ? lowest(rw, loc, elem)
                   : arith::NegFOp::create(rw, loc, lowest(rw, loc, elem));
      r = reduceDims(rw, loc, x, axes, init,
                     [&](OpBuilder &b, Location l, Value a, Value v) -> Value {
                       if (isMax)
                         return arith::MaximumFOp::create(b, l, a, v);
                       return arith::MinimumFOp::create(b, l, a, v);
                     });
    } else if (name == "onnx.ReduceProd") {
      r = reduceDims(rw, loc, x, axes, scalarConst(rw, loc, elem, 1),
                     [](OpBuilder &b, Location l, Value a, Value v) -> Value {
                       return arith::MulFOp::create(b, l, a, v);
                     });
    } else {
      r = reduceDims(rw, loc, x, axes, scalarConst(rw, loc, elem, 0), addF);
      if (name == "onnx.ReduceMean") {
        Value count = scalarConst(rw, loc, elem, 1);
        for (int64_t a : axes) {
          Value d = tensor::DimOp::create(rw, loc, x, a);
          Value df = arith::UIToFPOp::create(
              rw, loc, elem,
              arith::IndexCastOp::create(rw, loc, rw.getI64Type(), d));
          count = arith::MulFOp::create(rw, loc, count, df);
        }
        r = mapTensor(rw, loc, r, [&](OpBuilder &b, Location l, Value v) {
          return Value(arith::DivFOp::create(b, l, v, count));
        });
      }
    }
    if (intAttr(op, "keepdims", 1))
      r = keepDims(rw, loc, r, rt, axes);
    r = castIfNeeded(rw, loc, r, rt);
    rw.replaceOp(op, r);
    return success();
  }
};

/// Softmax and LogSoftmax along one axis (opset 13 semantics).
struct SoftmaxToLinalg : RewritePattern {
  SoftmaxToLinalg(MLIRContext *ctx, StringRef name)
      : RewritePattern(name, 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    bool isLog = op->getName().getStringRef() == "onnx.LogSoftmax";
    int64_t axis = normalizeAxis(intAttr(op, "axis", -1), t.getRank());
    Type elem = t.getElementType();
    SmallVector<int64_t> red = {axis};
    Value mx = reduceDims(rw, loc, x, red, lowest(rw, loc, elem),
                          [](OpBuilder &b, Location l, Value a, Value v) {
                            return Value(arith::MaximumFOp::create(b, l, a, v));
                          });
    Value shifted = withReduced(rw, loc, x, mx, red,
                                [](OpBuilder &b, Location l, Value v, Value m) {
                                  return Value(arith::SubFOp::create(b, l, v, m));
                                });
    Value e = mapTensor(rw, loc, shifted, [](OpBuilder &b, Location l, Value v) {
      return Value(math::ExpOp::create(b, l, v));
    });
    Value sum =
        reduceDims(rw, loc, e, red, scalarConst(rw, loc, elem, 0), addF);
    Value out;
    if (isLog)
      out = withReduced(rw, loc, shifted, sum, red,
                        [](OpBuilder &b, Location l, Value v, Value s) {
                          return Value(arith::SubFOp::create(
                              b, l, v, math::LogOp::create(b, l, s)));
                        });
    else
      out = withReduced(rw, loc, e, sum, red,
                        [](OpBuilder &b, Location l, Value v, Value s) {
                          return Value(arith::DivFOp::create(b, l, v, s));
                        });
    out = castIfNeeded(rw, loc, out, op->getResult(0).getType());
    rw.replaceOp(op, out);
    return success();
  }
};

/// LayerNormalization (opset 17): normalize over dims [axis, rank).
struct LayerNormToLinalg : OpRewritePattern<onnxir::LayerNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::LayerNormalizationOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op.getX();
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    if (!op.getMean().use_empty() || !op.getInvStdDev().use_empty())
      return rw.notifyMatchFailure(op, "Mean/InvStdDev outputs are used");
    int64_t axis = normalizeAxis(intAttr(op, "axis", -1), t.getRank());
    float eps = floatAttr(op, "epsilon", 1e-5f);
    Type elem = t.getElementType();
    SmallVector<int64_t> red;
    for (int64_t i = axis; i < t.getRank(); ++i)
      red.push_back(i);
    Value count = scalarConst(rw, loc, elem, 1);
    for (int64_t a : red) {
      Value d = tensor::DimOp::create(rw, loc, x, a);
      count = arith::MulFOp::create(
          rw, loc, count,
          arith::UIToFPOp::create(
              rw, loc, elem,
              arith::IndexCastOp::create(rw, loc, rw.getI64Type(), d)));
    }
    auto meanOf = [&](Value v) {
      Value s = reduceDims(rw, loc, v, red, scalarConst(rw, loc, elem, 0), addF);
      return mapTensor(rw, loc, s, [&](OpBuilder &b, Location l, Value y) {
        return Value(arith::DivFOp::create(b, l, y, count));
      });
    };
    Value mean = meanOf(x);
    Value centered = withReduced(rw, loc, x, mean, red,
                                 [](OpBuilder &b, Location l, Value v, Value m) {
                                   return Value(arith::SubFOp::create(b, l, v, m));
                                 });
    Value sq = mapTensor(rw, loc, centered, [](OpBuilder &b, Location l, Value v) {
      return Value(arith::MulFOp::create(b, l, v, v));
    });
    Value var = meanOf(sq);
    Value epsV = scalarConst(rw, loc, elem, eps);
    Value normed = withReduced(
        rw, loc, centered, var, red,
        [&](OpBuilder &b, Location l, Value v, Value s) {
          Value inv = math::RsqrtOp::create(b, l, arith::AddFOp::create(b, l, s, epsV));
          return Value(arith::MulFOp::create(b, l, v, inv));
        });
    // * scale + bias, both broadcast over the normalized dims.
    SmallVector<Value> ins = {normed};
    SmallVector<AffineMap> maps = {rw.getMultiDimIdentityMap(t.getRank())};
    for (Value v : {Value(op.getScale()), Value(op.getB())}) {
      if (isNone(v))
        continue;
      auto vt = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!vt)
        return rw.notifyMatchFailure(op, "unranked scale or bias");
      ins.push_back(v);
      maps.push_back(broadcastMap(rw.getContext(), vt, t));
    }
    maps.push_back(rw.getMultiDimIdentityMap(t.getRank()));
    bool hasBias = !isNone(op.getB());
    SmallVector<utils::IteratorType> iters(t.getRank(),
                                           utils::IteratorType::parallel);
    Value out = linalg::GenericOp::create(
                    rw, loc, TypeRange{t}, ins,
                    ValueRange{emptyTensor(rw, loc, t,
                                           tensor::getMixedSizes(rw, loc, x))},
                    maps, iters,
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      Value v = arith::MulFOp::create(b, l, a[0], a[1]);
                      if (hasBias)
                        v = arith::AddFOp::create(b, l, v, a[2]);
                      linalg::YieldOp::create(b, l, v);
                    })
                    .getResult(0);
    out = castIfNeeded(rw, loc, out, op.getY().getType());
    rw.replaceAllUsesWith(op.getY(), out);
    rw.eraseOp(op);
    return success();
  }
};

} // namespace

void seqc::populateOnnxReductionToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  for (StringRef name : {"onnx.ReduceSum", "onnx.ReduceMean", "onnx.ReduceMax",
                         "onnx.ReduceMin", "onnx.ReduceProd"})
    patterns.add(std::make_unique<ReduceToLinalg>(ctx, name));
  for (StringRef name : {"onnx.Softmax", "onnx.LogSoftmax"})
    patterns.add(std::make_unique<SoftmaxToLinalg>(ctx, name));
  patterns.add<LayerNormToLinalg>(ctx);
}
