//===- Common.cpp - Helpers of the onnx-to-linalg patterns ------*- C++ -*-===//

#include "Common.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace seqc::onnx_to_linalg;

AffineMap seqc::onnx_to_linalg::broadcastMap(MLIRContext *ctx,
                                             RankedTensorType operand,
                                             RankedTensorType result) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.getRank() - operand.getRank();
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    int64_t r = i + offset;
    if (operand.getDimSize(i) == 1 && result.getDimSize(r) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(r, ctx));
  }
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

SmallVector<OpFoldResult>
seqc::onnx_to_linalg::broadcastSizes(OpBuilder &b, Location loc,
                                     RankedTensorType result,
                                     ValueRange operands) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t r = 0; r < result.getRank(); ++r) {
    if (!result.isDynamicDim(r)) {
      sizes.push_back(b.getIndexAttr(result.getDimSize(r)));
      continue;
    }
    OpFoldResult size;
    for (Value v : operands) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!t)
        continue;
      int64_t i = r - (result.getRank() - t.getRank());
      if (i < 0 || t.getDimSize(i) == 1)
        continue;
      size = tensor::getMixedSize(b, loc, v, i);
      break;
    }
    sizes.push_back(size ? size : b.getIndexAttr(1));
  }
  return sizes;
}

Value seqc::onnx_to_linalg::emptyTensor(OpBuilder &b, Location loc,
                                        RankedTensorType type,
                                        ArrayRef<OpFoldResult> sizes) {
  Value empty =
      tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  empty = castIfNeeded(b, loc, empty, type);
  return empty;
}

Value seqc::onnx_to_linalg::castIfNeeded(OpBuilder &b, Location loc, Value v,
                                         Type type) {
  return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v);
}

std::optional<SmallVector<int64_t>>
seqc::onnx_to_linalg::constantInts(Value v) {
  Attribute attr;
  if (auto c = v.getDefiningOp<onnxir::ConstantOp>())
    attr = c.getValueAttr();
  else if (auto c = v.getDefiningOp<arith::ConstantOp>())
    attr = c.getValue();
  auto dense = llvm::dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (const APInt &x : dense.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

bool seqc::onnx_to_linalg::isNone(Value v) {
  return !v || llvm::isa<NoneType>(v.getType());
}

Value seqc::onnx_to_linalg::scalarConst(OpBuilder &b, Location loc, Type type,
                                        double v) {
  if (llvm::isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(v)));
}

Value seqc::onnx_to_linalg::lowest(OpBuilder &b, Location loc, Type type) {
  if (llvm::isa<FloatType>(type))
    return scalarConst(b, loc, type, -std::numeric_limits<double>::infinity());
  unsigned w = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, APInt::getSignedMinValue(w)));
}

int64_t seqc::onnx_to_linalg::normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

int64_t seqc::onnx_to_linalg::intAttr(Operation *op, StringRef name,
                                      int64_t dflt) {
  if (auto a = op->getAttrOfType<IntegerAttr>(name))
    return a.getInt();
  return dflt;
}

float seqc::onnx_to_linalg::floatAttr(Operation *op, StringRef name,
                                      float dflt) {
  if (auto a = op->getAttrOfType<FloatAttr>(name))
    return a.getValueAsDouble();
  return dflt;
}
