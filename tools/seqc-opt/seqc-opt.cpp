//===- seqc-opt.cpp - The seqc optimizer driver -----------------*- C++ -*-===//
//
// An mlir-opt for seqc: the seq dialect, its passes and pipelines, and the
// upstream dialects and passes the pipelines use. Test-only passes (prefixed
// `test-`) are registered here and nowhere else. Its --help lists MLIR's
// options and the passes; LLVM's back-end options are in --help-hidden.
//
//===----------------------------------------------------------------------===//

#include "seqc/InitAllDialects.h"
#include "seqc/InitAllPasses.h"

#include "ToolOptions.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

namespace seqc::test {
void registerTestPasses();
} // namespace seqc::test

int main(int argc, char **argv) {
  // Before MlirOptMain registers MLIR's options: only LLVM's are hidden.
  seqc::tools::hideLibraryOptions({});
  seqc::registerAllPasses();
  seqc::test::registerTestPasses();
  mlir::DialectRegistry registry;
  seqc::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "seqc optimizer driver: seq dialect passes and pipelines\n",
      registry));
}
