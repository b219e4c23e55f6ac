//===- seqc.cpp - The seqc ahead-of-time compiler driver --------*- C++ -*-===//
//
//   seqc model.onnx -o libmodel.so      compile to a shared library + header
//   seqc model.onnx --emit=onnx|seq|linalg|llvm|obj   stop early
//
// A thin face over lib/Import, lib/Pipelines, lib/Target and the pieces
// it shares with the C API (lib/CAPI/Compiler.cpp). Errors name the
// file and the ONNX node and exit with status 1.
//
//===----------------------------------------------------------------------===//

#include "seqc/CAPI/Compiler.h"
#include "seqc/Import/OnnxImporter.h"
#include "seqc/InitAllDialects.h"
#include "seqc/InitAllPasses.h"
#include "seqc/Pipelines/Pipelines.h"
#include "seqc/Target/ModelTarget.h"
#include "seqc/Utils/Target.h"

#include "ToolOptions.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {
enum class Emit { onnx, seq, linalg, llvmir, obj, lib };

cl::OptionCategory seqcCat("seqc options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | ->"),
                               cl::Required, cl::cat(seqcCat));
cl::opt<std::string>
    outputFile("o",
               cl::desc("Output file (default: lib<model>.so for a library, "
                        "<model>.o for an object, stdout for IR)"),
               cl::value_desc("file"), cl::cat(seqcCat));
cl::opt<Emit> emit(
    "emit",
    cl::desc("What to produce (default: lib); each IR level prints IR that "
             "seqc-opt reads"),
    cl::init(Emit::lib),
    cl::values(clEnumValN(Emit::onnx, "onnx", "the imported onnx dialect"),
               clEnumValN(Emit::seq, "seq",
                          "after raising the token mixers to seq ops"),
               clEnumValN(Emit::linalg, "linalg", "after lowering to linalg"),
               clEnumValN(Emit::llvmir, "llvm", "the LLVM dialect"),
               clEnumValN(Emit::obj, "obj", "an object file"),
               clEnumValN(Emit::lib, "lib",
                          "a shared library and its C header (default)")),
    cl::cat(seqcCat));
cl::opt<std::string> target(
    "target",
    cl::desc("Code to generate: cpu (default) or cuda[:sm_XX] (not in this "
             "build)"),
    cl::init("cpu"), cl::cat(seqcCat));
cl::opt<unsigned>
    optLevel("O", cl::desc("LLVM optimization level, -O0 to -O3 (default 3)"),
             cl::Prefix, cl::init(3), cl::cat(seqcCat));
cl::opt<std::string>
    mcpu("mcpu",
         cl::desc("Target CPU, e.g. skylake-avx512 (default: the host)"),
         cl::cat(seqcCat));
cl::opt<std::string>
    mattr("mattr",
          cl::desc("Target features, e.g. +avx2,-avx512f (default: the "
                   "host's)"),
          cl::cat(seqcCat));
cl::opt<bool>
    printImpl("print-impl",
              cl::desc("List each token mixer and the algorithm chosen for it"),
              cl::cat(seqcCat));
cl::opt<std::string> implOverrides(
    "impl",
    cl::desc("Override algorithm choices: KEY=ALGO[,KEY=ALGO...], KEY a seq "
             "op (long_conv) or an ONNX node name (e.g. "
             "--impl=long_conv=direct; default: seqc's choice)"),
    cl::cat(seqcCat));
cl::opt<bool> noShapeInference(
    "no-shape-inference",
    cl::desc("Skip ONNX shape inference (types come from the model's "
             "value_info only)"),
    cl::cat(seqcCat));
cl::opt<bool> printWeights(
    "print-weights",
    cl::desc("Print weights (dense resources) in full when printing IR "
             "(default: large ones elided)"),
    cl::cat(seqcCat));

/// The model's C name: from the output (libfoo.so -> foo) or the input.
std::string modelName() {
  if (inputFile == "-" && outputFile.empty())
    return "model";
  return seqc::modelNameFromPath(outputFile.empty() ? StringRef(inputFile)
                                                    : StringRef(outputFile));
}

int fail(const Twine &msg) {
  errs() << "seqc: error: " << msg << "\n";
  return 1;
}

