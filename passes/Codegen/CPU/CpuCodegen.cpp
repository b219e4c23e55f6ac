//===- CpuCodegen.cpp - seqc-cpu-codegen ------------------------*- C++ -*-===//
//
// Implements `seqc-cpu-codegen`: the CPU code-generation strategy for the
// linalg ops that dominate run time, written as a transform-dialect script
// (built by buildStrategy below) and applied to the module on tensors,
// before bufferization.
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

static constexpr int64_t kTileM = 8, kTileN = 32, kChunkM = 64;

/// The transform script for one class of matmuls: those carrying `attr`.
/// Each op is split among threads (an scf.forall over chunks of kChunkM rows,
/// or over the batch), tiled into kTileM x kTileN register tiles with a unit
/// k step, and the tile loops whose extent is not a static multiple of the
/// tile are peeled, so that the main tiles have static shapes and vectorize
/// without masks; the peeled remainders stay scalar.
static std::string matmulBlock(StringRef attr, bool batch, bool peelM,
                               bool peelN) {
  std::string s;
  llvm::raw_string_ostream os(s);
  StringRef op = batch ? "linalg.batch_matmul" : "linalg.matmul";
  os << "    %" << attr << " = transform.structured.match ops{[\"" << op
     << "\"]} attributes{seqc." << attr << "} in %root\n"
     << "        : (!transform.any_op) -> !transform.any_op\n"
     << "    transform.foreach %" << attr << " : !transform.any_op {\n"
     << "    ^bb0(%one: !transform.any_op):\n"
     << "      %chunk, %forall = transform.structured.tile_using_forall %one\n"
     << "          tile_sizes [" << (batch ? 1 : kChunkM) << "]\n"
     << "          : (!transform.any_op) -> (!transform.any_op, "
        "!transform.any_op)\n"
     << "      %tile, %loops:3 = transform.structured.tile_using_for %chunk\n"
     << "          tile_sizes [" << (batch ? "0, " : "") << kTileM << ", "
     << kTileN << ", 1]\n"
     << "          : (!transform.any_op) -> (!transform.any_op, "
        "!transform.any_op, !transform.any_op, !transform.any_op)\n";
  // Peeling a loop consumes its handle and those of the ops nested in it:
  // peel N first, then M, and match the tiles in what remains. With both
  // peeled, the M main loop holds full tiles and N-remainder tiles; the
  // vector sizes make the latter masked and leave the former unmasked.
  std::string scope = "%forall";
  if (peelN) {
    os << "      %n = transform.cast %loops#1 : !transform.any_op to "
          "!transform.op<\"scf.for\">\n"
       << "      %nMain, %nRest = transform.loop.peel %n\n"
       << "          : (!transform.op<\"scf.for\">) -> (!transform.any_op, "
          "!transform.any_op)\n";
    scope = "%nMain";
  }
  if (peelM) {
    os << "      %m = transform.cast %loops#0 : !transform.any_op to "
          "!transform.op<\"scf.for\">\n"
       << "      %mMain, %mRest = transform.loop.peel %m\n"
       << "          : (!transform.op<\"scf.for\">) -> (!transform.any_op, "
          "!transform.any_op)\n";
    scope = "%mMain";
  }
  // No canonicalization here: it may fold away single-iteration loops that
  // handles still track. The vector sizes cover tiles whose static size is
  // not visible yet; their masks fold away later.
  os << "      %full = transform.structured.match ops{[\"" << op << "\"]} in "
     << scope << "\n"
     << "          : (!transform.any_op) -> !transform.any_op\n"
     << "      transform.structured.vectorize %full vector_sizes ["
     << (batch ? "1, " : "") << kTileM << ", " << kTileN << ", 1]\n"
     << "          : !transform.any_op\n"
     << "    }\n";
  return s;
}

/// The attribute naming the class of a matmul: kind and peeled dims.
static std::string matmulClass(bool batch, bool peelM, bool peelN) {
  return std::string(batch ? "bmm" : "mm") + (peelM ? "_pm" : "") +
         (peelN ? "_pn" : "");
}

static std::string buildStrategy() {
  std::string s = R"mlir(
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(
      %root: !transform.any_op {transform.readonly}) {
)mlir";
  for (bool batch : {false, true})
    for (bool peelM : {false, true})
      for (bool peelN : {false, true})
        s += matmulBlock(matmulClass(batch, peelM, peelN), batch, peelM,
                         peelN);
  s += R"mlir(
    %f = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // Multiply + reduce into vector.contract before canonicalization turns
    // the unit-k reduction into a shape_cast; then constant tile sizes into
    // the types, so that the masks of full tiles fold away before masks are
    // lowered.
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
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
  return s;
}

namespace {
struct SeqcCpuCodegenPass
    : seqc::impl::SeqcCpuCodegenPassBase<SeqcCpuCodegenPass> {
  LogicalResult initialize(MLIRContext *ctx) override {
    ParserConfig config(ctx);
    strategy = std::make_shared<OwningOpRef<ModuleOp>>(
        parseSourceString<ModuleOp>(buildStrategy(), config));
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
