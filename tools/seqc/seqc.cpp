//===- seqc.cpp - The seqc ahead-of-time compiler driver --------*- C++ -*-===//
//
// `seqc model.onnx [-o out] [--emit=onnx]`: imports an ONNX model and prints
// the onnx-dialect module. Later stages (seq, linalg, llvm, obj, lib) arrive
// with the AOT compilation issue; asking for them is a clear error today.
// Errors name the file and the node and exit with status 1.
//
//===----------------------------------------------------------------------===//

#include "seqc/Import/OnnxImporter.h"
#include "seqc/InitAllDialects.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {
enum class Emit { onnx, seq, linalg, llvmir, obj, lib };

cl::OptionCategory seqcCat("seqc options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | ->"),
                               cl::Required, cl::cat(seqcCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(seqcCat));
cl::opt<Emit> emit(
    "emit", cl::desc("Stop after a stage and print its output"),
    cl::init(Emit::lib),
    cl::values(clEnumValN(Emit::onnx, "onnx", "the imported onnx dialect"),
               clEnumValN(Emit::seq, "seq", "after raising to seq ops"),
               clEnumValN(Emit::linalg, "linalg", "after lowering to linalg"),
               clEnumValN(Emit::llvmir, "llvm", "the LLVM dialect"),
               clEnumValN(Emit::obj, "obj", "an object file"),
               clEnumValN(Emit::lib, "lib", "a shared library (default)")),
    cl::cat(seqcCat));
cl::opt<bool> noShapeInference("no-shape-inference",
                               cl::desc("Skip ONNX shape inference"),
                               cl::cat(seqcCat));
cl::opt<bool> printWeights(
    "print-weights",
    cl::desc("Print weights (dense resources) in full instead of eliding "
             "them"),
    cl::cat(seqcCat));

/// "file: error: message" for our file/node locations.
void printDiagnostic(mlir::Diagnostic &diag) {
  mlir::Location loc = diag.getLocation();
  std::string where;
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(loc))
    loc = name.getChildLoc();
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(loc))
    where = file.getFilename().str();
  raw_ostream &os = errs();
  os << (where.empty() ? "seqc" : where) << ": ";
  switch (diag.getSeverity()) {
  case mlir::DiagnosticSeverity::Error:
    WithColor(os, HighlightColor::Error) << "error: ";
    break;
  case mlir::DiagnosticSeverity::Warning:
    WithColor(os, HighlightColor::Warning) << "warning: ";
    break;
  default:
    os << "note: ";
    break;
  }
  os << diag << "\n";
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(seqcCat);
  cl::ParseCommandLineOptions(
      argc, argv,
      "seqc: ahead-of-time compiler for long-sequence models\n\n"
      "  seqc model.onnx --emit=onnx      print the imported onnx dialect\n"
      "  seqc - --emit=onnx < model.onnx  read the model from stdin\n");

  mlir::DialectRegistry registry;
  seqc::registerAllDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.getDiagEngine().registerHandler([](mlir::Diagnostic &diag) {
    printDiagnostic(diag);
    return mlir::success();
  });

  if (emit != Emit::onnx) {
    static const char *names[] = {"onnx", "seq", "linalg", "llvm", "obj",
                                  "lib"};
    errs() << "seqc: error: --emit=" << names[static_cast<int>(emit.getValue())]
           << " is not available yet: this build imports ONNX models "
              "(--emit=onnx); compilation to seq, linalg, LLVM and shared "
              "libraries is the next milestone\n";
    return 1;
  }

  seqc::OnnxImportOptions options;
  options.shapeInference = !noShapeInference;
  auto module = seqc::importOnnxModel(&ctx, inputFile, options);
  if (!module)
    return 1;

  std::string error;
  auto out = mlir::openOutputFile(outputFile, &error);
  if (!out) {
    errs() << "seqc: error: " << error << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (!printWeights)
    flags.elideLargeResourceString(64);
  module->print(out->os(), flags);
  out->os() << "\n";
  out->keep();
  return 0;
}
