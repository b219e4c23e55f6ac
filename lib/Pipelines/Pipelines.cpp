//===- Pipelines.cpp - The pass pipelines of seqc ---------------*- C++ -*-===//
//
// The one place where seqc's pass pipelines are assembled. Upstream passes
// are added by their textual names: seqc::registerAllPasses registers them,
// and the text doubles as the documentation of what runs.
//
//===----------------------------------------------------------------------===//

#include "seqc/Pipelines/Pipelines.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static LogicalResult addUpstream(OpPassManager &pm, StringRef text) {
  return parsePassPipeline(text, pm, llvm::errs());
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
  return addUpstream(pm, "canonicalize,cse");
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

LogicalResult seqc::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                              const LoweringOptions &options) {
  pm.addPass(createSeqcCpuCodegenPass());
  pm.addPass(createSeqcMathApproximationPass());
  std::string parallel =
      options.parallel ? "convert-linalg-to-parallel-loops,"
                         "convert-vector-to-scf{full-unroll},"
                         "scf-forall-to-parallel,seqc-parallel-regions,"
                         "convert-scf-to-openmp,"
                       : "convert-linalg-to-loops,"
                         "convert-vector-to-scf{full-unroll},scf-forall-to-for,";
  // finalize-memref-to-llvm comes before convert-scf-to-cf: the OpenMP
  // lowering wraps loop bodies in memref.alloca_scope, whose region must
  // stay a single block until the scope itself is lowered.
  std::string memref = options.runtimeAllocator
                           ? "finalize-memref-to-llvm{use-generic-functions},"
                           : "finalize-memref-to-llvm,";
  return success(
      succeeded(addUpstream(pm, "seqc-fuse-elementwise,canonicalize")) &&
      succeeded(addUpstream(
          pm, "one-shot-bufferize{bufferize-function-boundaries "
              "function-boundary-type-conversion=identity-layout-map "
              "allow-return-allocs-from-loops}")) &&
      // scf.forall becomes scf.parallel before deallocation: the ownership-
      // based deallocation places no dealloc for buffers allocated in an
      // scf.forall body (every FFT convolution block leaked its planes,
      // ~37 MB per call at C = 256, L = K = 4096), but handles scf.parallel.
      succeeded(addUpstream(pm, "func.func(scf-forall-to-parallel),"
                                "buffer-deallocation-pipeline,"
                                "convert-bufferization-to-memref")) &&
      succeeded(addUpstream(pm, parallel + "convert-complex-to-standard,"
                                           "expand-strided-metadata,"
                                           "lower-affine," +
                                    memref + "convert-scf-to-cf")) &&
      succeeded(addUpstream(pm, "convert-vector-to-llvm,convert-math-to-llvm,"
                                "convert-math-to-libm")) &&
      succeeded(addUpstream(pm, "convert-to-llvm,reconcile-unrealized-casts")));
}

LogicalResult seqc::buildReferenceToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createSeqLowerReferencePass());
  LoweringOptions options;
  options.parallel = false;
  options.runtimeAllocator = false;
  return success(succeeded(addUpstream(pm, "canonicalize,cse")) &&
                 succeeded(buildLinalgToLLVMPipeline(pm, options)));
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
    func.removeArgAttr(i, "onnx.name");
    func.removeArgAttr(i, "onnx.dim_params");
    func.setArgAttr(i, "bufferization.writable",
                    BoolAttr::get(module.getContext(), false));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    func.removeResultAttr(i, StringAttr::get(module.getContext(), "onnx.name"));
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
