//===- Utils.cpp - Helpers of the reference lowerings -----------*- C++ -*-===//

#include "Lower/Reference/Utils.h"

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

/// Groups of dims that merge the unit dim `axis` into a neighbour, for
/// collapse_shape / expand_shape between rank r and r - 1.
static SmallVector<ReassociationIndices> dropAxisGroups(int64_t rank,
                                                        int64_t axis) {
  SmallVector<ReassociationIndices> groups;
  if (rank == 1)
    return groups;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == axis)
      continue;
    groups.push_back({i});
  }
  // Attach `axis` to the group of its left neighbour, or the first group.
  if (axis > 0)
    groups[axis - 1].push_back(axis);
  else
    groups[0].insert(groups[0].begin(), axis);
  return groups;
}

// Rank-reducing slices are avoided on purpose: with several unit dims the
// dropped one is ambiguous once shapes become static, so slices keep their
// rank and an explicit collapse/expand drops or restores `axis`.
Value seqc::ref::sliceAt(OpBuilder &b, Location loc, Value v, int64_t axis,
                         Value pos) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, v);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets[axis] = pos;
  sizes[axis] = b.getIndexAttr(1);
  Value slice =
      tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
  return tensor::CollapseShapeOp::create(b, loc, slice,
                                         dropAxisGroups(rank, axis));
}

Value seqc::ref::insertAt(OpBuilder &b, Location loc, Value slice, Value dest,
                          int64_t axis, Value pos) {
  auto type = llvm::cast<RankedTensorType>(dest.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, dest);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  offsets[axis] = pos;
  sizes[axis] = b.getIndexAttr(1);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 1;
  auto expandedType = RankedTensorType::get(shape, type.getElementType());
  // Static dims of `dest` carry over to the slice.
  SmallVector<int64_t> sliceShape(shape);
  sliceShape.erase(sliceShape.begin() + axis);
  auto sliceType = RankedTensorType::get(sliceShape, type.getElementType());
  if (slice.getType() != sliceType)
    slice = tensor::CastOp::create(b, loc, sliceType, slice);
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, expandedType, slice, dropAxisGroups(rank, axis), sizes);
  return tensor::InsertSliceOp::create(b, loc, expanded, dest, offsets, sizes,
                                       strides);
}

Value seqc::ref::indexToFloat(OpBuilder &b, Location loc, Value i, Type t) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
  return arith::SIToFPOp::create(b, loc, t, i64);
}

Value seqc::ref::readBroadcast(OpBuilder &b, Location loc, Value src,
                               ValueRange idx) {
  auto type = llvm::cast<RankedTensorType>(src.getType());
  SmallVector<Value> at;
  Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t d = type.getDimSize(i);
    if (d == 1) {
      at.push_back(zero);
    } else if (!ShapedType::isDynamic(d)) {
      at.push_back(idx[i]);
    } else {
      Value size = tensor::DimOp::create(b, loc, src, i);
      Value isOne =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, one);
      at.push_back(arith::SelectOp::create(b, loc, isOne, zero, idx[i]));
    }
  }
  return tensor::ExtractOp::create(b, loc, src, at);
}

bool seqc::ref::hasDynamicDim(Type t) {
  return !llvm::cast<ShapedType>(t).hasStaticShape();
}
