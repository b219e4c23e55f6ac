//===- ImportFuzzer.cpp - libFuzzer target over the ONNX importer -*- C++
//-*-===//
//
// Feeds arbitrary bytes to seqc::importOnnxModelFromBytes. Any crash, hang
// or sanitizer report is a bug: the importer must reject bad models with a
// diagnostic. Built with clang-22 (-fsanitize=fuzzer,address) as a separate
// CMake build (SEQC_FUZZER_ONLY); test/Import/fuzz.test runs it.
//
//===----------------------------------------------------------------------===//

#include "seqc/Import/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    seqc::registerOnnxImportDialects(*r);
    return r;
  }();
  mlir::MLIRContext ctx(*registry, mlir::MLIRContext::Threading::DISABLED);
  ctx.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &) { return mlir::success(); });
  seqc::OnnxImportOptions options;
  (void)seqc::importOnnxModelFromBytes(
      &ctx, llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz-input", /*baseDir=*/"", options);
  return 0;
}
