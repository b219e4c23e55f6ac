//===- ConstantData.h - Reading constant tensors at compile time -*- C++
//-*-===//
//
// The data of a constant tensor, whether an arith.constant, an
// onnx.Constant, a dense elements attribute or a dense resource (how the
// importer keeps large initializers): floats where a pass folds work on
// weights into compile time (kernel reversal, kernel spectra, SSM kernels),
// integers where it reads shape operands (axes, lengths, Slice bounds).
// Also the one range-checked ONNX axis normalization.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_UTILS_CONSTANTDATA_H
#define SEQC_UTILS_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <complex>
#include <cstdint>
#include <limits>
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

/// The elements (row-major) of an integer elements attribute: a dense
/// integer attribute (splats included) or a dense resource of 8, 16, 32 or
/// 64-bit integers. Signless and signed elements are sign-extended; unsigned
/// ones and i1 are zero-extended (true is 1). nullopt for anything else, or
/// when the attribute has more than `maxElements` elements.
std::optional<llvm::SmallVector<int64_t>>
readIntElements(mlir::Attribute attr,
                int64_t maxElements = std::numeric_limits<int64_t>::max());

/// The elements of `v` (row-major) if it is a constant integer tensor, or
/// nullopt. `v` may be (a tensor.cast of) an arith.constant or an
/// onnx.Constant; of the latter every integer form counts: `value`
/// (readIntElements), `value_int` (one element) and `value_ints`. The
/// value's shape is not checked against the number of elements.
std::optional<llvm::SmallVector<int64_t>>
readIntConstant(mlir::Value v,
                int64_t maxElements = std::numeric_limits<int64_t>::max());

/// The single element of a constant integer tensor of one element (rank 0
/// or any shape of size 1), as readIntConstant reads it, or nullopt.
std::optional<int64_t> readScalarInt(mlir::Value v);

/// An ONNX axis of a tensor of rank `rank`, negative values counting from
/// the back, as an index in [0, rank); nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace seqc

#endif // SEQC_UTILS_CONSTANTDATA_H
