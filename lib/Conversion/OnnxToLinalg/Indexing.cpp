//===- Indexing.cpp - Index-computing ONNX ops to linalg --------*- C++ -*-===//
//
// GatherElements, Size, Range, Tile, EyeLike and Clip: ops whose generic
// bodies compute element positions or read scalar operands at run time.
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

SmallVector<utils::IteratorType> parallel(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

/// out[i] = data[i with i_axis replaced by indices[i]].
struct GatherElementsToLinalg : OpRewritePattern<onnxir::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::GatherElementsOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value data = op->getOperand(0), indices = op->getOperand(1);
    auto dt = llvm::dyn_cast<RankedTensorType>(data.getType());
    auto it = llvm::dyn_cast<RankedTensorType>(indices.getType());
    if (!dt || !it || dt.getRank() != it.getRank() || dt.getRank() == 0)
      return rw.notifyMatchFailure(op, "needs ranked tensors of one rank");
    int64_t r = dt.getRank();
    int64_t axis = normalizeAxis(intAttr(op, "axis", 0), r);
    auto outType = RankedTensorType::get(it.getShape(), dt.getElementType());
    Value axisDim = tensor::DimOp::create(rw, loc, data, axis);
    AffineMap id = rw.getMultiDimIdentityMap(r);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{outType}, ValueRange{indices},
        ValueRange{emptyTensor(rw, loc, outType,
                               tensor::getMixedSizes(rw, loc, indices))},
        {id, id}, parallel(r), [&](OpBuilder &b, Location l, ValueRange a) {
          Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                            indexConst(b, l, 0));
          i = arith::SelectOp::create(
              b, l, neg, arith::AddIOp::create(b, l, i, axisDim), i);
          SmallVector<Value> at;
          for (int64_t d = 0; d < r; ++d)
            at.push_back(d == axis ? i : linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, at)));
        });
    rw.replaceOp(op, castIfNeeded(rw, loc, g.getResult(0), op.getType()));
    return success();
  }
};

/// Size: the element count as a rank-0 i64 tensor.
struct SizeToTensor : OpRewritePattern<onnxir::SizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::SizeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt)
      return rw.notifyMatchFailure(op, "unranked");
    Value n = indexConst(rw, loc, 1);
    for (int64_t i = 0; i < t.getRank(); ++i)
      n = arith::MulIOp::create(rw, loc, n, tensor::DimOp::create(rw, loc, x, i));
    n = arith::IndexCastOp::create(rw, loc, rt.getElementType(), n);
    rw.replaceOpWithNewOp<tensor::FromElementsOp>(op, rt, ValueRange{n});
    return success();
  }
};

/// Range: start + i*delta for i < max(ceil((limit - start) / delta), 0).
struct RangeToLinalg : OpRewritePattern<onnxir::RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::RangeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt || rt.getRank() != 1)
      return rw.notifyMatchFailure(op, "needs a 1-D result");
    Type elem = rt.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    if (!isFloat && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float or signless integers");
    auto scalar = [&](Value t) {
      auto tt = llvm::cast<RankedTensorType>(t.getType());
      SmallVector<Value> at(tt.getRank(), indexConst(rw, loc, 0));
      return Value(tensor::ExtractOp::create(rw, loc, t, at));
    };
    Value start = scalar(op->getOperand(0));
    Value limit = scalar(op->getOperand(1));
    Value delta = scalar(op->getOperand(2));
    Value n;
    if (isFloat) {
      Value q = arith::DivFOp::create(
          rw, loc, arith::SubFOp::create(rw, loc, limit, start), delta);
      q = math::CeilOp::create(rw, loc, q);
      n = arith::FPToSIOp::create(rw, loc, rw.getI64Type(), q);
    } else {
      Value diff = arith::SubIOp::create(rw, loc, limit, start);
      n = arith::CeilDivSIOp::create(rw, loc, diff, delta);
    }
    n = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), n);
    n = arith::MaxSIOp::create(rw, loc, n, indexConst(rw, loc, 0));
    SmallVector<OpFoldResult> sizes = {
        rt.isDynamicDim(0) ? OpFoldResult(n)
                           : OpFoldResult(rw.getIndexAttr(rt.getDimSize(0)))};
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, sizes)},
        {rw.getMultiDimIdentityMap(1)}, parallel(1),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 0));
          Value v;
          if (isFloat) {
            Value fi = arith::SIToFPOp::create(b, l, elem, i);
            v = arith::AddFOp::create(b, l, start,
                                      arith::MulFOp::create(b, l, fi, delta));
          } else {
            Value ii = elem.getIntOrFloatBitWidth() == 64
                           ? i
                           : Value(arith::TruncIOp::create(b, l, elem, i));
            v = arith::AddIOp::create(b, l, start,
                                      arith::MulIOp::create(b, l, ii, delta));
          }
          linalg::YieldOp::create(b, l, v);
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Tile: out[i] = x[i mod dim], with the result sizes dim * repeats.
struct TileToLinalg : OpRewritePattern<onnxir::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::TileOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0), repeats = op->getOperand(1);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!t || !rt || t.getRank() != rt.getRank())
      return rw.notifyMatchFailure(op, "unranked");
    int64_t r = t.getRank();
    SmallVector<OpFoldResult> sizes;
    SmallVector<Value> dims;
    for (int64_t i = 0; i < r; ++i) {
      dims.push_back(tensor::DimOp::create(rw, loc, x, i));
      if (!rt.isDynamicDim(i)) {
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(i)));
        continue;
      }
      Value rep = tensor::ExtractOp::create(rw, loc, repeats,
                                            ValueRange{indexConst(rw, loc, i)});
      rep = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), rep);
      sizes.push_back(Value(arith::MulIOp::create(rw, loc, dims[i], rep)));
    }
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, sizes)},
        {rw.getMultiDimIdentityMap(r)}, parallel(r),
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i)
            at.push_back(arith::RemUIOp::create(
                b, l, linalg::IndexOp::create(b, l, i), dims[i]));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, x, at)));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// EyeLike: ones on the diagonal shifted by k.
