//===- ToolOptions.h - The --help of the seqc tools -------------*- C++ -*-===//
//
// seqc, seqc-run and seqc-opt link LLVM, whose libraries register hundreds
// of options as they load (the back ends' -amdgpu-*, -aarch64-*, ...). These
// helpers keep them out of --help while the command line still accepts them
// and --help-hidden / --help-list-hidden still list them.
//
// cl::HideUnrelatedOptions is not used: it makes the other options
// cl::ReallyHidden, which --help-hidden does not list either.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TOOLS_COMMON_TOOLOPTIONS_H
#define SEQC_TOOLS_COMMON_TOOLOPTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"

namespace seqc::tools {

/// The category of the options every tool has (--help, --version), and of
/// the standard MLIR options a tool shows (listFirst).
inline llvm::cl::OptionCategory &standardCategory() {
  static llvm::cl::OptionCategory cat("standard options");
  return cat;
}

/// LLVM's category of --help, --version, ... ("Generic Options").
inline const llvm::cl::OptionCategory *genericCategory() {
  llvm::cl::Option *help = llvm::cl::getRegisteredOptions().lookup("help");
  return help && !help->Categories.empty() ? help->Categories.front() : nullptr;
}

/// Hides from --help (cl::Hidden, which --help-hidden still lists) every
/// option registered so far that is in none of the categories `keep` nor
/// LLVM's generic one. Called first thing in main, this hides the options the
/// linked libraries registered as they loaded and leaves those the tool
/// registers afterwards (MLIR's --mlir-* options, the pass list) visible.
inline void
hideLibraryOptions(llvm::ArrayRef<const llvm::cl::OptionCategory *> keep) {
  const llvm::cl::OptionCategory *generic = genericCategory();
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::cl::Option *opt = entry.second;
    bool kept = llvm::any_of(opt->Categories, [&](auto *cat) {
      return cat == generic || llvm::is_contained(keep, cat);
    });
    if (!kept && opt->getOptionHiddenFlag() == llvm::cl::NotHidden)
      opt->setHiddenFlag(llvm::cl::Hidden);
  }
}

/// Files the generic options and the visible ones outside `first` (those
/// the tool registered after hideLibraryOptions) under standardCategory(),
/// so that --help lists `first` first: it prints categories sorted by name,
/// and LLVM's ("Generic Options", "General options") sort before lower-case
/// ones. Call it after the last option is registered.
inline void listFirst(const llvm::cl::OptionCategory &first) {
  const llvm::cl::OptionCategory *generic = genericCategory();
  llvm::cl::OptionCategory &standard = standardCategory();
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::cl::Option *opt = entry.second;
    if (llvm::is_contained(opt->Categories, &first))
      continue;
    if (opt->getOptionHiddenFlag() == llvm::cl::NotHidden ||
        llvm::is_contained(opt->Categories, generic))
      opt->Categories.assign({&standard});
  }
}

} // namespace seqc::tools

#endif // SEQC_TOOLS_COMMON_TOOLOPTIONS_H
