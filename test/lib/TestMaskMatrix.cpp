//===- TestMaskMatrix.cpp - Print the matrix a #seq.mask denotes -*- C++
//-*-===//
//
// `test-seq-mask-matrix` prints, for every seq.attention with static
// sequence lengths, the boolean matrix M(p, j) of each distinct head mask as
// computed by MaskAttr::contains. test/Dialect/Seq/mask-semantics.test
// compares it with matrices built from the papers' definitions.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace seqc::seq;

namespace {
struct TestMaskMatrixPass : PassWrapper<TestMaskMatrixPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestMaskMatrixPass)
  StringRef getArgument() const final { return "test-seq-mask-matrix"; }
  StringRef getDescription() const final {
    return "Print the boolean matrix of each seq.attention mask";
  }
  void runOnOperation() override {
    getOperation()->walk([&](AttentionOp op) {
      auto qt = llvm::cast<RankedTensorType>(op.getQuery().getType());
      auto kt = llvm::cast<RankedTensorType>(op.getKey().getType());
      int64_t lq = qt.getDimSize(2), lk = kt.getDimSize(2);
      if (ShapedType::isDynamic(lq) || ShapedType::isDynamic(lk)) {
        op.emitRemark("dynamic sequence length: no matrix");
        return;
      }
      auto perHead = llvm::dyn_cast<ArrayAttr>(op.getMask());
      int64_t heads = perHead ? static_cast<int64_t>(perHead.size()) : 1;
      for (int64_t h = 0; h < heads; ++h) {
        MaskAttr m = op.getHeadMask(h);
        llvm::outs() << "mask " << h << " " << lq << "x" << lk << "\n";
        for (int64_t r = 0; r < lq; ++r) {
          for (int64_t j = 0; j < lk; ++j)
            llvm::outs() << (m.contains(r + lk - lq, j) ? '1' : '0');
          llvm::outs() << "\n";
        }
      }
    });
  }
};
} // namespace

namespace seqc::test {
void registerTestPasses() { PassRegistration<TestMaskMatrixPass>(); }
} // namespace seqc::test
