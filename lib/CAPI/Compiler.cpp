//===- Compiler.cpp - What the seqc driver and the C API share --*- C++ -*-===//
//
// Diagnostics with file and node names, the token-mixer report, model names
// and algorithm overrides, written once for the driver and the C API.
//
//===----------------------------------------------------------------------===//

#include "seqc/CAPI/Compiler.h"

#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Pipelines/Pipelines.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cctype>

using namespace mlir;
using llvm::StringRef;

void seqc::printDiagnostic(Diagnostic &diag, llvm::raw_ostream &os) {
  Location loc = diag.getLocation();
  std::string node, file;
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    node = name.getName().str();
    loc = name.getChildLoc();
  }
  if (auto f = llvm::dyn_cast<FileLineColLoc>(loc))
    file = f.getFilename().str();
  std::string msg;
  llvm::raw_string_ostream ms(msg);
  ms << diag;
  os << (file.empty() ? "seqc" : file) << ": ";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    llvm::WithColor(os, llvm::HighlightColor::Error) << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    llvm::WithColor(os, llvm::HighlightColor::Warning) << "warning: ";
    break;
  default:
    os << "note: ";
    break;
  }
  if (!node.empty() && msg.find("node '") == std::string::npos)
    os << "node " << node << ": ";
  os << msg << "\n";
}

/// The ONNX node an op came from: the first name in its location.
static std::string nodeName(Location loc) {
  std::string found;
  loc->walk([&](Location l) {
    if (auto name = llvm::dyn_cast<NameLoc>(l)) {
      found = name.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

std::vector<seqc::MixerChoice> seqc::collectMixers(ModuleOp module) {
  std::vector<MixerChoice> mixers;
  module->walk([&](Operation *op) {
    if (!llvm::isa_and_present<seq::SeqDialect>(op->getDialect()))
      return;
    auto impl = op->getAttrOfType<seq::ImplKindAttr>("impl");
    MixerChoice m;
    m.op = op->getName().getStringRef().str();
    m.node = nodeName(op->getLoc());
    llvm::raw_string_ostream(m.location) << op->getLoc();
    m.impl = impl ? seq::stringifyImplKind(impl.getValue()).str()
                  : std::string("reference");
    mixers.push_back(std::move(m));
  });
  return mixers;
}

void seqc::printImplReport(ModuleOp module, llvm::raw_ostream &os) {
  std::vector<MixerChoice> mixers = collectMixers(module);
  for (const MixerChoice &m : mixers)
    os << m.op << " at " << m.location << ": " << m.impl << "\n";
  os << mixers.size() << " token mixer" << (mixers.size() == 1 ? "" : "s")
     << "\n";
}

/// Whether `key` names the node of location `loc`: "conv1" matches the
/// importer's "conv1 (Conv)".
static bool namesNode(StringRef key, StringRef node) {
  return node == key || (node.starts_with(key) &&
                         node.drop_front(key.size()).starts_with(" ("));
}

LogicalResult seqc::applyImplOverrides(ModuleOp module, StringRef overrides) {
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<seq::SeqDialect>();
  // The seq ops that carry an algorithm, by their short and full names.
  llvm::StringMap<bool> seqOps;
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    if (name.getDialectNamespace() == seq::SeqDialect::getDialectNamespace()) {
      seqOps[name.getStringRef()] = true;
      seqOps[name.getStringRef().drop_front(
          seq::SeqDialect::getDialectNamespace().size() + 1)] = true;
    }
  llvm::SmallVector<StringRef> entries;
  overrides.split(entries, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    auto [key, algo] = entry.split('=');
    key = key.trim();
    algo = algo.trim();
    if (key.empty() || algo.empty())
      return module.emitError()
             << "impl override '" << entry.trim() << "' is not KEY=ALGORITHM";
    std::optional<seq::ImplKind> kind = seq::symbolizeImplKind(algo);
    if (!kind) {
      auto diag = module.emitError()
                  << "impl override '" << key << "': unknown algorithm '"
                  << algo << "'; expected one of: ";
      for (uint32_t i = 0; auto k = seq::symbolizeImplKind(i); ++i)
        diag << (i ? ", " : "") << seq::stringifyImplKind(*k);
      return diag;
    }
    bool isOpName = seqOps.count(key);
    bool matched = false;
    auto attr = seq::ImplKindAttr::get(ctx, *kind);
    module->walk([&](Operation *op) {
      if (!llvm::isa_and_present<seq::SeqDialect>(op->getDialect()))
        return;
      StringRef full = op->getName().getStringRef();
      bool hit = isOpName ? (full == key || full.ends_with(("." + key).str()))
                          : namesNode(key, nodeName(op->getLoc()));
      if (hit) {
        op->setAttr("impl", attr);
        matched = true;
      }
    });
    // A seq op name applies to however many such ops the model has (maybe
    // none); a node name must name a mixer.
    if (!isOpName && !matched)
      return module.emitError()
             << "impl override '" << key
             << "': no token mixer of that name (give a seq op such as "
                "'long_conv' or the ONNX node of a mixer)";
  }
  return success();
}

LogicalResult seqc::raiseToSeq(ModuleOp module, StringRef overrides) {
  PassManager raise(module.getContext()), select(module.getContext());
  if (failed(buildRaisePipeline(raise)) ||
      failed(buildSelectImplPipeline(select)))
    return module.emitError("internal error: a pipeline pass is not "
                            "registered");
  if (failed(raise.run(module)))
    return failure();
  if (!overrides.empty() &&
      (failed(applyImplOverrides(module, overrides)) || failed(verify(module))))
    return failure();
  return select.run(module);
}

std::string seqc::modelNameFromPath(StringRef path) {
  std::string stem = llvm::sys::path::stem(path).str();
  if (StringRef(stem).starts_with("lib") && stem.size() > 3)
    stem = stem.substr(3);
  for (char &c : stem)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  if (stem.empty() || isdigit(static_cast<unsigned char>(stem[0])))
    stem = "m_" + stem;
  return stem;
}
