//===- Pipelines.cpp - The pass pipelines of seqc ---------------*- C++ -*-===//
//
// The one place where seqc's pass pipelines are assembled.
//
//===----------------------------------------------------------------------===//

#include "seqc/Pipelines/Pipelines.h"

#include "seqc/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// Upstream passes are added by their textual names: they are registered by
/// seqc::registerAllPasses, and the pipeline text doubles as the
/// documentation of what runs.
static LogicalResult addUpstream(OpPassManager &pm, StringRef text) {
  return parsePassPipeline(text, pm, llvm::errs());
}

LogicalResult seqc::buildReferenceToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createSeqLowerReferencePass());
  return success(
      succeeded(addUpstream(pm, "canonicalize,cse")) &&
      succeeded(addUpstream(
          pm, "one-shot-bufferize{bufferize-function-boundaries "
              "function-boundary-type-conversion=identity-layout-map}")) &&
      succeeded(addUpstream(pm, "buffer-deallocation-pipeline")) &&
      succeeded(addUpstream(
          pm, "convert-linalg-to-loops,convert-complex-to-standard,"
              "expand-strided-metadata,lower-affine,convert-scf-to-cf")) &&
      succeeded(addUpstream(pm, "convert-math-to-llvm,convert-math-to-libm")) &&
      succeeded(addUpstream(pm, "convert-to-llvm,reconcile-unrealized-casts")));
}

void seqc::registerPipelines() {
  registerPassPipeline(
      "seqc-reference-to-llvm",
      "Lower seq ops through their reference lowering to the LLVM dialect "
      "(the oracle path; run the result with mlir-runner)",
      [](OpPassManager &pm, StringRef options,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        if (!options.empty())
          return errorHandler("seqc-reference-to-llvm takes no options");
        return buildReferenceToLLVMPipeline(pm);
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
}
