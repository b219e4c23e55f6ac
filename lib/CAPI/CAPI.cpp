//===- CAPI.cpp - The C API of the seqc compiler ----------------*- C++ -*-===//
//
// seqc.h over lib/Import, lib/Pipelines and lib/Target: each module owns an
// MLIRContext; every call collects the diagnostics it emits into a string,
// formatted as the driver prints them.
//
//===----------------------------------------------------------------------===//

#include "seqc/CAPI/seqc.h"

#include "seqc/CAPI/Compiler.h"
#include "seqc/Import/OnnxImporter.h"
#include "seqc/InitAllDialects.h"
#include "seqc/InitAllPasses.h"
#include "seqc/Pipelines/Pipelines.h"
#include "seqc/Target/ModelTarget.h"
#include "seqc/Utils/Target.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

using namespace mlir;

struct seqc_module_impl {
  explicit seqc_module_impl(const DialectRegistry &registry) : ctx(registry) {}
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  std::mutex mutex;
};

namespace {
/// The dialects and passes every module's context knows, built once.
const DialectRegistry &registry() {
  static const DialectRegistry *instance = [] {
    seqc::registerAllPasses();
    auto *r = new DialectRegistry;
    seqc::registerAllDialects(*r);
    seqc::registerTargetTranslations(*r);
    return r;
  }();
  return *instance;
}

char *copyString(llvm::StringRef s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (!out)
    return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

/// Collects the diagnostics emitted on a context while it lives.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : os(text), handler(ctx, [this](Diagnostic &diag) {
          seqc::printDiagnostic(diag, os);
          sawError |= diag.getSeverity() == DiagnosticSeverity::Error;
          return success();
        }) {}

  bool hasErrors() const { return sawError; }

  /// Hands the text to the caller (if it asked for it).
  void deliver(char **out) {
    if (out)
      *out = copyString(text);
  }

private:
  std::string text;
  llvm::raw_string_ostream os;
  bool sawError = false;
  ScopedDiagnosticHandler handler;
};

/// Runs `import` in a fresh module context; null (and diagnostics) if it
/// fails.
seqc_module
importWith(char **diagnostics,
           llvm::function_ref<OwningOpRef<ModuleOp>(MLIRContext *)> import) {
  auto *m = new seqc_module_impl(registry());
  {
    DiagnosticCollector collector(&m->ctx);
    m->module = import(&m->ctx);
    if (!m->module && !collector.hasErrors())
      emitError(UnknownLoc::get(&m->ctx)) << "the model could not be imported";
    collector.deliver(diagnostics);
  }
  if (!m->module) {
    delete m;
    return nullptr;
  }
  return m;
}

/// The mixer report of `module`: text as `seqc --print-impl`, or JSON.
std::string implReport(ModuleOp module, bool json) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (!json) {
    seqc::printImplReport(module, os);
    return text;
  }
  llvm::json::Array mixers;
  for (const seqc::MixerChoice &m : seqc::collectMixers(module))
    mixers.push_back(llvm::json::Object{{"op", m.op},
                                        {"node", m.node},
                                        {"location", m.location},
                                        {"impl", m.impl}});
  os << llvm::json::Value(std::move(mixers));
  return text;
}

bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || isdigit(static_cast<unsigned char>(s[0])))
    return false;
  return llvm::all_of(s, [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// The driver's compilation from the imported module to a library.
LogicalResult compile(ModuleOp source, const seqc_compile_options &options,
                      llvm::StringRef soPath, std::string &report) {
  MLIRContext *ctx = source.getContext();
  Location loc = UnknownLoc::get(ctx);
  llvm::StringRef target = options.target ? options.target : "cpu";
  if (target != "cpu")
    return emitError(loc) << "target '" << target
                          << "' is not available yet: this build generates "
                             "CPU code only";
  if (options.opt_level > 3)
    return emitError(loc) << "optimization level " << options.opt_level
                          << ": use 0 to 3";
  if (soPath.empty())
    return emitError(loc) << "no output path for the shared library";
  if (failed(seqc::checkTargetCpu(options.mcpu ? options.mcpu : "",
                                  options.mattr ? options.mattr : "", loc)))
    return failure();
  std::string name = options.model_name ? std::string(options.model_name)
                                        : seqc::modelNameFromPath(soPath);
  if (!isCIdentifier(name))
    return emitError(loc) << "model name '" << name
                          << "' is not a C identifier";

  OwningOpRef<ModuleOp> module = source.clone();
  FailureOr<seqc::ModelSignature> sig = seqc::extractSignature(*module, name);
  if (failed(sig))
    return failure();
  if (failed(seqc::raiseToSeq(*module, options.impl ? options.impl : "")))
    return failure();
  report = implReport(*module, /*json=*/true);
  seqc::prepareEntryPoint(*module);
  seqc::setTargetVectorBits(
      *module, seqc::vectorBitsOfTarget(options.mcpu ? options.mcpu : "",
                                        options.mattr ? options.mattr : ""));
  PassManager pm(ctx);
  if (failed(seqc::buildLowerToLinalgPipeline(pm)) ||
      failed(seqc::buildLinalgToLLVMPipeline(pm)))
    return emitError(loc) << "internal error: a pipeline pass is not "
                             "registered";
  if (failed(pm.run(*module)))
    return failure();

  seqc::TargetOptions topts;
  topts.optLevel = options.opt_level;
  topts.cpu = options.mcpu ? options.mcpu : "";
  topts.features = options.mattr ? options.mattr : "";
  llvm::SmallString<128> obj;
  if (llvm::sys::fs::createTemporaryFile("seqc-model", "o", obj))
    return emitError(loc) << "cannot create a temporary object file";
  bool ok =
      succeeded(seqc::emitObjectFile(*module, obj, topts)) &&
      succeeded(seqc::linkSharedLibrary(*sig, obj, soPath, source->getLoc()));
  llvm::sys::fs::remove(obj);
  return success(ok);
}
} // namespace

extern "C" {

void seqc_compile_options_init(seqc_compile_options *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof(*options));
  options->target = "cpu";
  options->opt_level = 3;
}

seqc_module seqc_import_onnx_file(const char *path, int shape_inference,
                                  char **diagnostics) {
  seqc::OnnxImportOptions options;
  options.shapeInference = shape_inference != 0;
  std::string file = path ? path : "";
  return importWith(diagnostics, [&](MLIRContext *ctx) {
    return seqc::importOnnxModel(ctx, file, options);
  });
}

seqc_module seqc_import_onnx_bytes(const void *data, size_t size,
                                   const char *display_name,
                                   int shape_inference, char **diagnostics) {
  seqc::OnnxImportOptions options;
  options.shapeInference = shape_inference != 0;
  llvm::StringRef bytes(static_cast<const char *>(data), data ? size : 0);
  std::string name = display_name ? display_name : "model.onnx";
  return importWith(diagnostics, [&](MLIRContext *ctx) {
    return seqc::importOnnxModelFromBytes(ctx, bytes, name, "", options);
  });
}

seqc_module seqc_parse_mlir(const char *text, size_t size,
                            const char *display_name, char **diagnostics) {
  llvm::StringRef source(text ? text : "", text ? size : 0);
  std::string name = display_name ? display_name : "model.mlir";
  return importWith(diagnostics, [&](MLIRContext *ctx) {
    ParserConfig config(ctx);
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, config, name);
    if (module && !module->lookupSymbol("main_graph")) {
      emitError(module->getLoc()) << "the module has no func.func @main_graph";
      return OwningOpRef<ModuleOp>();
    }
    return module;
  });
}

char *seqc_module_print(seqc_module module, int print_weights) {
  if (!module)
    return nullptr;
  std::lock_guard<std::mutex> lock(module->mutex);
  OpPrintingFlags flags;
  if (!print_weights)
    flags.elideLargeResourceString(64);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->module->print(os, flags);
  os << "\n";
  return copyString(text);
}

char *seqc_module_impl_report(seqc_module module, int json) {
  if (!module)
    return nullptr;
  std::lock_guard<std::mutex> lock(module->mutex);
  // The choices compilation would make: on a raised copy.
  OwningOpRef<ModuleOp> raised = module->module->clone();
  if (failed(seqc::raiseToSeq(*raised, "")))
    return nullptr;
  return copyString(implReport(*raised, json != 0));
}

int seqc_module_compile(seqc_module module, const seqc_compile_options *options,
                        const char *so_path, char **impl_report,
                        char **diagnostics) {
  if (!module) {
    if (diagnostics)
      *diagnostics = copyString("seqc: error: no module to compile\n");
    return 1;
  }
  seqc_compile_options defaults;
  seqc_compile_options_init(&defaults);
  std::lock_guard<std::mutex> lock(module->mutex);
  DiagnosticCollector collector(&module->ctx);
  std::string report = "[]";
  LogicalResult result = compile(*module->module, options ? *options : defaults,
                                 so_path ? so_path : "", report);
  collector.deliver(diagnostics);
  if (impl_report)
    *impl_report = copyString(report);
  return failed(result) ? 1 : 0;
}

void seqc_module_destroy(seqc_module module) { delete module; }

void seqc_free(void *string) { std::free(string); }

} // extern "C"
