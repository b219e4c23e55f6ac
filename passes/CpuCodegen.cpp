//===- CpuCodegen.cpp - seqc-cpu-codegen ------------------------*- C++ -*-===//
//
// Implements `seqc-cpu-codegen`: the CPU code-generation strategy for the
// linalg ops that dominate run time, written as a transform-dialect script
// (kStrategy below) and applied to the module on tensors, before
// bufferization.
//
// Matrix multiplication: register tiles of 8x32x1, vectorized; the 8x32
// accumulator is hoisted out of the k loop and the contraction lowered to
// outer products, so each k step loads 32 floats of B, broadcasts 8 of A and
// issues 8 vector<32xf32> FMAs (16 AVX-512 FMAs into 16 registers). The
// zero fill of the result is tiled and vectorized the same way. A dynamic
// or ragged M is handled by peeling the row loop (full tiles vectorized,
// the remainder rows scalar); N must be a static multiple of 32.
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

static constexpr int64_t kTileM = 8, kTileN = 32;

static const char kStrategy[] = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(
      %root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]}
        attributes{seqc.tiled} in %root
        : (!transform.any_op) -> !transform.any_op
    %tm, %lm:3 = transform.structured.tile_using_for %mm tile_sizes [8, 32, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                  !transform.any_op, !transform.any_op)
    transform.structured.vectorize %tm : !transform.any_op
    %fill = transform.structured.match ops{["linalg.fill"]}
        attributes{seqc.tiled} in %root
        : (!transform.any_op) -> !transform.any_op
    %tf, %lf:2 = transform.structured.tile_using_for %fill tile_sizes [8, 32]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                  !transform.any_op)
    transform.structured.vectorize %tf : !transform.any_op
    // Dynamic or ragged M: peel the row-tile loop so its main part has full
    // 8-row tiles; the remainder keeps scalar loops.
    %mmp = transform.structured.match ops{["linalg.matmul"]}
        attributes{seqc.tiled_peeled} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %mmp : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      %tp, %lp:3 = transform.structured.tile_using_for %one
          tile_sizes [8, 32, 1]
          : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                    !transform.any_op, !transform.any_op)
      %rows = transform.cast %lp#0
          : !transform.any_op to !transform.op<"scf.for">
      %main, %rest = transform.loop.peel %rows
          : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
      transform.apply_patterns to %main {
        transform.apply_patterns.canonicalization
      } : !transform.any_op
      %mmMain = transform.structured.match ops{["linalg.matmul"]} in %main
          : (!transform.any_op) -> !transform.any_op
      transform.structured.vectorize %mmMain : !transform.any_op
    }
    // Batched matmuls (attention): 1x8x32x1 tiles, vectorized with masks so
    // that dynamic sequence lengths need no peeling.
    %bmm = transform.structured.match ops{["linalg.batch_matmul"]}
        attributes{seqc.tiled_masked} in %root
        : (!transform.any_op) -> !transform.any_op
    %tb, %lb:4 = transform.structured.tile_using_for %bmm
        tile_sizes [1, 8, 32, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                  !transform.any_op, !transform.any_op,
                                  !transform.any_op)
    transform.structured.vectorize %tb vector_sizes [1, 8, 32, 1]
        : !transform.any_op
    %f = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.vector.lower_masked_transfers
      transform.apply_patterns.vector.lower_masks
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    %loops = transform.structured.match ops{["scf.for"]} in %f
        : (!transform.any_op) -> !transform.any_op
    transform.apply_licm to %loops : !transform.any_op
    %loops2 = transform.structured.match ops{["scf.for"]} in %f
        : (!transform.any_op) -> !transform.any_op
    transform.loop.hoist_loop_invariant_subsets %loops2 : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction
          lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
    } : !transform.any_op
    transform.yield
  }
}
)mlir";

namespace {
struct SeqcCpuCodegenPass
    : seqc::impl::SeqcCpuCodegenPassBase<SeqcCpuCodegenPass> {
  LogicalResult initialize(MLIRContext *ctx) override {
    ParserConfig config(ctx);
    strategy = std::make_shared<OwningOpRef<ModuleOp>>(
        parseSourceString<ModuleOp>(kStrategy, config));
    return success(bool(*strategy));
  }

  void runOnOperation() override {
    bool any = false;
    UnitAttr mark = UnitAttr::get(&getContext());
    getOperation()->walk([&](linalg::MatmulOp mm) {
      auto c = llvm::dyn_cast<RankedTensorType>(mm.getOutputs()[0].getType());
      if (!c || ShapedType::isDynamic(c.getDimSize(1)) ||
          c.getDimSize(1) % kTileN)
        return;
      any = true;
      if (ShapedType::isDynamic(c.getDimSize(0)) || c.getDimSize(0) % kTileM) {
        mm->setAttr("seqc.tiled_peeled", mark);
        return;
      }
      mm->setAttr("seqc.tiled", mark);
      if (auto fill = mm.getOutputs()[0].getDefiningOp<linalg::FillOp>())
        fill->setAttr("seqc.tiled", mark);
    });
    getOperation()->walk([&](linalg::BatchMatmulOp mm) {
      auto c = llvm::dyn_cast<RankedTensorType>(mm.getOutputs()[0].getType());
      if (!c || ShapedType::isDynamic(c.getDimSize(0)))
        return;
      mm->setAttr("seqc.tiled_masked", mark);
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
      op->removeAttr("seqc.tiled");
      op->removeAttr("seqc.tiled_peeled");
      op->removeAttr("seqc.tiled_masked");
    });
  }

  // Parsed once; shared by the clones of the pass.
  std::shared_ptr<OwningOpRef<ModuleOp>> strategy;
};
} // namespace
