//===- Pipelines.cpp - The pass pipelines of seqc ---------------*- C++ -*-===//
//
// The one place where seqc's pass pipelines are assembled, from the passes'
// create functions (a misspelt pass fails the build, not a run).
//
//===----------------------------------------------------------------------===//

#include "seqc/Pipelines/Pipelines.h"
#include "seqc/Utils/AttrNames.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// canonicalize + cse, after each rewrite stage.
static void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

LogicalResult seqc::buildRaisePipeline(OpPassManager &pm) {
  pm.addPass(createOnnxInferShapesPass());
  pm.addPass(createSeqRaiseOnnxPass());
  pm.addPass(createSeqFoldSSMKernelPass());
  return success();
}

LogicalResult seqc::buildSelectImplPipeline(OpPassManager &pm) {
  pm.addPass(createSeqSelectImplPass());
  return success();
}

LogicalResult seqc::buildLowerToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createConvertOnnxToLinalgPass());
  pm.addPass(createSeqLowerLongConvPass());
  pm.addPass(createSeqLowerFFTPass());
  pm.addPass(createSeqLowerReferencePass());
  addCleanup(pm);
  return success();
}

LogicalResult seqc::buildToLinalgPipeline(OpPassManager &pm) {
  return success(succeeded(buildRaisePipeline(pm)) &&
                 succeeded(buildSelectImplPipeline(pm)) &&
                 succeeded(buildLowerToLinalgPipeline(pm)));
}

static LogicalResult buildToSeqPipeline(OpPassManager &pm) {
  return success(succeeded(seqc::buildRaisePipeline(pm)) &&
                 succeeded(seqc::buildSelectImplPipeline(pm)));
}

/// Tensors to buffers: one-shot bufferization across function boundaries
/// (identity layouts at the C ABI), then deallocation.
static void addBufferization(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // scf.forall becomes scf.parallel before deallocation: the ownership-
  // based deallocation places no dealloc for buffers allocated in an
  // scf.forall body (every FFT convolution block leaked its planes,
  // ~37 MB per call at C = 256, L = K = 4096), but handles scf.parallel.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// Loops: parallel ones (OpenMP regions) or sequential ones.
static void addLoops(OpPassManager &pm, bool parallel) {
  auto vectorToSCF = [] {
    return createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll());
  };
  if (parallel) {
    pm.addPass(createConvertLinalgToParallelLoopsPass());
    pm.addPass(vectorToSCF());
    pm.addPass(createForallToParallelLoopPass());
    pm.addPass(seqc::createSeqcParallelRegionsPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    return;
  }
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(vectorToSCF());
  pm.addPass(createForallToForLoopPass());
}

LogicalResult seqc::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                              const LoweringOptions &options) {
  pm.addPass(createSeqcCpuCodegenPass());
  pm.addPass(createSeqcMathApproximationPass());
  pm.addPass(createSeqcFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  addBufferization(pm);
  addLoops(pm, options.parallel);
  pm.addPass(createConvertComplexToStandardPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // finalize-memref-to-llvm comes before convert-scf-to-cf: the OpenMP
  // lowering wraps loop bodies in memref.alloca_scope, whose region must
  // stay a single block until the scope itself is lowered.
  FinalizeMemRefToLLVMConversionPassOptions memref;
  memref.useGenericFunctions = options.runtimeAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  return success();
}

LogicalResult seqc::buildReferenceToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createSeqLowerReferencePass());
  addCleanup(pm);
  LoweringOptions options;
  options.parallel = false;
  options.runtimeAllocator = false;
  return buildLinalgToLLVMPipeline(pm, options);
}

LogicalResult seqc::buildCpuPipeline(OpPassManager &pm) {
  return success(succeeded(buildToLinalgPipeline(pm)) &&
                 succeeded(buildLinalgToLLVMPipeline(pm)));
}

void seqc::prepareEntryPoint(ModuleOp module) {
  auto func = module.lookupSymbol<func::FuncOp>("main_graph");
  if (!func)
    return;
  // The entry point gets a C interface (pointers to memref descriptors), and
  // bufferization must never write into the caller's input buffers.
  // ONNX names were read into the signature already; LLVM has no use for
  // them.
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    func.removeArgAttr(i, seqc::attrs::kOnnxName);
    func.removeArgAttr(i, seqc::attrs::kOnnxDimParams);
    func.setArgAttr(i, "bufferization.writable",
                    BoolAttr::get(module.getContext(), false));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    func.removeResultAttr(
        i, StringAttr::get(module.getContext(), seqc::attrs::kOnnxName));
}

static void registerOne(StringRef name, StringRef summary,
                        LogicalResult (*build)(OpPassManager &)) {
  registerPassPipeline(
      name, summary,
      [name, build](OpPassManager &pm, StringRef options,
                    function_ref<LogicalResult(const Twine &)> errorHandler) {
        if (!options.empty())
          return errorHandler(name + " takes no options");
        return build(pm);
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
}

void seqc::registerPipelines() {
  registerOne("seqc-reference-to-llvm",
              "Lower seq ops through their reference lowering to the LLVM "
              "dialect (the oracle path; run the result with mlir-runner)",
              buildReferenceToLLVMPipeline);
  registerOne("seqc-to-seq",
              "Raise token mixers to seq ops and choose their algorithms "
              "(seqc --emit=seq)",
              buildToSeqPipeline);
  registerOne("seqc-to-linalg",
              "Lower onnx and seq ops to linalg/tensor (seqc --emit=linalg)",
              buildToLinalgPipeline);
  registerOne("seqc-cpu-to-llvm",
              "The whole CPU pipeline: onnx/seq to the LLVM dialect "
              "(seqc --emit=llvm)",
              buildCpuPipeline);
}
