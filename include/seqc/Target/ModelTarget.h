//===- ModelTarget.h - Object files and shared libraries --------*- C++ -*-===//
//
// The last steps of ahead-of-time compilation: the model's signature (taken
// from the imported function before lowering), LLVM dialect -> object file
// through LLVM's TargetMachine, and the shared library with its C entry
// points and header.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TARGET_MODELTARGET_H
#define SEQC_TARGET_MODELTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
}

namespace seqc {

/// One input or output of a compiled model.
struct TensorSpec {
  std::string name;
  int dtype = 0;                     // seqc_dtype
  std::vector<int64_t> dims;         // -1: dynamic
  std::vector<std::string> dimNames; // "" if none
};

struct ModelSignature {
  std::string name; // a C identifier: the prefix of the entry points
  std::vector<TensorSpec> inputs, outputs;
  /// The JSON form returned by <name>_signature().
  std::string json() const;
};

/// Reads the signature of `func.func @main_graph` (call before lowering).
mlir::FailureOr<ModelSignature> extractSignature(mlir::ModuleOp module,
                                                 llvm::StringRef name);

struct TargetOptions {
  unsigned optLevel = 3;
  std::string cpu;      // "" = the host CPU
  std::string features; // "" = the host CPU's features
};

/// Checks a target CPU and feature list ("+avx2,-fma") against the host's
/// LLVM target; code generation runs it first, since LLVM would abort on an
/// unknown CPU. Empty strings are the host's and always valid.
mlir::LogicalResult checkTargetCpu(llvm::StringRef cpu,
                                   llvm::StringRef features,
                                   mlir::Location loc);

/// The widest vector register (bits) of the CPU code is compiled for (the
/// host when both are empty); passes read it from the module
/// (seqc::setTargetVectorBits, include/seqc/Utils/Target.h).
int64_t vectorBitsOfTarget(llvm::StringRef cpu, llvm::StringRef features);

/// Registers the LLVM IR translations object emission needs.
void registerTargetTranslations(mlir::DialectRegistry &registry);

/// Translates an LLVM-dialect module to LLVM IR, optimizes it and writes an
/// object file (or, with `assembly`, LLVM IR text) to `path`.
mlir::LogicalResult emitObjectFile(mlir::ModuleOp module, llvm::StringRef path,
                                   const TargetOptions &options);
mlir::LogicalResult emitLLVMIR(mlir::ModuleOp module, llvm::raw_ostream &os,
                               const TargetOptions &options);

/// Links `objectPath` with the generated entry points and the runtime into
/// the shared library `soPath`, and writes `<soPath stem>.h` and
/// `seqc_runtime.h` beside it.
mlir::LogicalResult linkSharedLibrary(const ModelSignature &sig,
                                      llvm::StringRef objectPath,
                                      llvm::StringRef soPath,
                                      mlir::Location loc);

/// The C header declaring a model's entry points.
std::string modelHeader(const ModelSignature &sig);

} // namespace seqc

#endif // SEQC_TARGET_MODELTARGET_H
