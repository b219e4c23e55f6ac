//===- Normalization.cpp - Batch and instance norm to linalg ----*- C++ -*-===//
//
// BatchNormalization (inference, and training mode with its running
// statistics) and InstanceNormalization: per-channel statistics (given, or
// reduced over the batch and spatial dims) and one linalg.generic applying
// (x - mean) / sqrt(var + eps) * scale + B, channels on dim 1. Also
// MeanVarianceNormalization and LRN (local response normalization).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

Value addF(OpBuilder &b, Location l, Value acc, Value x) {
  return arith::AddFOp::create(b, l, acc, x);
}

/// The number of elements of `x` over `dims`, as a float of `elem`.
Value countOf(OpBuilder &b, Location l, Value x, ArrayRef<int64_t> dims,
              Type elem) {
  Value n = indexConst(b, l, 1);
  for (int64_t d : dims)
    n = arith::MulIOp::create(b, l, n, tensor::DimOp::create(b, l, x, d));
  return arith::UIToFPOp::create(
      b, l, elem, arith::IndexCastOp::create(b, l, b.getI64Type(), n));
}

/// Mean over `dims` (the dims of `x` not in `dims` kept, in order).
Value meanOver(OpBuilder &b, Location l, Value x, ArrayRef<int64_t> dims) {
  Type elem = llvm::cast<RankedTensorType>(x.getType()).getElementType();
  Value s = reduceDims(b, l, x, dims, scalarConst(b, l, elem, 0), addF);
  Value n = countOf(b, l, x, dims, elem);
  return mapTensor(b, l, s, [&](OpBuilder &nb, Location nl, Value v) {
    return Value(arith::DivFOp::create(nb, nl, v, n));
  });
}

/// The population variance over `dims`, given the mean over them.
Value varianceOver(OpBuilder &b, Location l, Value x, Value mean,
                   ArrayRef<int64_t> dims) {
  Value sq = withReduced(b, l, x, mean, dims,
                         [](OpBuilder &nb, Location nl, Value v, Value m) {
                           Value c = arith::SubFOp::create(nb, nl, v, m);
                           return Value(arith::MulFOp::create(nb, nl, c, c));
                         });
  return meanOver(b, l, sq, dims);
}

/// (x - mean) / sqrt(var + eps) * scale + bias. mean and var are indexed
/// by the dims of x kept in `statDims`; scale and bias by dim 1.
Value normalize(OpBuilder &b, Location l, Value x, Value mean, Value var,
                ArrayRef<int64_t> statDims, Value scale, Value bias,
                float eps) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = t.getRank();
  SmallVector<AffineExpr> statExprs;
  for (int64_t d : statDims)
    statExprs.push_back(getAffineDimExpr(d, ctx));
  AffineMap statMap = AffineMap::get(rank, 0, statExprs, ctx);
  AffineMap chanMap = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx), ctx);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  Type elem = t.getElementType();
  Value init = emptyTensor(b, l, t, tensor::getMixedSizes(b, l, x));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, l, TypeRange{t}, ValueRange{x, mean, var, scale, bias},
             ValueRange{init}, {id, statMap, statMap, chanMap, chanMap, id},
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value c = arith::SubFOp::create(nb, nl, a[0], a[1]);
               Value inv = math::RsqrtOp::create(
                   nb, nl,
                   arith::AddFOp::create(nb, nl, a[2],
                                         scalarConst(nb, nl, elem, eps)));
               Value y = arith::MulFOp::create(
                   nb, nl, arith::MulFOp::create(nb, nl, c, inv), a[3]);
               linalg::YieldOp::create(
                   nb, nl, Value(arith::AddFOp::create(nb, nl, y, a[4])));
             })
      .getResult(0);
}

bool rankedFloat(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && llvm::isa<FloatType>(t.getElementType());
}

