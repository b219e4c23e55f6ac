//===- SeqcOps.cpp - The ai.seqc custom-operator domain -------------------===//
//
// Operators that a model may name directly, in the ONNX domain `ai.seqc`
// (version 1), when its exporter would otherwise spell a mixer out in many
// small ONNX ops. Each has a real ONNX OpSchema, registered once in ONNX's
// schema registry, so the importer's node check and ONNX shape inference
// treat it like any standard operator; the importer then builds the seq
// dialect op directly.
//
// ai.seqc.LongConv (since version 1) — a per-channel long convolution:
//
//   inputs   X  T  (B, C, L)   the signal
//            K  T  (C, Kn)     one kernel per channel (not flipped)
//            bias T (C)        optional
//   output   Y  T  (B, C, L)
//   attr     mode  string  "causal" (default) | "centered"
//   T        float16, float, double
//
//   causal:    Y[b,c,t] = bias[c] + sum_{i<Kn} K[c,i] X[b,c,t-i]
//   centered:  Y[b,c,t] = bias[c] + sum_{i<Kn} K[c,i] X[b,c,t-i+(Kn-1)/2]
//
// with X zero outside [0, L). This is Hyena's / S4's
// `irfft(rfft(x, n) * rfft(k, n))[..., :L]`, which ONNX can only express
// through DFT ops and complex arithmetic on (re, im) pairs. It becomes
// seq.long_conv, so seq-select-impl picks FFT or direct per shape, and a
// constant K has its spectrum computed at compile time.
//
//===----------------------------------------------------------------------===//

#include "OnnxImportInternal.h"

#include "seqc/Dialect/Seq/IR/Seq.h"

#include <mutex>

using namespace mlir;

namespace {
constexpr const char *kDomain = "ai.seqc";

void inferLongConv(onnx::InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (onnx::hasInputShape(ctx, 0))
    onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
}
} // namespace

void seqc::detail::registerSeqcSchemas() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto &domains = onnx::OpSchemaRegistry::DomainToVersionRange::Instance();
    if (!domains.Map().count(kDomain))
      domains.AddDomainToVersion(kDomain, 1, 1);
    onnx::OpSchema longConv;
    longConv.SetName("LongConv")
        .SetDomain(kDomain)
        .SinceVersion(1)
        .SetDoc(
            "Per-channel long convolution (see seqc's lib/Import/SeqcOps.cpp)")
        .Input(0, "X", "signal (B, C, L)", "T")
        .Input(1, "K", "kernels (C, Kn)", "T")
        .Input(2, "bias", "per-channel bias (C)", "T", onnx::OpSchema::Optional)
        .Output(0, "Y", "output (B, C, L)", "T")
        .Attr("mode", "causal or centered", onnx::AttributeProto::STRING,
              std::string("causal"))
        .TypeConstraint("T",
                        {"tensor(float16)", "tensor(float)", "tensor(double)"},
                        "floating-point tensors")
        .TypeAndShapeInferenceFunction(inferLongConv);
    onnx::RegisterSchema(std::move(longConv));
  });
}

bool seqc::detail::isSeqcDomain(const std::string &domain) {
  return domain == kDomain;
}

bool seqc::detail::isSeqcOp(const std::string &opType) {
  return opType == "LongConv";
}

LogicalResult
seqc::detail::buildSeqcOp(OpBuilder &b, Location loc,
                          const onnx::NodeProto &node, ArrayRef<Value> operands,
                          ArrayRef<Type> resultTypes,
                          SmallVectorImpl<Value> &results,
                          llvm::function_ref<InFlightDiagnostic()> error) {
  // node.op_type() == "LongConv" (the only one so far).
  if (operands.size() < 2 || resultTypes.size() != 1)
    return error() << "takes X, K and an optional bias, and has one output";
  Value x = operands[0], k = operands[1];
  Value bias = operands.size() > 2 ? operands[2] : Value();
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  auto kt = dyn_cast<RankedTensorType>(k.getType());
  if (!xt || xt.getRank() != 3)
    return error() << "X must be a rank-3 (B, C, L) tensor, got "
                   << x.getType();
  if (!kt || kt.getRank() != 2)
    return error() << "K must be a rank-2 (C, Kn) tensor, got " << k.getType();
  if (xt.getElementType() != kt.getElementType())
    return error() << "X and K must have the same element type";
  if (!ShapedType::isDynamic(xt.getDimSize(1)) &&
      !ShapedType::isDynamic(kt.getDimSize(0)) &&
      xt.getDimSize(1) != kt.getDimSize(0))
    return error() << "X has " << xt.getDimSize(1) << " channels but K has "
                   << kt.getDimSize(0) << " kernels";
  if (bias) {
    auto bt = dyn_cast<RankedTensorType>(bias.getType());
    if (!bt || bt.getRank() != 1 || bt.getElementType() != xt.getElementType())
      return error() << "bias must be a rank-1 (C) tensor of X's type";
  }
  seq::ConvMode mode = seq::ConvMode::causal;
  for (const onnx::AttributeProto &a : node.attribute()) {
    if (a.name() != "mode")
      return error() << "unknown attribute '" << a.name() << "'";
    if (a.s() == "causal")
      mode = seq::ConvMode::causal;
    else if (a.s() == "centered")
      mode = seq::ConvMode::centered;
    else
      return error() << "mode must be \"causal\" or \"centered\", got \""
                     << a.s() << "\"";
  }
  // The result keeps X's shape; shape inference gave the same or a more
  // dynamic type, so take X's own.
  auto op = seq::LongConvOp::create(
      b, loc, xt, x, k, bias, seq::ConvModeAttr::get(b.getContext(), mode),
      /*impl=*/nullptr);
  results.push_back(op.getResult());
  return success();
}
