//===- Compiler.h - What the seqc driver and the C API share ----*- C++ -*-===//
//
// The pieces of a compilation that the `seqc` driver and the C API (and so
// the Python package) must do the same way: how a diagnostic names its file
// and ONNX node, the token-mixer report of `--print-impl`, the C name of a
// model, and algorithm overrides.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_CAPI_COMPILER_H
#define SEQC_CAPI_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace seqc {

/// Prints `diag` as one line "file: error: node N (Op): message", the file
/// and node taken from its location (colored when `os` supports it).
void printDiagnostic(mlir::Diagnostic &diag, llvm::raw_ostream &os);

/// One token mixer (seq op) of a module and the algorithm implementing it.
struct MixerChoice {
  std::string op;       // "seq.long_conv"
  std::string node;     // the ONNX node it came from ("" if none)
  std::string location; // the printed location
  std::string impl;     // "reference", "fft", ...
};

/// The token mixers of `module` in program order.
std::vector<MixerChoice> collectMixers(mlir::ModuleOp module);

/// The report of `seqc --print-impl`: one line per mixer, then a count.
void printImplReport(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Sets the algorithm of the mixers named by `overrides`, a comma-separated
/// list of KEY=ALGO where KEY is a seq op ("long_conv" or "seq.long_conv")
/// or an ONNX node name, and ALGO an `#seq.impl` value. Unknown keys and
/// algorithms are errors emitted on the module; an algorithm an op cannot
/// use is reported by the op's verifier.
mlir::LogicalResult applyImplOverrides(mlir::ModuleOp module,
                                       llvm::StringRef overrides);

/// The seq level of an imported model: raises the token mixers
/// (buildRaisePipeline), applies `overrides` (as applyImplOverrides; may be
/// empty), and chooses the remaining algorithms (buildSelectImplPipeline).
/// What `seqc --emit=seq` prints and `--print-impl` reports.
mlir::LogicalResult raiseToSeq(mlir::ModuleOp module,
                               llvm::StringRef overrides);

/// The C identifier of a model from a file name: libfoo.so -> foo,
/// m-1.onnx -> m_1; names that start with a digit get an `m_` prefix.
std::string modelNameFromPath(llvm::StringRef path);

} // namespace seqc

#endif // SEQC_CAPI_COMPILER_H
