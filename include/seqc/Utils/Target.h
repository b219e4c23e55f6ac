//===- Target.h - Facts about the code-generation target -------*- C++ -*-===//
//
// What the passes may assume about the CPU the code is compiled for. The
// driver (lib/CAPI) records the vector register width of the target it
// compiles for (`--mcpu`/`--mattr`, or the host) as the module attribute
// `seqc.target_vector_bits`; passes read it through these functions, never
// from a constant. Modules without the attribute (hand-written IR in
// seqc-opt) get the host's width.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_UTILS_TARGET_H
#define SEQC_UTILS_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace seqc {

/// The module attribute holding the target's vector register width in bits.
inline constexpr llvm::StringLiteral kTargetVectorBitsAttr =
    "seqc.target_vector_bits";

/// The widest vector register (bits) of a CPU given by LLVM target features
/// (`+avx512f` -> 512, `+avx2`/`+avx` -> 256, else 128).
int64_t vectorBitsForFeatures(llvm::StringRef features);

/// The host CPU's widest vector register, in bits.
int64_t hostVectorBits();

/// The vector width recorded on the module enclosing `op`, or the host's.
int64_t targetVectorBits(mlir::Operation *op);

/// Records `bits` as the target vector width of `module`.
void setTargetVectorBits(mlir::ModuleOp module, int64_t bits);

/// Lanes of `elementBits`-bit elements in one target vector register.
inline int64_t targetVectorLanes(mlir::Operation *op, int64_t elementBits) {
  return targetVectorBits(op) / elementBits;
}

} // namespace seqc

#endif // SEQC_UTILS_TARGET_H
