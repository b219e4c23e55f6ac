//===- Utils.cpp - Helpers of the reference lowerings -----------*- C++ -*-===//

#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

SmallVector<OpFoldResult> seqc::ref::sizesOf(OpBuilder &b, Location loc,
                                             Value v) {
  return tensor::getMixedSizes(b, loc, v);
}

Value seqc::ref::dimValue(OpBuilder &b, Location loc, Value v, int64_t i) {
  return getValueOrCreateConstantIndexOp(b, loc,
                                         tensor::getMixedSize(b, loc, v, i));
}

Value seqc::ref::filled(OpBuilder &b, Location loc,
                        ArrayRef<OpFoldResult> sizes, Type elem, Value fill) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elem);
  if (!fill)
    return empty;
  return linalg::FillOp::create(b, loc, fill, empty).getResult(0);
}

Value seqc::ref::floatConst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
}

Value seqc::ref::indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value seqc::ref::generic(
    OpBuilder &b, Location loc, ValueRange ins, Value init,
    ArrayRef<AffineMap> maps, StringRef iters,
    function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<utils::IteratorType> its;
  for (char c : iters)
    its.push_back(c == 'r' ? utils::IteratorType::reduction
                           : utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, ins,
                                      ValueRange{init}, maps, its, body);
  return op.getResult(0);
}

AffineMap seqc::ref::proj(MLIRContext *ctx, unsigned numDims,
                          ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

Value seqc::ref::loopIndex(OpBuilder &b, Location loc, int64_t d) {
  return linalg::IndexOp::create(b, loc, d);
}

Value seqc::ref::sliceAt(OpBuilder &b, Location loc, Value v, int64_t axis,
                         Value pos) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, v);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  offsets[axis] = pos;
  sizes[axis] = b.getIndexAttr(1);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  auto sliceType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, v, offsets, sizes,
                                        strides);
}

Value seqc::ref::insertAt(OpBuilder &b, Location loc, Value slice, Value dest,
                          int64_t axis, Value pos) {
  auto type = llvm::cast<RankedTensorType>(dest.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, dest);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  offsets[axis] = pos;
  sizes[axis] = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(b, loc, slice, dest, offsets, sizes,
                                       strides);
}

Value seqc::ref::indexToFloat(OpBuilder &b, Location loc, Value i, Type t) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
  return arith::SIToFPOp::create(b, loc, t, i64);
}
