//===- Loss.cpp - ONNX loss ops to linalg -----------------------*- C++ -*-===//
//
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (log-softmax over
// the class axis, then the former). The per-element loss and its weight come
// from one linalg.generic over the target's shape that reads the class
// picked by the target (ignore_index gives weight 0); `sum` and `mean`
// (divided by the sum of the weights) reduce them to a scalar.
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

/// The attributes NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss
/// share.
struct LossAttrs {
  std::optional<int64_t> ignore; // ignore_index
  StringRef reduction;           // none, sum or mean
};

/// Reads them off `op` (either loss).
template <typename OpT> LossAttrs lossAttrs(OpT op) {
  LossAttrs a;
  if (IntegerAttr ignore = op.getIgnoreIndexAttr())
    a.ignore = ignore.getInt();
  a.reduction = op.getReduction();
  return a;
}

/// The loss of log-probabilities `logp` (N, C, d...) against class indices
/// `target` (N, d...), with optional class `weight` (C).
FailureOr<Value> nllLoss(PatternRewriter &rw, Operation *op,
                         const LossAttrs &attrs, Value logp, Value target,
                         Value weight, Type resultType) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rw.getContext();
  auto lt = llvm::dyn_cast<RankedTensorType>(logp.getType());
  auto tt = llvm::dyn_cast<RankedTensorType>(target.getType());
  if (!lt || !tt || lt.getRank() < 2 || tt.getRank() != lt.getRank() - 1 ||
      !llvm::isa<FloatType>(lt.getElementType()) ||
      !tt.getElementType().isSignlessInteger())
    return rw.notifyMatchFailure(op, "needs (N, C, d...) and (N, d...)");
  Type elem = lt.getElementType();
  std::optional<int64_t> ignore = attrs.ignore;
  StringRef reduction = attrs.reduction;
  int64_t r = tt.getRank();
  auto lossType = RankedTensorType::get(tt.getShape(), elem);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rw, loc, target);
  AffineMap id = rw.getMultiDimIdentityMap(r);
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  bool hasWeight = !isNone(weight);
  auto g = linalg::GenericOp::create(
      rw, loc, TypeRange{lossType, lossType}, ValueRange{target},
      ValueRange{emptyTensor(rw, loc, lossType, sizes),
                 emptyTensor(rw, loc, lossType, sizes)},
      {id, id, id}, iters, [&](OpBuilder &b, Location l, ValueRange a) {
        Value t = a[0];
        Value skip = scalarConst(b, l, b.getI1Type(), 0);
        if (ignore)
          skip = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, t,
                                       scalarConst(b, l, t.getType(), *ignore));
        Value c = arith::IndexCastOp::create(b, l, b.getIndexType(), t);
        c = arith::SelectOp::create(b, l, skip, indexConst(b, l, 0), c);
        SmallVector<Value> at = {linalg::IndexOp::create(b, l, 0), c};
        for (int64_t i = 1; i < r; ++i)
          at.push_back(linalg::IndexOp::create(b, l, i));
        Value v = tensor::ExtractOp::create(b, l, logp, at);
        Value w =
            hasWeight
                ? Value(tensor::ExtractOp::create(b, l, weight, ValueRange{c}))
                : scalarConst(b, l, elem, 1);
        w = arith::SelectOp::create(b, l, skip, scalarConst(b, l, elem, 0), w);
        Value loss =
            arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, v, w));
        linalg::YieldOp::create(b, l, ValueRange{loss, w});
      });
  Value loss = g.getResult(0), weights = g.getResult(1);
  if (reduction == "none")
    return castIfNeeded(rw, loc, loss, resultType);
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < r; ++i)
    all.push_back(i);
  auto add = [](OpBuilder &b, Location l, Value acc, Value v) {
    return Value(arith::AddFOp::create(b, l, acc, v));
  };
  Value zero = scalarConst(rw, loc, elem, 0);
  Value sum = reduceDims(rw, loc, loss, all, zero, add);
  if (reduction == "mean") {
    Value wsum = reduceDims(rw, loc, weights, all, zero, add);
    auto scalar = RankedTensorType::get({}, elem);
    sum =
        linalg::GenericOp::create(
            rw, loc, TypeRange{scalar}, ValueRange{sum, wsum},
            ValueRange{
                tensor::EmptyOp::create(rw, loc, ArrayRef<int64_t>{}, elem)},
            {AffineMap::get(ctx), AffineMap::get(ctx), AffineMap::get(ctx)}, {},
            [](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  b, l, Value(arith::DivFOp::create(b, l, a[0], a[1])));
            })
            .getResult(0);
  } else if (reduction != "sum") {
    return rw.notifyMatchFailure(op, "unknown reduction");
  }
  return castIfNeeded(rw, loc, sum, resultType);
}

struct NllLossToLinalg : OpRewritePattern<onnxir::NegativeLogLikelihoodLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::NegativeLogLikelihoodLossOp op,
                                PatternRewriter &rw) const override {
    Value weight = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
    FailureOr<Value> loss =
        nllLoss(rw, op, lossAttrs(op), op->getOperand(0), op->getOperand(1),
                weight, op->getResult(0).getType());
    if (failed(loss))
      return failure();
    rw.replaceOp(op, *loss);
    return success();
  }
};

struct SoftmaxCrossEntropyToLinalg
    : OpRewritePattern<onnxir::SoftmaxCrossEntropyLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnxir::SoftmaxCrossEntropyLossOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0);
    auto t = llvm::dyn_cast<RankedTensorType>(x.getType());
    if (!t || t.getRank() < 2 || !llvm::isa<FloatType>(t.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float scores");
    Type elem = t.getElementType();
    // log_softmax over the class axis, max subtracted first.
    SmallVector<int64_t> red = {1};
    Value mx = reduceDims(rw, loc, x, red, lowest(rw, loc, elem),
                          [](OpBuilder &b, Location l, Value a, Value v) {
                            return Value(arith::MaximumFOp::create(b, l, a, v));
                          });
    Value shifted = withReduced(
        rw, loc, x, mx, red, [](OpBuilder &b, Location l, Value v, Value m) {
          return Value(arith::SubFOp::create(b, l, v, m));
        });
    Value e =
        mapTensor(rw, loc, shifted, [](OpBuilder &b, Location l, Value v) {
          return Value(math::ExpOp::create(b, l, v));
        });
    Value sum = reduceDims(rw, loc, e, red, scalarConst(rw, loc, elem, 0),
                           [](OpBuilder &b, Location l, Value a, Value v) {
                             return Value(arith::AddFOp::create(b, l, a, v));
                           });
    Value logp = withReduced(rw, loc, shifted, sum, red,
                             [](OpBuilder &b, Location l, Value v, Value s) {
                               return Value(arith::SubFOp::create(
                                   b, l, v, math::LogOp::create(b, l, s)));
                             });
    Value weight = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
    FailureOr<Value> loss =
        nllLoss(rw, op, lossAttrs(op), logp, op->getOperand(1), weight,
                op->getResult(0).getType());
    if (failed(loss))
      return failure();
    rw.replaceAllUsesWith(op->getResult(0), *loss);
    if (op->getNumResults() > 1 && !op->getResult(1).use_empty())
      rw.replaceAllUsesWith(
          op->getResult(1),
          castIfNeeded(rw, loc, logp, op->getResult(1).getType()));
    rw.eraseOp(op);
    return success();
  }
};

} // namespace

void seqc::populateOnnxLossToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<NllLossToLinalg, SoftmaxCrossEntropyToLinalg>(
      patterns.getContext());
}
