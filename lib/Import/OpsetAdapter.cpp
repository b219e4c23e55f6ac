//===- OpsetAdapter.cpp - Older opsets to the dialect's form ----*- C++ -*-===//
//
// See OpsetAdapter.h. Each rule names the opset at which ONNX changed the
// operator; nodes of models at that opset or later need nothing.
//
//===----------------------------------------------------------------------===//

#include "OpsetAdapter.h"
#include "seqc/Utils/AttrNames.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OperationSupport.h"

using namespace mlir;
using namespace seqc::detail;

static const onnx::AttributeProto *findAttr(const onnx::NodeProto &n,
                                            llvm::StringRef name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

namespace {
struct Rule {
  const char *op;
  int64_t changedAt; // the first opset with the new form
  const char *attr;
  int input;
  AdaptedInput::Kind kind;
};
// Attributes that became inputs.
const Rule kRules[] = {
    {"Split", 13, "split", 1, AdaptedInput::I64s},
    {"Squeeze", 13, "axes", 1, AdaptedInput::I64s},
    {"Unsqueeze", 13, "axes", 1, AdaptedInput::I64s},
    {"ReduceSum", 13, "axes", 1, AdaptedInput::I64s},
    {"Pad", 11, "pads", 1, AdaptedInput::I64s},
    {"Pad", 11, "value", 2, AdaptedInput::ScalarLikeInput0},
    {"Clip", 11, "min", 1, AdaptedInput::ScalarLikeInput0},
    {"Clip", 11, "max", 2, AdaptedInput::ScalarLikeInput0},
    {"Slice", 10, "starts", 1, AdaptedInput::I64s},
    {"Slice", 10, "ends", 2, AdaptedInput::I64s},
    {"Slice", 10, "axes", 3, AdaptedInput::I64s},
    {"TopK", 10, "k", 1, AdaptedInput::I64s},
    {"Dropout", 12, "ratio", 1, AdaptedInput::ScalarLikeInput0},
    {"Upsample", 9, "scales", 1, AdaptedInput::F32s},
};
} // namespace

/// Operand `operand` (ranked) of `op` gets `count` trailing unit dims: an
/// onnx.Unsqueeze (axes rank .. rank + count - 1) inserted before `op`, so
/// that nodes imported later still come after `op`.
static void appendUnitDims(OpBuilder &b, Location loc, Operation *op,
                           unsigned operand, int64_t count) {
  Value v = op->getOperand(operand);
  auto t = llvm::cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> axes, shape(t.getShape());
  for (int64_t i = 0; i < count; ++i) {
    axes.push_back(t.getRank() + i);
    shape.push_back(1);
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  auto axesType = RankedTensorType::get({count}, b.getI64Type());
  OperationState cst(loc, "onnx.Constant");
  cst.addAttribute("value",
                   DenseElementsAttr::get(axesType, ArrayRef<int64_t>(axes)));
  cst.addTypes(axesType);
  Operation *axesOp = b.create(cst);
  OperationState unsq(loc, "onnx.Unsqueeze");
  unsq.addOperands({v, axesOp->getResult(0)});
  unsq.addTypes(RankedTensorType::get(shape, t.getElementType()));
  op->setOperand(operand, b.create(unsq)->getResult(0));
}

/// Moves attribute `attr` of `n`, when present, to constant input `input`.
static void takeAttr(const onnx::NodeProto &n, const char *attr, int input,
                     AdaptedInput::Kind kind, AdaptedNode &out) {
  const onnx::AttributeProto *a = findAttr(n, attr);
  if (!a)
    return;
  AdaptedInput in{kind, {}, {}, 0};
  if (a->type() == onnx::AttributeProto::INTS)
    in.ints.assign(a->ints().begin(), a->ints().end());
  else if (a->type() == onnx::AttributeProto::INT)
    in.ints.push_back(a->i());
  else if (a->type() == onnx::AttributeProto::FLOATS)
    in.floats.assign(a->floats().begin(), a->floats().end());
  else if (a->type() == onnx::AttributeProto::FLOAT)
    in.scalar = a->f();
  out.extraInputs.push_back({input, in});
  out.consumedAttrs.insert(attr);
}

//===----------------------------------------------------------------------===//
// Per-operator adapters
//===----------------------------------------------------------------------===//

namespace {
/// An adapter for the nodes of one operator from before the opset that
/// changed it; it may rewrite the node and fills `out`.
using AdaptFn =
    LogicalResult (*)(onnx::NodeProto &n, AdaptedNode &out,
                      llvm::function_ref<InFlightDiagnostic()> error);
} // namespace

/// BatchNormalization before 9: `spatial` (only 1 is supported), `is_test`
/// and `consumed_inputs` are dropped.
static LogicalResult
adaptBatchNormalization(onnx::NodeProto &n, AdaptedNode &out,
                        llvm::function_ref<InFlightDiagnostic()> error) {
  if (const auto *a = findAttr(n, "spatial"); a && a->i() != 1)
    return error() << "spatial=0 batch normalization (opset < 9) is not "
                      "supported";
  for (const char *gone : {"spatial", "is_test", "consumed_inputs"})
    out.consumedAttrs.insert(gone);
  return success();
}

/// Gemm before 7: `broadcast` (of C) is what Gemm does now.
static LogicalResult adaptGemm(onnx::NodeProto &, AdaptedNode &out,
                               llvm::function_ref<InFlightDiagnostic()>) {
  out.consumedAttrs.insert("broadcast");
  return success();
}

/// Binary ops before 7 broadcast only with `broadcast` = 1, B aligned to A
/// at `axis` (default: A's trailing dims); the newer numpy broadcasting
/// aligns to the right, so B gets trailing 1s when `axis` leaves some of A's
/// trailing dims uncovered.
static LogicalResult
adaptLegacyBroadcast(onnx::NodeProto &n, AdaptedNode &out,
                     llvm::function_ref<InFlightDiagnostic()>) {
  out.consumedAttrs.insert("broadcast");
  out.consumedAttrs.insert("axis");
  const auto *axisAttr = findAttr(n, "axis");
  const auto *bcast = findAttr(n, "broadcast");
  if (!axisAttr || !bcast || bcast->i() == 0)
    return success();
  int64_t axis = axisAttr->i();
  out.finish = [axis](OpBuilder &b, Location loc, Operation *op,
                      llvm::StringMap<Value> &,
                      const onnx::NodeProto &node) -> LogicalResult {
    auto at = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    auto bt = llvm::dyn_cast<RankedTensorType>(op->getOperand(1).getType());
    if (!at || !bt)
      return emitError(loc)
             << "node '" << node.name() << "' (" << node.op_type()
             << "): broadcast with axis needs ranked inputs";
    int64_t ax = axis < 0 ? axis + at.getRank() : axis;
    int64_t trailing = at.getRank() - ax - bt.getRank();
    if (ax < 0 || trailing < 0)
      return emitError(loc) << "node '" << node.name() << "' ("
                            << node.op_type() << "): broadcast axis " << axis
                            << " does not fit the inputs' ranks";
    if (trailing == 0)
      return success();
    appendUnitDims(b, loc, op, /*operand=*/1, trailing);
    return success();
  };
  return success();
}

/// PRelu before 7 had no broadcasting: a 1-D slope holds one value per
/// channel (dim 1), so it becomes (C, 1, ..., 1) for numpy rules -- also
/// when the input's dims are unknown at import.
static LogicalResult adaptPRelu(onnx::NodeProto &, AdaptedNode &out,
                                llvm::function_ref<InFlightDiagnostic()>) {
  out.finish = [](OpBuilder &b, Location loc, Operation *op,
                  llvm::StringMap<Value> &,
                  const onnx::NodeProto &) -> LogicalResult {
    auto xt = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    auto st = llvm::dyn_cast<RankedTensorType>(op->getOperand(1).getType());
    if (!xt || !st || st.getRank() != 1 || xt.getRank() <= 2 ||
        st.getDimSize(0) == 1)
      return success();
    appendUnitDims(b, loc, op, /*operand=*/1, xt.getRank() - 2);
    return success();
  };
  return success();
}

/// Scan-8 has a leading batch axis on every operand and result (the body
/// sees one batch element), scan axis 1, `directions` for the inputs, and
/// an optional sequence_lens first input. The op keeps the newer operand
/// list (sequence_lens first where given) and is marked for the lowering,
/// which loops over the batch.
static LogicalResult adaptScan8(onnx::NodeProto &n, AdaptedNode &out,
                                llvm::function_ref<InFlightDiagnostic()>) {
  bool lens = n.input_size() > 0 && !n.input(0).empty();
  if (n.input_size() > 0 && !lens)
    n.mutable_input()->erase(n.mutable_input()->begin());
  llvm::SmallVector<int64_t> dirs;
  if (const auto *a = findAttr(n, "directions"))
    dirs.assign(a->ints().begin(), a->ints().end());
  out.consumedAttrs.insert("directions");
  out.finish = [dirs, lens](OpBuilder &b, Location, Operation *op,
                            llvm::StringMap<Value> &,
                            const onnx::NodeProto &) -> LogicalResult {
    if (!dirs.empty())
      op->setAttr("scan_input_directions", b.getI64ArrayAttr(dirs));
    seqc::attrs::mark(op, seqc::attrs::kScan8Batch);
    if (lens)
      seqc::attrs::mark(op, seqc::attrs::kScan8SequenceLens);
    return success();
  };
  return success();
}

/// Resize-10 had no `roi` input: `scales` shifts to its newer position.
static LogicalResult adaptResize10(onnx::NodeProto &n, AdaptedNode &,
                                   llvm::function_ref<InFlightDiagnostic()>) {
  if (n.input_size() < 2)
    return success();
  std::string scales = n.input(1);
  n.mutable_input(1)->clear();
  n.add_input(scales);
  return success();
}

/// Wraps a Softmax-family op (opset < 13) whose input flattens to 2-D at
/// `ax` in Flatten / Reshape, rebinding the node's output to the Reshape.
static void wrapInFlatten(OpBuilder &b, Location loc, Operation *op,
                          RankedTensorType type, int64_t ax,
                          llvm::StringMap<Value> &values,
                          const onnx::NodeProto &node) {
  Value x = op->getOperand(0);
  int64_t rank = type.getRank();
  auto product = [&](int64_t from, int64_t to) {
    int64_t p = 1;
    for (int64_t i = from; i < to; ++i) {
      if (type.isDynamicDim(i))
        return ShapedType::kDynamic;
      p *= type.getDimSize(i);
    }
    return p;
  };
  auto flatType = RankedTensorType::get({product(0, ax), product(ax, rank)},
                                        type.getElementType());
  b.setInsertionPoint(op);
  OperationState flat(loc, "onnx.Flatten");
  flat.addOperands(x);
  flat.addAttribute("axis", b.getI64IntegerAttr(ax));
  flat.addTypes(flatType);
  Operation *flatOp = b.create(flat);
  op->setOperand(0, flatOp->getResult(0));
  op->setAttr("axis", b.getI64IntegerAttr(-1));
  Type outType = op->getResult(0).getType();
  op->getResult(0).setType(flatType);
  b.setInsertionPointAfter(op);
  OperationState shape(loc, "onnx.Shape");
  shape.addOperands(x);
  shape.addAttribute("start", b.getI64IntegerAttr(0));
  shape.addTypes(RankedTensorType::get({rank}, b.getI64Type()));
  Operation *shapeOp = b.create(shape);
  OperationState reshape(loc, "onnx.Reshape");
  reshape.addOperands({op->getResult(0), shapeOp->getResult(0)});
  reshape.addAttribute("allowzero", b.getI64IntegerAttr(0));
  reshape.addTypes(outType);
  Operation *reshapeOp = b.create(reshape);
  values[node.output(0)] = reshapeOp->getResult(0);
}

/// Softmax, LogSoftmax and Hardmax before 13 flatten to 2-D at `axis`
/// (default 1) and normalize over the trailing block.
static LogicalResult adaptSoftmax12(onnx::NodeProto &n, AdaptedNode &out,
                                    llvm::function_ref<InFlightDiagnostic()>) {
  int64_t axis = 1;
  if (const auto *a = findAttr(n, "axis"))
    axis = a->i();
  else {
    auto *added = n.add_attribute();
    added->set_name("axis");
    added->set_type(onnx::AttributeProto::INT);
    added->set_i(1);
  }
  out.finish = [axis](OpBuilder &b, Location loc, Operation *op,
                      llvm::StringMap<Value> &values,
                      const onnx::NodeProto &node) -> LogicalResult {
    auto type = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    if (!type)
      return emitError(loc) << "node '" << node.name()
                            << "': opset < 13 needs the input's rank";
    int64_t rank = type.getRank();
    int64_t ax = axis < 0 ? axis + rank : axis;
    if (ax < 0 || ax >= rank)
      return emitError(loc)
             << "node '" << node.name() << "' (" << node.op_type() << "): axis "
             << axis << " is out of range for rank " << rank;
    if (ax == rank - 1) { // The same as the new semantics.
      op->setAttr("axis", b.getI64IntegerAttr(-1));
      return success();
    }
    wrapInFlatten(b, loc, op, type, ax, values, node);
    return success();
  };
  return success();
}

namespace {
struct OpAdapter {
  const char *op;
  int64_t changedAt; // the first opset with the new form
  AdaptFn adapt;
};
/// Operators whose semantics or operand list changed (beyond attributes
/// that became inputs, kRules).
const OpAdapter kAdapters[] = {
    {"BatchNormalization", 9, adaptBatchNormalization},
    {"Gemm", 7, adaptGemm},
    {"Add", 7, adaptLegacyBroadcast},
    {"And", 7, adaptLegacyBroadcast},
    {"Div", 7, adaptLegacyBroadcast},
    {"Equal", 7, adaptLegacyBroadcast},
    {"Greater", 7, adaptLegacyBroadcast},
    {"Less", 7, adaptLegacyBroadcast},
    {"Mul", 7, adaptLegacyBroadcast},
    {"Or", 7, adaptLegacyBroadcast},
    {"Pow", 7, adaptLegacyBroadcast},
    {"Sub", 7, adaptLegacyBroadcast},
    {"Xor", 7, adaptLegacyBroadcast},
    {"PRelu", 7, adaptPRelu},
    {"Scan", 9, adaptScan8},
    {"Resize", 11, adaptResize10},
    {"Softmax", 13, adaptSoftmax12},
    {"LogSoftmax", 13, adaptSoftmax12},
    {"Hardmax", 13, adaptSoftmax12},
};
} // namespace

LogicalResult seqc::detail::adaptToNewestOpset(
    onnx::NodeProto &n, int64_t opset, llvm::StringRef inputFormAttr,
    AdaptedNode &out, llvm::function_ref<InFlightDiagnostic()> error) {
  const std::string &op = n.op_type();
  for (const Rule &r : kRules)
    if (op == r.op && opset < r.changedAt)
      takeAttr(n, r.attr, r.input, r.kind, out);
  // Attributes the dialect always declares as inputs (opset 18's form).
  if (!inputFormAttr.empty())
    takeAttr(n, inputFormAttr.str().c_str(), 1, AdaptedInput::I64s, out);
  for (const OpAdapter &a : kAdapters)
    if (op == a.op && opset < a.changedAt)
      return a.adapt(n, out, error);
  return success();
}

Value seqc::detail::materializeAdaptedInput(OpBuilder &b, Location loc,
                                            const AdaptedInput &in,
                                            ArrayRef<Value> operands) {
  DenseElementsAttr value;
  switch (in.kind) {
  case AdaptedInput::I64s:
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(in.ints.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(in.ints));
    break;
  case AdaptedInput::F32s:
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(in.floats.size())},
                              b.getF32Type()),
        ArrayRef<float>(in.floats));
    break;
  case AdaptedInput::ScalarLikeInput0: {
    Type elem = b.getF32Type();
    if (!operands.empty())
      if (auto st = llvm::dyn_cast<ShapedType>(operands[0].getType()))
        elem = st.getElementType();
    auto type = RankedTensorType::get({}, elem);
    if (llvm::isa<FloatType>(elem))
      value = DenseElementsAttr::get(type, b.getFloatAttr(elem, in.scalar));
    else
      value = DenseElementsAttr::get(
          type, b.getIntegerAttr(elem, static_cast<int64_t>(in.scalar)));
    break;
  }
  }
  OperationState state(loc, "onnx.Constant");
  state.addAttribute("value", value);
  state.addTypes(value.getType());
  return b.create(state)->getResult(0);
}
