//===- Pipelines.h - The pass pipelines of seqc -----------------*- C++ -*-===//
//
// Every pipeline seqc runs is built here, so seqc-opt, the seqc driver and the
// Python package cannot drift apart. Builders return failure only if a pass
// they name is not registered.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_PIPELINES_PIPELINES_H
#define SEQC_PIPELINES_PIPELINES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace seqc {

/// onnx -> onnx + seq: shape refinement, then the token mixers raised to
/// seq ops (seq-raise-onnx).
llvm::LogicalResult buildRaisePipeline(mlir::OpPassManager &pm);

/// The algorithm choice of every seq op without one (seq-select-impl).
/// Drivers apply user overrides between the raise and select pipelines.
llvm::LogicalResult buildSelectImplPipeline(mlir::OpPassManager &pm);

/// onnx + seq ops (algorithms chosen) -> linalg / tensor / arith / math.
llvm::LogicalResult buildLowerToLinalgPipeline(mlir::OpPassManager &pm);

/// raise + select + lower: onnx (and seq) ops -> linalg on tensors.
llvm::LogicalResult buildToLinalgPipeline(mlir::OpPassManager &pm);

/// How the code leaving buildLinalgToLLVMPipeline will run.
struct LoweringOptions {
  /// Outermost parallel loops become OpenMP regions (libomp at run time).
  bool parallel = true;
  /// Buffers come from the seqc runtime's caching allocator
  /// (_mlir_memref_to_llvm_alloc/free, lib/Runtime/seqc_alloc.c) instead of
  /// malloc/free; off for code run by mlir-runner.
  bool runtimeAllocator = true;
};

/// linalg on tensors -> bufferized loops -> the LLVM dialect.
llvm::LogicalResult
buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                          const LoweringOptions &options = {});

/// The whole CPU pipeline: buildToLinalgPipeline + buildLinalgToLLVMPipeline.
/// (Drivers run it in parts: raise, overrides, select, then lowering.)
llvm::LogicalResult buildCpuPipeline(mlir::OpPassManager &pm);

/// seq ops through their reference lowering to the LLVM dialect: the slow,
/// obviously correct path, the oracle of every faster pipeline. Sequential,
/// with malloc/free, runnable by mlir-runner.
llvm::LogicalResult buildReferenceToLLVMPipeline(mlir::OpPassManager &pm);

/// Marks @main_graph for the C ABI: a C interface, read-only inputs.
void prepareEntryPoint(mlir::ModuleOp module);

/// Registers the pipelines above as named pass pipelines
/// (--seqc-to-seq, --seqc-to-linalg, --seqc-cpu-to-llvm,
/// --seqc-reference-to-llvm).
void registerPipelines();

} // namespace seqc

#endif // SEQC_PIPELINES_PIPELINES_H
