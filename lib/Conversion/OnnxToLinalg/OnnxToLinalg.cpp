//===- OnnxToLinalg.cpp - convert-onnx-to-linalg ----------------*- C++ -*-===//
//
// Implements `convert-onnx-to-linalg`: applies the pattern families of this
// folder (ControlFlow, Conv, Detection, Elementwise, Indexing with
// Selection, Loss, MatMul, Normalization, Pooling, Quantization, Recurrent,
// Reduction, Resize, Signal, Tensor) once to every onnx op, nested ones
// first (the bodies of If, Loop and Scan are lowered before the op that
// holds them), then reports every op left over at its node's location.
//
// Unsigned integers. ONNX has uint8/16/32/64; MLIR's arith takes signless
// integers only, the signedness living in the operation (divui, remui,
// maxui, cmpi ult, uitofp, extui, shrui). The patterns therefore see the
// ONNX element types (ui8 ...) on the onnx ops' operands and results and
// pick the unsigned variant from them, building their tensors and scalars
// with those same types; once every onnx op is lowered, this pass rewrites
// every unsigned integer type in the module (values, block arguments, the
// signature of @main_graph, constants) to the signless type of its width.
// In between, arith ops on ui values exist inside this pass only; what
// leaves it is valid signless IR. The C ABI keeps the ONNX dtypes: the
// signature is read before this pass runs (seqc::extractSignature).
//
//===----------------------------------------------------------------------===//

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace seqc {
#define GEN_PASS_DEF_CONVERTONNXTOLINALGPASS
#include "seqc/Conversion/Passes.h.inc"
} // namespace seqc

using namespace mlir;

void seqc::populateOnnxToLinalgPatterns(RewritePatternSet &patterns) {
  populateOnnxControlFlowToScfPatterns(patterns);
  populateOnnxConvToLinalgPatterns(patterns);
  populateOnnxDetectionToLinalgPatterns(patterns);
  populateOnnxElementwiseToLinalgPatterns(patterns);
  populateOnnxIndexingToLinalgPatterns(patterns);
  populateOnnxLossToLinalgPatterns(patterns);
  populateOnnxMatMulToLinalgPatterns(patterns);
  populateOnnxNormalizationToLinalgPatterns(patterns);
  populateOnnxPadToLinalgPatterns(patterns);
  populateOnnxPoolingToLinalgPatterns(patterns);
  populateOnnxQuantizationToLinalgPatterns(patterns);
  populateOnnxRecurrentToLinalgPatterns(patterns);
  populateOnnxReductionToLinalgPatterns(patterns);
  populateOnnxResizeToLinalgPatterns(patterns);
  populateOnnxSignalToLinalgPatterns(patterns);
  populateOnnxTensorToLinalgPatterns(patterns);
}

namespace {
struct ConvertOnnxToLinalgPass
    : seqc::impl::ConvertOnnxToLinalgPassBase<ConvertOnnxToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    seqc::populateOnnxToLinalgPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    // Absent optional inputs are dead once their users are lowered.
    getOperation()->walk([](seqc::onnxir::NoValueOp op) {
      if (op->use_empty())
        op->erase();
    });
    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (!llvm::isa_and_present<seqc::onnxir::OnnxDialect>(op->getDialect()) ||
          llvm::isa<seqc::onnxir::NoValueOp, seqc::onnxir::YieldOp>(op))
        return;
      op->emitError() << "'" << op->getName()
                      << "' cannot be lowered to linalg (yet) in this form";
      failedAny = true;
    });
    if (failedAny)
      return signalPassFailure();
    makeIntegersSignless(getOperation());
  }

  /// ui<N> -> i<N> everywhere below `root` (see the file comment).
  static void makeIntegersSignless(Operation *root) {
    AttrTypeReplacer replacer;
    replacer.addReplacement([](IntegerType t) -> std::optional<Type> {
      if (t.isSignless())
        return std::nullopt;
      return IntegerType::get(t.getContext(), t.getWidth());
    });
    // Elements attributes keep their data; only their type changes (the
    // generic walk does not rebuild them).
    auto signlessShaped = [](ShapedType t) -> std::optional<ShapedType> {
      auto it = llvm::dyn_cast<IntegerType>(t.getElementType());
      if (!it || it.isSignless())
        return std::nullopt;
      return t.clone(IntegerType::get(t.getContext(), it.getWidth()));
    };
    replacer.addReplacement(
        [=](DenseIntOrFPElementsAttr a) -> std::optional<Attribute> {
          auto t = signlessShaped(a.getType());
          if (!t)
            return std::nullopt;
          return DenseElementsAttr::getFromRawBuffer(*t, a.getRawData());
        });
    replacer.addReplacement(
        [=](DenseResourceElementsAttr a) -> std::optional<Attribute> {
          auto t = signlessShaped(a.getType());
          if (!t)
            return std::nullopt;
          return DenseResourceElementsAttr::get(*t, a.getRawHandle());
        });
    replacer.recursivelyReplaceElementsIn(root, /*replaceAttrs=*/true,
                                          /*replaceLocs=*/false,
                                          /*replaceTypes=*/true);
  }
};
} // namespace
