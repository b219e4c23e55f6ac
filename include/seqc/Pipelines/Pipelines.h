//===- Pipelines.h - The pass pipelines of seqc -----------------*- C++ -*-===//
//
// Every pipeline seqc runs is built here, so seqc-opt, the seqc driver and the
// Python package cannot drift apart.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_PIPELINES_PIPELINES_H
#define SEQC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace seqc {

/// Tensor-level seq ops -> the reference lowering -> bufferized loops -> the
/// LLVM dialect, ready for mlir-runner or translation. The slow, obviously
/// correct path: the oracle of every faster pipeline.
/// Fails only if an upstream pass it names is not registered.
llvm::LogicalResult buildReferenceToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers the pipelines above as named pass pipelines of seqc-opt
/// (`--seqc-reference-to-llvm`).
void registerPipelines();

} // namespace seqc

#endif // SEQC_PIPELINES_PIPELINES_H