void printModule(mlir::ModuleOp module, raw_ostream &os) {
  mlir::OpPrintingFlags flags;
  if (!printWeights)
    flags.elideLargeResourceString(64);
  module->print(os, flags);
  os << "\n";
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // LLVM's back-end options out of --help; MLIR's, registered next, in it.
  seqc::tools::hideLibraryOptions({&seqcCat});
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  seqc::registerAllPasses();
  seqc::tools::listFirst(seqcCat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "seqc: ahead-of-time compiler for long-sequence models\n\n"
      "  seqc model.onnx -o libmodel.so    shared library + libmodel.h\n"
      "  seqc model.onnx --emit=linalg     print the IR after a stage\n"
      "  seqc - --emit=onnx < model.onnx   read the model from stdin\n\n"
      "Standard MLIR flags work too (--mlir-print-ir-after-all, "
      "--mlir-timing).\n");

  if (target != "cpu")
    return fail("--target=" + target +
                " is not available yet: this build generates CPU code only");
  if (optLevel > 3)
    return fail("-O" + Twine(optLevel) + ": use -O0 to -O3");

  mlir::DialectRegistry registry;
  seqc::registerAllDialects(registry);
  seqc::registerTargetTranslations(registry);
  mlir::MLIRContext ctx(registry);
  ctx.getDiagEngine().registerHandler([](mlir::Diagnostic &diag) {
    seqc::printDiagnostic(diag, errs());
    return mlir::success();
  });

  seqc::OnnxImportOptions options;
  options.shapeInference = !noShapeInference;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      seqc::importOnnxModel(&ctx, inputFile, options);
  if (!module)
    return 1;
  mlir::Location loc = module->getLoc();

  auto writeText = [&](function_ref<void(raw_ostream &)> fn) {
    std::string error;
    auto out = mlir::openOutputFile(
        outputFile.empty() ? std::string("-") : std::string(outputFile),
        &error);
    if (!out)
      return fail(error);
    fn(out->os());
    out->keep();
    return 0;
  };

  if (emit == Emit::onnx)
    return writeText([&](raw_ostream &os) { printModule(*module, os); });
  // The seq level: token mixers raised, user overrides, algorithms chosen.
  if (failed(seqc::raiseToSeq(*module, implOverrides)))
    return 1;
  if (printImpl)
    seqc::printImplReport(*module, outs());
  if (emit == Emit::seq)
    return writeText([&](raw_ostream &os) { printModule(*module, os); });

  auto sig = seqc::extractSignature(*module, modelName());
  if (failed(sig))
    return 1;
  seqc::prepareEntryPoint(*module);
  seqc::setTargetVectorBits(*module, seqc::vectorBitsOfTarget(mcpu, mattr));

  mlir::PassManager pm(&ctx);
  if (failed(mlir::applyPassManagerCLOptions(pm)))
    return 1;
  mlir::applyDefaultTimingPassManagerCLOptions(pm);
  if (failed(seqc::buildLowerToLinalgPipeline(pm)) ||
      (emit != Emit::linalg && failed(seqc::buildLinalgToLLVMPipeline(pm))))
    return fail("internal error: a pipeline pass is not registered");
  if (failed(pm.run(*module)))
    return 1;
  if (emit == Emit::linalg || emit == Emit::llvmir)
    return writeText([&](raw_ostream &os) { printModule(*module, os); });

  seqc::TargetOptions topts;
  topts.optLevel = optLevel;
  topts.cpu = mcpu;
  topts.features = mattr;
  if (emit == Emit::obj) {
    std::string path = outputFile.empty() ? sig->name + ".o" : outputFile;
    return failed(seqc::emitObjectFile(*module, path, topts)) ? 1 : 0;
  }
  std::string soPath =
      outputFile.empty() ? "lib" + sig->name + ".so" : outputFile;
  SmallString<128> obj;
  if (sys::fs::createTemporaryFile("seqc-model", "o", obj))
    return fail("cannot create a temporary object file");
  bool ok = succeeded(seqc::emitObjectFile(*module, obj, topts)) &&
            succeeded(seqc::linkSharedLibrary(*sig, obj, soPath, loc));
  sys::fs::remove(obj);
  return ok ? 0 : 1;
}
