//===- ConstantData.h - Reading constant tensors at compile time -*- C++ -*-===//
//
// The float data of a constant tensor, whether an arith.constant, an
// onnx.Constant, a dense elements attribute or a dense resource (how the
// importer keeps large initializers). Used where a pass folds work on
// weights into compile time (kernel reversal, kernel spectra, SSM kernels).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_UTILS_CONSTANTDATA_H
#define SEQC_UTILS_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

#include <complex>
#include <optional>
#include <vector>

namespace seqc {

/// The elements (row-major) of an f32 constant, or nullopt.
std::optional<std::vector<float>> readF32Elements(mlir::Attribute attr);

/// The elements of `v` if it is produced by a constant op, or nullopt.
std::optional<std::vector<float>> readF32Constant(mlir::Value v);

/// The elements of `v`, widened to double, if `v` is (a tensor.cast of) a
/// constant of any float element type, or nullopt.
std::optional<std::vector<double>> readRealConstant(mlir::Value v);

/// The same for a constant of complex elements.
std::optional<std::vector<std::complex<double>>>
readComplexConstant(mlir::Value v);

} // namespace seqc

#endif // SEQC_UTILS_CONSTANTDATA_H
