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

/// `v` without the tensor.casts that produced it.
static Value throughCasts(Value v) {
  while (auto cast = v.getDefiningOp<tensor::CastOp>())
    v = cast.getSource();
  return v;
}

/// The constant attribute behind `v`, looking through tensor.cast.
static Attribute constantAttr(Value v) {
  v = throughCasts(v);
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

/// Dense resource bytes as `n` integers of `width` bits, widened to int64_t
/// (sign- or zero-extended), or nullopt.
static std::optional<SmallVector<int64_t>>
resourceInts(DenseResourceElementsAttr res, int64_t n, unsigned width,
             bool isSigned) {
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  size_t bytes = width / 8;
  if (!blob || (width != 8 && width != 16 && width != 32 && width != 64) ||
      blob->getData().size() != size_t(n) * bytes)
    return std::nullopt;
  const char *data = blob->getData().data();
  SmallVector<int64_t> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, data + i * bytes, bytes); // little-endian host
    APInt x(width, raw);
    out.push_back(isSigned ? x.getSExtValue() : int64_t(x.getZExtValue()));
  }
  return out;
}

std::optional<SmallVector<int64_t>> seqc::readIntElements(Attribute attr,
                                                          int64_t maxElements) {
  auto typed = llvm::dyn_cast_or_null<TypedAttr>(attr);
  auto type =
      typed ? llvm::dyn_cast<ShapedType>(typed.getType()) : ShapedType();
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isIntOrIndex() ||
      type.getNumElements() > maxElements)
    return std::nullopt;
  Type elem = type.getElementType();
  bool isSigned = !elem.isUnsignedInteger() && !elem.isInteger(1);
  if (auto dense = llvm::dyn_cast<DenseIntElementsAttr>(attr)) {
    SmallVector<int64_t> out;
    out.reserve(type.getNumElements());
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(isSigned ? x.getSExtValue() : int64_t(x.getZExtValue()));
    return out;
  }
  if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr))
    if (auto it = llvm::dyn_cast<IntegerType>(elem))
      return resourceInts(res, type.getNumElements(), it.getWidth(), isSigned);
  return std::nullopt;
}

/// The integer elements of an onnx.Constant's `value_int` or `value_ints`,
/// or nullopt when it has neither (or more than `maxElements`).
static std::optional<SmallVector<int64_t>>
valueIntsOf(seqc::onnxir::ConstantOp c, int64_t maxElements) {
  if (std::optional<uint64_t> i = c.getValueInt()) {
    if (maxElements < 1)
      return std::nullopt;
    return SmallVector<int64_t>{int64_t(*i)};
  }
  ArrayAttr is = c.getValueIntsAttr();
  if (!is || int64_t(is.size()) > maxElements)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (Attribute a : is) {
    auto i = llvm::dyn_cast<IntegerAttr>(a);
    if (!i)
      return std::nullopt;
    out.push_back(i.getInt());
  }
  return out;
}

std::optional<SmallVector<int64_t>> seqc::readIntConstant(Value v,
                                                          int64_t maxElements) {
  v = throughCasts(v);
  if (auto c = v.getDefiningOp<onnxir::ConstantOp>())
    if (c.getValueInt() || c.getValueIntsAttr())
      return valueIntsOf(c, maxElements);
  return readIntElements(constantAttr(v), maxElements);
}

std::optional<int64_t> seqc::readScalarInt(Value v) {
  std::optional<SmallVector<int64_t>> is = readIntConstant(v, 1);
  if (!is || is->size() != 1)
    return std::nullopt;
  return (*is)[0];
}

std::optional<int64_t> seqc::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return std::nullopt;
  return axis;
}