struct EyeLikeToLinalg : OpRewritePattern<onnxir::EyeLikeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::EyeLikeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt || rt.getRank() != 2)
      return rw.notifyMatchFailure(op, "needs a 2-D result");
    int64_t k = intAttr(op, "k", 0);
    Type elem = rt.getElementType();
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, tensor::getMixedSizes(rw, loc, x))},
        {rw.getMultiDimIdentityMap(2)}, parallel(2),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value j = linalg::IndexOp::create(b, l, 1);
          Value on = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq,
              arith::SubIOp::create(b, l, j, i), indexConst(b, l, k));
          linalg::YieldOp::create(
              b, l,
              Value(arith::SelectOp::create(b, l, on, scalarConst(b, l, elem, 1),
                                            scalarConst(b, l, elem, 0))));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

/// Clip between optional rank-0 `min` and `max` operands.
struct ClipToLinalg : OpRewritePattern<onnxir::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::ClipOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t)
      return rw.notifyMatchFailure(op, "unranked");
    Type elem = t.getElementType();
    bool isFloat = llvm::isa<FloatType>(elem);
    if (!isFloat && !elem.isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs float or signless integers");
    SmallVector<Value> bounds(2);
    for (int i = 0; i < 2; ++i) {
      if (op->getNumOperands() <= unsigned(i + 1) ||
          isNone(op->getOperand(i + 1)))
        continue;
      auto bt = llvm::dyn_cast<RankedTensorType>(op->getOperand(i + 1).getType());
      if (!bt || bt.getNumElements() != 1)
        return rw.notifyMatchFailure(op, "min/max must be scalars");
      SmallVector<Value> at(bt.getRank(), indexConst(rw, loc, 0));
      bounds[i] = tensor::ExtractOp::create(rw, loc, op->getOperand(i + 1), at);
    }
    Value out = mapTensor(rw, loc, x, [&](OpBuilder &b, Location l, Value v) {
      if (bounds[0])
        v = isFloat ? Value(arith::MaximumFOp::create(b, l, v, bounds[0]))
                    : Value(arith::MaxSIOp::create(b, l, v, bounds[0]));
      if (bounds[1])
        v = isFloat ? Value(arith::MinimumFOp::create(b, l, v, bounds[1]))
                    : Value(arith::MinSIOp::create(b, l, v, bounds[1]));
      return v;
    });
    rw.replaceOp(op, castIfNeeded(rw, loc, out, op.getType()));
    return success();
  }
};

} // namespace

void seqc::populateOnnxIndexingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherElementsToLinalg, SizeToTensor, RangeToLinalg,
               TileToLinalg, EyeLikeToLinalg, ClipToLinalg>(
      patterns.getContext());
}
