//===- Target.cpp - Facts about the code-generation target ----------------===//

#include "seqc/Utils/Target.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

int64_t seqc::vectorBitsForFeatures(llvm::StringRef features) {
  llvm::SmallVector<llvm::StringRef> list;
  features.split(list, ',', -1, false);
  auto has = [&](llvm::StringRef f) {
    return llvm::is_contained(list, ("+" + f).str());
  };
  if (has("avx512f"))
    return 512;
  if (has("avx2") || has("avx"))
    return 256;
  return 128;
}

int64_t seqc::hostVectorBits() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto on = [&](llvm::StringRef f) { return features.lookup(f); };
  if (on("avx512f"))
    return 512;
  if (on("avx2") || on("avx"))
    return 256;
  return 128;
}

int64_t seqc::targetVectorBits(Operation *op) {
  auto module = llvm::dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  if (module)
    if (auto bits = module->getAttrOfType<IntegerAttr>(kTargetVectorBitsAttr))
      return bits.getInt();
  return hostVectorBits();
}

void seqc::setTargetVectorBits(ModuleOp module, int64_t bits) {
  module->setAttr(kTargetVectorBitsAttr,
                  Builder(module.getContext()).getI64IntegerAttr(bits));
}