struct BatchNormToLinalg : OpRewritePattern<onnxir::BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::BatchNormalizationOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0), scale = op->getOperand(1),
          bias = op->getOperand(2), mean = op->getOperand(3),
          var = op->getOperand(4);
    if (!llvm::all_of(SmallVector<Value>{x, scale, bias, mean, var},
                      rankedFloat))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    auto t = llvm::cast<RankedTensorType>(x.getType());
    if (t.getRank() < 2)
      return rw.notifyMatchFailure(op, "needs (N, C, ...) input");
    float eps = op.getEpsilon().convertToFloat();
    bool training = op.getTrainingMode() != 0;
    SmallVector<Value> results(op->getNumResults(), Value());
    if (!training) {
      for (unsigned i = 1; i < op->getNumResults(); ++i)
        if (!op->getResult(i).use_empty())
          return rw.notifyMatchFailure(op,
                                       "running statistics outside training");
      results[0] = normalize(rw, loc, x, mean, var, {1}, scale, bias, eps);
    } else {
      // Batch statistics over every dim but the channels'.
      SmallVector<int64_t> red = {0};
      for (int64_t i = 2; i < t.getRank(); ++i)
        red.push_back(i);
      Value bm = meanOver(rw, loc, x, red);
      Value bv = varianceOver(rw, loc, x, bm, red);
      results[0] = normalize(rw, loc, x, bm, bv, {1}, scale, bias, eps);
      float momentum = op.getMomentum().convertToFloat();
      auto running = [&](Value given, Value batch) {
        Type elem =
            llvm::cast<RankedTensorType>(batch.getType()).getElementType();
        auto bt = llvm::cast<RankedTensorType>(batch.getType());
        AffineMap id = rw.getMultiDimIdentityMap(1);
        return linalg::GenericOp::create(
                   rw, loc, TypeRange{bt}, ValueRange{given, batch},
                   ValueRange{emptyTensor(
                       rw, loc, bt, tensor::getMixedSizes(rw, loc, batch))},
                   {id, id, id}, {utils::IteratorType::parallel},
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value g = arith::MulFOp::create(
                         b, l, a[0], scalarConst(b, l, elem, momentum));
                     Value n = arith::MulFOp::create(
                         b, l, a[1], scalarConst(b, l, elem, 1 - momentum));
                     linalg::YieldOp::create(
                         b, l, Value(arith::AddFOp::create(b, l, g, n)));
                   })
            .getResult(0);
      };
      if (op->getNumResults() > 1)
        results[1] = running(mean, bm);
      if (op->getNumResults() > 2)
        results[2] = running(var, bv);
    }
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      Value res = op->getResult(i);
      if (res.use_empty() || !results[i])
        continue;
      rw.replaceAllUsesWith(res,
                            castIfNeeded(rw, loc, results[i], res.getType()));
    }
    rw.eraseOp(op);
    return success();
  }
};

struct InstanceNormToLinalg
    : OpRewritePattern<onnxir::InstanceNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::InstanceNormalizationOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0), scale = op->getOperand(1),
          bias = op->getOperand(2);
    if (!llvm::all_of(SmallVector<Value>{x, scale, bias}, rankedFloat))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    auto t = llvm::cast<RankedTensorType>(x.getType());
    if (t.getRank() < 3)
      return rw.notifyMatchFailure(op, "needs (N, C, D1, ...) input");
    SmallVector<int64_t> red;
    for (int64_t i = 2; i < t.getRank(); ++i)
      red.push_back(i);
    Value m = meanOver(rw, loc, x, red);
    Value v = varianceOver(rw, loc, x, m, red);
    Value y = normalize(rw, loc, x, m, v, {0, 1}, scale, bias,
                        op.getEpsilon().convertToFloat());
    rw.replaceOp(op, castIfNeeded(rw, loc, y, op->getResult(0).getType()));
    return success();
  }
};

/// MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) over `axes`
/// (default N, H, W), the variance the population one.
struct MvnToLinalg : OpRewritePattern<onnxir::MeanVarianceNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::MeanVarianceNormalizationOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    if (!rankedFloat(x))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    auto t = llvm::cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> axes = {0, 2, 3};
    if (ArrayAttr given = op.getAxesAttr())
      axes = llvm::to_vector(llvm::map_range(given, [](Attribute a) {
        return llvm::cast<IntegerAttr>(a).getInt();
      }));
    for (int64_t &a : axes) {
      if (a < -t.getRank() || a >= t.getRank())
        return rw.notifyMatchFailure(op, "axis out of range");
      a = normalizeAxis(a, t.getRank());
    }
    llvm::sort(axes);
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    Type elem = t.getElementType();
    Value m = meanOver(rw, loc, x, axes);
    Value v = varianceOver(rw, loc, x, m, axes);
    Value c = withReduced(rw, loc, x, m, axes,
                          [](OpBuilder &b, Location l, Value xv, Value mv) {
                            return Value(arith::SubFOp::create(b, l, xv, mv));
                          });
    Value y = withReduced(
        rw, loc, c, v, axes, [&](OpBuilder &b, Location l, Value cv, Value vv) {
          Value sd = arith::AddFOp::create(b, l, math::SqrtOp::create(b, l, vv),
                                           scalarConst(b, l, elem, 1e-9));
          return Value(arith::DivFOp::create(b, l, cv, sd));
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, y, op->getResult(0).getType()));
    return success();
  }
};

/// LRN over the channels (dim 1) of (N, C, d...): y = x / (bias + alpha /
/// size * sum of squares over the channels c - floor((size - 1) / 2) ..
/// c + ceil((size - 1) / 2) that exist) ^ beta; an scf.for per element
/// sums the window.
struct LrnToLinalg : OpRewritePattern<onnxir::LRNOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::LRNOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    if (!rankedFloat(x))
      return rw.notifyMatchFailure(op, "needs a ranked float tensor");
    auto t = llvm::cast<RankedTensorType>(x.getType());
    int64_t rank = t.getRank();
    int64_t size = op.getSize();
    if (rank < 2 || size < 1)
      return rw.notifyMatchFailure(op, "needs (N, C, ...) and size >= 1");
    Type elem = t.getElementType();
    double alpha = op.getAlpha().convertToFloat();
    double beta = op.getBeta().convertToFloat();
    double bias = op.getBias().convertToFloat();
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    Value channels = tensor::DimOp::create(rw, loc, x, 1);
    AffineMap id = rw.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{t}, ValueRange{x},
        ValueRange{emptyTensor(rw, loc, t, tensor::getMixedSizes(rw, loc, x))},
        {id, id}, iters, [&](OpBuilder &b, Location l, ValueRange a) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < rank; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          Value lo = arith::MaxSIOp::create(
              b, l,
              arith::SubIOp::create(b, l, at[1], indexConst(b, l, before)),
              indexConst(b, l, 0));
          Value hi = arith::MinSIOp::create(
              b, l,
              arith::AddIOp::create(b, l, at[1], indexConst(b, l, after + 1)),
              channels);
          auto loop = scf::ForOp::create(
              b, l, lo, hi, indexConst(b, l, 1),
              ValueRange{scalarConst(b, l, elem, 0)},
              [&](OpBuilder &lb, Location ll, Value c, ValueRange it) {
                SmallVector<Value> pos(at);
                pos[1] = c;
                Value v = tensor::ExtractOp::create(lb, ll, x, pos);
                scf::YieldOp::create(
                    lb, ll,
                    Value(arith::AddFOp::create(
                        lb, ll, it[0], arith::MulFOp::create(lb, ll, v, v))));
              });
          Value d = arith::AddFOp::create(
              b, l, scalarConst(b, l, elem, bias),
              arith::MulFOp::create(b, l, scalarConst(b, l, elem, alpha / size),
                                    loop.getResult(0)));
          d = math::PowFOp::create(b, l, d, scalarConst(b, l, elem, beta));
          linalg::YieldOp::create(b, l,
                                  Value(arith::DivFOp::create(b, l, a[0], d)));
        });
    rw.replaceOp(
        op, castIfNeeded(rw, loc, g.getResult(0), op->getResult(0).getType()));
    return success();
  }
};

} // namespace

void seqc::populateOnnxNormalizationToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns
      .add<BatchNormToLinalg, InstanceNormToLinalg, MvnToLinalg, LrnToLinalg>(
          patterns.getContext());
}
