//===- CpuCodegen.cpp - seqc-cpu-codegen ------------------------*- C++ -*-===//
//
// Implements `seqc-cpu-codegen`: the CPU code-generation strategy for the
// linalg ops that dominate run time. The strategy itself is the transform-
// dialect library CpuStrategy.mlir (embedded at build time); this pass
// classifies each f32 matmul by the tile loops that need peeling, marks it
// with the attribute of its class and applies the library's
// @__transform_main to the module on tensors, before bufferization.
//
// Matrix multiplications (2-D and batched, f32): split among threads by an
// scf.forall (chunks of 64 rows, or one batch entry each), then register
// tiles of 8x32x1, vectorized; the 8x32 accumulator is hoisted out of the k
// loop and the contraction lowered to outer products, so each k step loads
// 32 floats of B, broadcasts 8 of A and issues 8 vector<32xf32> FMAs (16
// AVX-512 FMAs into 16 registers). Dynamic or ragged M and N are handled by
// peeling the tile loops: full tiles vectorized, the remainder scalar.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

namespace seqc {
#define GEN_PASS_DEF_SEQCCPUCODEGENPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;

// The tile sizes of CpuStrategy.mlir, which decide the peeling below.
static constexpr int64_t kTileM = 8, kTileN = 32, kChunkM = 64;

/// The strategy library (CpuStrategy.mlir), embedded at build time.
static constexpr llvm::StringLiteral kStrategy =
#include "CpuStrategy.mlir.inc"
    ;

/// The attribute naming the class of a matmul: kind and peeled dims (the
/// named sequence of CpuStrategy.mlir that handles it).
static std::string matmulClass(bool batch, bool peelM, bool peelN) {
  return std::string(batch ? "bmm" : "mm") + (peelM ? "_pm" : "") +
         (peelN ? "_pn" : "");
}

namespace {
struct SeqcCpuCodegenPass
    : seqc::impl::SeqcCpuCodegenPassBase<SeqcCpuCodegenPass> {
  LogicalResult initialize(MLIRContext *ctx) override {
    ParserConfig config(ctx);
    strategy = std::make_shared<OwningOpRef<ModuleOp>>(
        parseSourceString<ModuleOp>(kStrategy, config, "CpuStrategy.mlir"));
    return success(bool(*strategy));
  }

  void runOnOperation() override {
    bool any = false;
    // Classify each f32 matmul by the tile loops that need peeling.
    getOperation()->walk([&](linalg::LinalgOp op) {
      bool batch = isa<linalg::BatchMatmulOp>(op);
      if (!batch && !isa<linalg::MatmulOp>(op))
        return;
      auto c = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
      if (!c || !c.getElementType().isF32() || !op.hasPureTensorSemantics())
        return;
      int64_t m = c.getDimSize(batch ? 1 : 0), n = c.getDimSize(batch ? 2 : 1);
      int64_t chunk = batch ? kTileM : kChunkM;
      bool peelM = ShapedType::isDynamic(m) || m % chunk;
      bool peelN = ShapedType::isDynamic(n) || n % kTileN;
      op->setAttr("seqc." + matmulClass(batch, peelM, peelN),
                  UnitAttr::get(&getContext()));
      any = true;
    });
    if (!any)
      return;
    Operation *entry = transform::detail::findTransformEntryPoint(
        (*strategy)->getOperation(), ModuleOp(), "__transform_main");
    transform::TransformOptions options;
    if (!entry ||
        failed(transform::applyTransforms(
            getOperation(), cast<transform::TransformOpInterface>(entry), {},
            options, /*enforceToplevelTransformOp=*/false)))
      return signalPassFailure();
    getOperation()->walk([](Operation *op) {
      for (bool batch : {false, true})
        for (bool peelM : {false, true})
          for (bool peelN : {false, true})
            op->removeAttr("seqc." + matmulClass(batch, peelM, peelN));
    });
  }

  // Parsed once; shared by the clones of the pass.
  std::shared_ptr<OwningOpRef<ModuleOp>> strategy;
};
} // namespace
