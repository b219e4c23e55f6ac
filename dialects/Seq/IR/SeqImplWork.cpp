//===- SeqImplWork.cpp - ImplInterface of the seq ops ----------*- C++ -*-===//
//
// The work each algorithm does on an op's shapes (ImplInterface::
// estimateWork), from the formulas of ImplWork.h. Only the ops with fast
// lowerings estimate anything; the others keep `reference`.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/Seq.h"

using namespace mlir;
using namespace seqc::seq;

#include "seqc/Dialect/Seq/IR/SeqInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// long_conv: per channel, so that the rates compare across shapes
//===----------------------------------------------------------------------===//

std::optional<ImplWork>
LongConvOp::estimateWork(ImplKind kind, function_ref<bool(Value)> isConstant) {
  int64_t k = getKernel().getType().getDimSize(1);
  int64_t l = getX().getType().getDimSize(2);
  if (ShapedType::isDynamic(k))
    // A kernel as long as the input, typically: only the FFT path is
    // estimated (nominally), so it is the one chosen.
    return kind == ImplKind::fft ? std::optional(ImplWork{0.0}) : std::nullopt;
  if (ShapedType::isDynamic(l))
    l = k; // long-convolution kernels are as long as the sequence
  int64_t n = work::powerOf2Ceil(l + k - 1);
  switch (kind) {
  case ImplKind::direct:
    return ImplWork{work::directConv(l, k)};
  case ImplKind::fft:
    return ImplWork{work::fftConv(n, isConstant(getKernel()) ? 2 : 3)};
  case ImplKind::overlap_save: {
    int64_t block = work::overlapSaveLength(k);
    if (block == 0 || block >= n)
      return std::nullopt;
    return ImplWork{double(l) * work::overlapSavePerOutput(k, block)};
  }
  default:
    return std::nullopt;
  }
}

//===----------------------------------------------------------------------===//
// FFTs: one signal
//===----------------------------------------------------------------------===//

/// mixed_radix for static lengths with prime factors <= kMaxRadix; Bluestein
/// for any length (nominal when the length is known only at run time).
static std::optional<ImplWork> fftWork(ImplKind kind, Value input, int64_t axis,
                                       std::optional<uint64_t> length,
                                       bool complexToReal) {
  auto it = llvm::cast<RankedTensorType>(input.getType());
  int64_t n = ShapedType::kDynamic;
  if (length)
    n = int64_t(*length);
  else if (!it.isDynamicDim(axis))
    n = complexToReal ? 2 * (it.getDimSize(axis) - 1) : it.getDimSize(axis);
  bool known = !ShapedType::isDynamic(n) && n >= 1;
  switch (kind) {
  case ImplKind::mixed_radix:
    if (!known || !work::isSmooth(n))
      return std::nullopt;
    return ImplWork{work::complexFFT(double(n))};
  case ImplKind::bluestein:
    return ImplWork{known ? work::bluesteinFFT(n) : 0.0};
  default:
    return std::nullopt;
  }
}

std::optional<ImplWork> FFTOp::estimateWork(ImplKind kind,
                                            function_ref<bool(Value)>) {
  return fftWork(kind, getInput(), getAxis(), getLength(), false);
}

std::optional<ImplWork> RFFTOp::estimateWork(ImplKind kind,
                                             function_ref<bool(Value)>) {
  return fftWork(kind, getInput(), getAxis(), getLength(), false);
}

std::optional<ImplWork> IRFFTOp::estimateWork(ImplKind kind,
                                              function_ref<bool(Value)>) {
  return fftWork(kind, getInput(), getAxis(), getLength(), true);
}
