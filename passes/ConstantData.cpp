//===- ConstantData.cpp - Reading constant tensors at compile time -------===//

#include "ConstantData.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<std::vector<float>> seqc::readF32Elements(Attribute attr) {
  auto typed = llvm::dyn_cast_or_null<TypedAttr>(attr);
  auto type = typed ? llvm::dyn_cast<RankedTensorType>(typed.getType())
                    : RankedTensorType();
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    size_t n = type.getNumElements();
    if (bytes.size() != n * sizeof(float))
      return std::nullopt;
    std::vector<float> out(n);
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  return std::nullopt;
}

std::optional<std::vector<float>> seqc::readF32Constant(Value v) {
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    return readF32Elements(c.getValue());
  if (auto c = v.getDefiningOp<onnxir::ConstantOp>())
    return readF32Elements(c.getValueAttr());
  return std::nullopt;
}
