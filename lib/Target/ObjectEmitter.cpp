//===- ObjectEmitter.cpp - LLVM dialect to an object file -------*- C++ -*-===//
//
// In-process code generation: MLIR's LLVM dialect is translated to LLVM IR,
// optimized with the O-level pipeline for the target machine (the host CPU
// by default, AVX-512 included where the host has it), and emitted as an
// ELF object with position-independent code, ready for a shared library.
//
//===----------------------------------------------------------------------===//

#include "seqc/Target/ModelTarget.h"
#include "seqc/Utils/Target.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

void seqc::registerTargetTranslations(DialectRegistry &registry) {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

namespace {
struct Translated {
  std::unique_ptr<llvm::LLVMContext> ctx;
  std::unique_ptr<llvm::Module> module;
  std::unique_ptr<llvm::TargetMachine> machine;
};
} // namespace

LogicalResult seqc::checkTargetCpu(StringRef cpu, StringRef features,
                                   Location loc) {
  if (cpu.empty() && features.empty())
    return success();
  llvm::InitializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc) << "no LLVM target for " << triple.str() << ": "
                          << error;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!info)
    return emitError(loc) << "no subtarget information for " << triple.str();
  if (!cpu.empty() && !info->isCPUStringValid(cpu))
    return emitError(loc) << "unknown CPU '" << cpu << "' for " << triple.str()
                          << " (llc -mcpu=help lists them)";
  llvm::SmallVector<StringRef> list;
  features.split(list, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef feature : list) {
    feature = feature.trim();
    StringRef name = feature.drop_front();
    bool known = llvm::any_of(
        info->getAllProcessorFeatures(),
        [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; });
    if ((!feature.starts_with("+") && !feature.starts_with("-")) || !known)
      return emitError(loc) << "unknown CPU feature '" << feature
                            << "' (give +name or -name; llc -mattr=help "
                               "lists them)";
  }
  return success();
}

int64_t seqc::vectorBitsOfTarget(StringRef cpu, StringRef features) {
  if (cpu.empty() && features.empty())
    return seqc::hostVectorBits();
  llvm::InitializeNativeTarget();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  std::string name =
      cpu.empty() ? llvm::sys::getHostCPUName().str() : cpu.str();
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target ? target->createMCSubtargetInfo(triple, name, features) : nullptr);
  if (!info)
    return seqc::hostVectorBits();
  if (info->checkFeatures("+avx512f"))
    return 512;
  if (info->checkFeatures("+avx"))
    return 256;
  return 128;
}

static FailureOr<Translated> translate(ModuleOp module,
                                       const seqc::TargetOptions &options) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  if (failed(
          seqc::checkTargetCpu(options.cpu, options.features, module.getLoc())))
    return failure();
  Translated t;
  t.ctx = std::make_unique<llvm::LLVMContext>();
  t.module = translateModuleToLLVMIR(module, *t.ctx, "seqc_model");
  if (!t.module)
    return module.emitError("cannot translate the module to LLVM IR");
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError("no LLVM target for ")
           << triple.str() << ": " << error;
  std::string cpu =
      options.cpu.empty() ? llvm::sys::getHostCPUName().str() : options.cpu;
  std::string features = options.features;
  if (features.empty() && options.cpu.empty()) {
    llvm::SubtargetFeatures f;
    for (auto &kv : llvm::sys::getHostCPUFeatures())
      f.AddFeature(kv.first(), kv.second);
    features = f.getString();
  }
  llvm::CodeGenOptLevel level =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                              : llvm::CodeGenOptLevel::None;
  t.machine.reset(
      target->createTargetMachine(triple, cpu, features, llvm::TargetOptions(),
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!t.machine)
    return module.emitError("cannot create a target machine for ")
           << triple.str() << " (" << cpu << ")";
  t.module->setDataLayout(t.machine->createDataLayout());
  t.module->setTargetTriple(triple);
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            t.machine.get());
  if (llvm::Error err = optimize(t.module.get())) {
    std::string msg = llvm::toString(std::move(err));
    return module.emitError("LLVM optimization failed: ") << msg;
  }
  return t;
}

LogicalResult seqc::emitLLVMIR(ModuleOp module, llvm::raw_ostream &os,
                               const TargetOptions &options) {
  auto t = translate(module, options);
  if (failed(t))
    return failure();
  t->module->print(os, nullptr);
  return success();
}

LogicalResult seqc::emitObjectFile(ModuleOp module, llvm::StringRef path,
                                   const TargetOptions &options) {
  auto t = translate(module, options);
  if (failed(t))
    return failure();
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return module.emitError("cannot write ") << path << ": " << ec.message();
  llvm::legacy::PassManager pm;
  if (t->machine->addPassesToEmitFile(pm, out.os(), nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return module.emitError("the target cannot emit object files");
  pm.run(*t->module);
  out.keep();
  return success();
}
