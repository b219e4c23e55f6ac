//===- ConstantData.cpp - Reading constant tensors at compile time -------===//

#include "seqc/Utils/ConstantData.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

/// The constant attribute behind `v`, looking through tensor.cast.
static Attribute constantAttr(Value v) {
  while (auto cast = v.getDefiningOp<tensor::CastOp>())
    v = cast.getSource();
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    return c.getValue();
  if (auto c = v.getDefiningOp<seqc::onnxir::ConstantOp>())
    return c.getValueAttr();
  return {};
}

static double toDouble(APFloat f) {
  bool lost;
  f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
}

/// The raw bytes of a dense resource as `n` values of type T, or nullopt.
template <typename T>
static std::optional<std::vector<T>> resourceData(DenseResourceElementsAttr res,
                                                  size_t n) {
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  if (!blob || blob->getData().size() != n * sizeof(T))
    return std::nullopt;
  std::vector<T> out(n);
  std::memcpy(out.data(), blob->getData().data(), n * sizeof(T));
  return out;
}

std::optional<std::vector<double>> seqc::readRealConstant(Value v) {
  auto typed = llvm::dyn_cast_or_null<TypedAttr>(constantAttr(v));
  auto type = typed ? llvm::dyn_cast<RankedTensorType>(typed.getType())
                    : RankedTensorType();
  if (!type || !type.hasStaticShape() ||
      !llvm::isa<FloatType>(type.getElementType()))
    return std::nullopt;
  size_t n = type.getNumElements();
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(typed)) {
    std::vector<double> out;
    out.reserve(n);
    for (APFloat f : dense.getValues<APFloat>())
      out.push_back(toDouble(f));
    return out;
  }
  auto res = llvm::dyn_cast<DenseResourceElementsAttr>(typed);
  if (!res)
    return std::nullopt;
  if (type.getElementType().isF64())
    return resourceData<double>(res, n);
  if (!type.getElementType().isF32())
    return std::nullopt;
  std::optional<std::vector<float>> f = resourceData<float>(res, n);
  if (!f)
    return std::nullopt;
  return std::vector<double>(f->begin(), f->end());
}

std::optional<std::vector<std::complex<double>>>
seqc::readComplexConstant(Value v) {
  auto typed = llvm::dyn_cast_or_null<TypedAttr>(constantAttr(v));
  auto type = typed ? llvm::dyn_cast<RankedTensorType>(typed.getType())
                    : RankedTensorType();
  auto ct =
      type ? llvm::dyn_cast<ComplexType>(type.getElementType()) : ComplexType();
  if (!ct || !type.hasStaticShape() ||
      !llvm::isa<FloatType>(ct.getElementType()))
    return std::nullopt;
  size_t n = type.getNumElements();
  std::vector<std::complex<double>> out;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(typed)) {
    out.reserve(n);
    for (std::complex<APFloat> z : dense.getValues<std::complex<APFloat>>())
      out.emplace_back(toDouble(z.real()), toDouble(z.imag()));
    return out;
  }
  auto res = llvm::dyn_cast<DenseResourceElementsAttr>(typed);
  if (!res)
    return std::nullopt;
  // Interleaved (re, im) pairs.
  if (ct.getElementType().isF64())
    return resourceData<std::complex<double>>(res, n);
  if (!ct.getElementType().isF32())
    return std::nullopt;
  std::optional<std::vector<std::complex<float>>> f =
      resourceData<std::complex<float>>(res, n);
  if (!f)
    return std::nullopt;
  return std::vector<std::complex<double>>(f->begin(), f->end());
}
