//===- OnnxImporter.cpp - ONNX graphs to the onnx dialect -------*- C++ -*-===//
//
// Builds `func.func @main_graph` from a ModelProto:
//   1. every operator is checked against the onnx dialect first, and all the
//      unsupported ones are reported together;
//   2. ONNX shape inference annotates the graph with types;
//   3. each graph (and subgraph) is ordered topologically -- names that
//      nothing defines and cycles are errors naming the node -- and imported
//      node by node, with older opsets rewritten to the newest form
//      (OpsetAdapter.cpp) and schema defaults made explicit.
// Sequences that live inside the graph are rewritten into tensor operators
// between steps 1 and 2 (SequenceExpansion.cpp).
//
//===----------------------------------------------------------------------===//

#include "seqc/Import/OnnxImporter.h"
#include "seqc/Utils/AttrNames.h"

#include "ModelReader.h"
#include "OpsetAdapter.h"
#include "SequenceExpansion.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <deque>
#include <functional>

using namespace mlir;
using namespace seqc;
using namespace seqc::detail;

//===----------------------------------------------------------------------===//
// The op table generated with the dialect
//===----------------------------------------------------------------------===//

namespace {
struct OpInfo {
  const char *name;
  int since;
  int numInputs;
  bool variadicIn;
  int numOutputs;
  bool variadicOut;
  const char *inputFormAttr;
};
const OpInfo kOps[] = {
#define ONNX_OP(n, s, ni, vi, no, vo, ia) {n, s, ni, vi, no, vo, ia},
#include "seqc/Dialect/Onnx/IR/OnnxOpTable.inc"
#undef ONNX_OP
};
} // namespace

const OpInfo *lookupOp(llvm::StringRef name) {
  auto it = std::lower_bound(
      std::begin(kOps), std::end(kOps), name,
      [](const OpInfo &a, llvm::StringRef n) { return a.name < n; });
  if (it != std::end(kOps) && it->name == name)
    return it;
  return nullptr;
}

static bool isDefaultDomain(const std::string &d) {
  return d.empty() || d == "ai.onnx";
}

/// Attribute names that the dialect spells with a trailing underscore.
static std::string attrName(const std::string &n) {
  return n == "type" ? n + "_" : n;
}

namespace {

/// Names visible while importing one graph: its own, then outer scopes'.
struct Scope {
  llvm::StringMap<Value> values;
  const Scope *parent = nullptr;
  Value lookup(llvm::StringRef name) const {
    for (const Scope *s = this; s; s = s->parent) {
      auto it = s->values.find(name);
      if (it != s->values.end())
        return it->second;
    }
    return {};
  }
};

class Importer {
public:
  Importer(MLIRContext *ctx, llvm::StringRef file, llvm::StringRef baseDir,
           const OnnxImportOptions &options)
      : ctx(ctx), b(ctx), file(file.str()), baseDir(baseDir.str()),
        options(options) {}

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

private:
  // Diagnostics ------------------------------------------------------------
  Location fileLoc() { return FileLineColLoc::get(ctx, file, 0, 0); }
  Location nodeLoc(const onnx::NodeProto &n) {
    std::string name = n.name().empty() ? n.op_type() : n.name();
    return NameLoc::get(StringAttr::get(ctx, name + " (" + n.op_type() + ")"),
                        fileLoc());
  }
  InFlightDiagnostic nodeError(const onnx::NodeProto &n) {
    if (n.name().empty())
      return emitError(nodeLoc(n)) << "unnamed " << n.op_type() << " node: ";
    return emitError(nodeLoc(n))
           << "node '" << n.name() << "' (" << n.op_type() << "): ";
  }

  // Steps -----------------------------------------------------------------
  LogicalResult checkOperators(const onnx::GraphProto &g);
  LogicalResult verifyNodes(const onnx::GraphProto &g);
  void collectUnknown(const onnx::GraphProto &g,
                      std::vector<std::string> &unknown);
  LogicalResult importGraph(onnx::GraphProto &g, Scope &scope,
                            SmallVectorImpl<Value> &outputs);
  FailureOr<std::vector<int>>
  topoOrder(const onnx::GraphProto &g,
            llvm::function_ref<bool(llvm::StringRef)> definedOutside);
  LogicalResult validateStructure(const onnx::GraphProto &g,
                                  const llvm::StringSet<> &outer);
  /// Imports node `n` (default domain) as its onnx dialect op, binding its
  /// outputs in `scope`; `types` are the graph's value types.
  LogicalResult
  importNode(onnx::NodeProto &n, Scope &scope,
             const llvm::StringMap<const onnx::TypeProto *> &types);
  /// importNode's pieces: the operands (absent optional inputs and missing
  /// trailing ones as onnx.NoValue, adapted inputs placed) ...
  LogicalResult importOperands(onnx::NodeProto &n, const OpInfo &info,
                               const AdaptedNode &adapted, Scope &scope,
                               SmallVectorImpl<Value> &operands);
  /// ... the result types (from shape inference or the graph's
  /// declarations; NoneType for absent outputs) ...
  LogicalResult
  resultTypesOf(const onnx::NodeProto &n, const OpInfo &info,
                const llvm::StringMap<const onnx::TypeProto *> &types,
                SmallVectorImpl<Type> &resultTypes);
  /// ... the attributes, with the schema's defaults made explicit (graph
  /// attributes are returned in `graphs`) ...
  LogicalResult
  importAttributes(onnx::NodeProto &n, const OpInfo &info,
                   const AdaptedNode &adapted, OperationState &state,
                   SmallVectorImpl<onnx::AttributeProto *> &graphs);
  /// ... and the subgraphs, as regions in the order of their attribute
  /// names.
  LogicalResult importRegions(const onnx::NodeProto &n,
                              SmallVectorImpl<onnx::AttributeProto *> &graphs,
                              Scope &scope, OperationState &state);
  LogicalResult
  importSeqcNode(onnx::NodeProto &n, Scope &scope,
                 const llvm::StringMap<const onnx::TypeProto *> &types);
  FailureOr<Type> convertType(const onnx::TypeProto &t);
  FailureOr<Attribute> convertAttribute(onnx::AttributeProto &a,
                                        const onnx::NodeProto &n);
  LogicalResult importInitializers(onnx::GraphProto &g, Scope &scope);

  // The model (run) ---------------------------------------------------------
  /// Reads the default domain's opset (and checks the ai.seqc domain's).
  LogicalResult readOpsets(onnx::ModelProto &model);
  /// Graph inputs must be tensors of a known element type.
  LogicalResult checkGraphInputs(const onnx::GraphProto &g);
  /// Steps 1 and 2: operators and nodes checked, sequences expanded, types
  /// inferred.
  LogicalResult prepareModel(onnx::ModelProto &model);
  /// The module, with the model's opsets, IR version and producer.
  ModuleOp createModule(const onnx::ModelProto &model);
  /// Step 3: `func.func @main_graph` in `module`.
  LogicalResult importMainGraph(onnx::GraphProto &g, ModuleOp module);
  /// The ONNX name (and symbolic dims) of argument `i`, input `in`.
  void setArgNames(func::FuncOp func, unsigned i,
                   const onnx::ValueInfoProto &in);

  MLIRContext *ctx;
  OpBuilder b;
  std::string file, baseDir;
  OnnxImportOptions options;
  int64_t opset = 0;
};
} // namespace

//===----------------------------------------------------------------------===//
// Operator check
//===----------------------------------------------------------------------===//

void Importer::collectUnknown(const onnx::GraphProto &g,
                              std::vector<std::string> &unknown) {
  for (const onnx::NodeProto &n : g.node()) {
    bool known = isDefaultDomain(n.domain())
                     ? lookupOp(n.op_type()) != nullptr ||
                           isExpandedSequenceOp(n.op_type())
                     : isSeqcDomain(n.domain()) && isSeqcOp(n.op_type());
    if (!known) {
      std::string domain = n.domain().empty() ? "ai.onnx" : n.domain();
      std::string entry = n.op_type() + " (domain '" + domain + "'";
      if (isDefaultDomain(n.domain()))
        entry += ", opset " + std::to_string(opset);
      entry += ", node '" + n.name() + "')";
      unknown.push_back(entry);
    }
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.has_g())
        collectUnknown(a.g(), unknown);
      for (const onnx::GraphProto &sub : a.graphs())
        collectUnknown(sub, unknown);
    }
  }
}

LogicalResult Importer::checkOperators(const onnx::GraphProto &g) {
  std::vector<std::string> unknown;
  collectUnknown(g, unknown);
  if (unknown.empty())
    return success();
  auto diag = emitError(fileLoc()) << unknown.size() << " unsupported operator"
                                   << (unknown.size() == 1 ? "" : "s") << ": ";
  llvm::interleave(unknown, diag, "; ");
  return failure();
}

LogicalResult Importer::verifyNodes(const onnx::GraphProto &g) {
  for (const onnx::NodeProto &n : g.node()) {
    std::string error;
    if (!verifyNode(n, static_cast<int>(opset), error)) {
      // ONNX's messages span lines; keep the first.
      error = error.substr(0, error.find('\n'));
      return nodeError(n) << "invalid node: " << error;
    }
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.has_g() && failed(verifyNodes(a.g())))
        return failure();
      for (const onnx::GraphProto &sub : a.graphs())
        if (failed(verifyNodes(sub)))
          return failure();
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Types and attributes
//===----------------------------------------------------------------------===//

FailureOr<Type> Importer::convertType(const onnx::TypeProto &t) {
  if (!t.has_tensor_type())
    return failure();
  const auto &tt = t.tensor_type();
  Type elem = elementType(ctx, tt.elem_type());
  if (!elem)
    return failure();
  if (!tt.has_shape())
    return Type(UnrankedTensorType::get(elem));
  SmallVector<int64_t> dims;
  for (const auto &d : tt.shape().dim())
    dims.push_back(d.has_dim_value() && d.dim_value() >= 0
                       ? d.dim_value()
                       : ShapedType::kDynamic);
  return Type(RankedTensorType::get(dims, elem));
}

FailureOr<Attribute> Importer::convertAttribute(onnx::AttributeProto &a,
                                                const onnx::NodeProto &n) {
  using AP = onnx::AttributeProto;
  switch (a.type()) {
  case AP::INT:
    return Attribute(b.getI64IntegerAttr(a.i()));
  case AP::FLOAT:
    return Attribute(b.getF32FloatAttr(a.f()));
  case AP::STRING:
    return Attribute(b.getStringAttr(a.s()));
  case AP::INTS:
    return Attribute(b.getI64ArrayAttr(
        SmallVector<int64_t>(a.ints().begin(), a.ints().end())));
  case AP::FLOATS:
    return Attribute(b.getF32ArrayAttr(
        SmallVector<float>(a.floats().begin(), a.floats().end())));
  case AP::STRINGS: {
    SmallVector<Attribute> strs;
    for (const std::string &s : a.strings())
      strs.push_back(b.getStringAttr(s));
    return Attribute(b.getArrayAttr(strs));
  }
  case AP::TENSOR: {
    std::string error;
    auto attr = convertTensor(ctx, *a.mutable_t(),
                              {baseDir, options.resourceThreshold}, error);
    if (failed(attr)) {
      nodeError(n) << "attribute '" << a.name() << "': " << error;
      return failure();
    }
    return Attribute(*attr);
  }
  case AP::TYPE_PROTO: {
    auto type = convertType(a.tp());
    if (failed(type)) {
      nodeError(n) << "attribute '" << a.name()
                   << "' holds an unsupported type";
      return failure();
    }
    return Attribute(TypeAttr::get(*type));
  }
  default:
    nodeError(n) << "attribute '" << a.name() << "' has unsupported kind "
                 << AP::AttributeType_Name(a.type());
    return failure();
  }
}

//===----------------------------------------------------------------------===//
// Graphs
//===----------------------------------------------------------------------===//

/// Names a subgraph reads from enclosing scopes (recursively).
static void freeNames(const onnx::GraphProto &g, llvm::StringSet<> &out) {
  llvm::StringSet<> defined;
  for (const auto &i : g.input())
    defined.insert(i.name());
  for (const auto &t : g.initializer())
    defined.insert(t.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      defined.insert(o);
  auto use = [&](const std::string &name) {
    if (!name.empty() && !defined.contains(name))
      out.insert(name);
  };
  for (const auto &n : g.node()) {
    for (const auto &i : n.input())
      use(i);
    for (const auto &a : n.attribute()) {
      llvm::StringSet<> inner;
      if (a.has_g())
        freeNames(a.g(), inner);
      for (const auto &sub : a.graphs())
        freeNames(sub, inner);
      for (const auto &name : inner)
        use(name.getKey().str());
    }
  }
  for (const auto &o : g.output())
    use(o.name());
}

FailureOr<std::vector<int>>
Importer::topoOrder(const onnx::GraphProto &g,
                    llvm::function_ref<bool(llvm::StringRef)> definedOutside) {
  int num = g.node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < num; ++i)
    for (const auto &o : g.node(i).output())
      if (!o.empty())
        producer[o] = i;
  llvm::StringSet<> graphNames;
  for (const auto &i : g.input())
    graphNames.insert(i.name());
  for (const auto &t : g.initializer())
    graphNames.insert(t.name());

  std::vector<std::vector<int>> users(num);
  std::vector<int> pending(num, 0);
  for (int i = 0; i < num; ++i) {
    const onnx::NodeProto &n = g.node(i);
    llvm::StringSet<> reads;
    for (const auto &in : n.input())
      if (!in.empty())
        reads.insert(in);
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        freeNames(a.g(), reads);
      for (const auto &sub : a.graphs())
        freeNames(sub, reads);
    }
    for (const auto &r : reads) {
      llvm::StringRef name = r.getKey();
      // Graph inputs and initializers shadow outer names and producers.
      if (graphNames.contains(name))
        continue;
      auto it = producer.find(name);
      if (it != producer.end()) {
        users[it->second].push_back(i);
        ++pending[i];
        continue;
      }
      if (!definedOutside(name)) {
        nodeError(n) << "input '" << name
                     << "' is not defined by any graph input, initializer "
                        "or node";
        return failure();
      }
    }
  }
  // Kahn's algorithm, keeping the file's order among ready nodes.
  std::vector<int> order;
  std::deque<int> ready;
  for (int i = 0; i < num; ++i)
    if (!pending[i])
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.push_back(u);
  }
  if (static_cast<int>(order.size()) != num) {
    for (int i = 0; i < num; ++i)
      if (pending[i]) {
        nodeError(g.node(i))
            << "is part of a cycle in graph '" << g.name() << "'";
        return failure();
      }
  }
  return order;
}

LogicalResult Importer::validateStructure(const onnx::GraphProto &g,
                                          const llvm::StringSet<> &outer) {
  if (failed(
          topoOrder(g, [&](llvm::StringRef n) { return outer.contains(n); })))
    return failure();
  for (const auto &o : g.output()) {
    bool defined =
        outer.contains(o.name()) ||
        llvm::any_of(g.input(),
                     [&](const auto &i) { return i.name() == o.name(); }) ||
        llvm::any_of(g.initializer(),
                     [&](const auto &t) { return t.name() == o.name(); }) ||
        llvm::any_of(g.node(), [&](const auto &n) {
          return llvm::is_contained(n.output(), o.name());
        });
    if (!defined)
      return emitError(fileLoc()) << "graph '" << g.name() << "' output '"
                                  << o.name() << "' is not defined";
  }
  // Subgraphs see everything this graph defines.
  llvm::StringSet<> visible = outer;
  for (const auto &i : g.input())
    visible.insert(i.name());
  for (const auto &t : g.initializer())
    visible.insert(t.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      visible.insert(o);
  for (const auto &n : g.node())
    for (const auto &a : n.attribute()) {
      if (a.has_g() && failed(validateStructure(a.g(), visible)))
        return failure();
      for (const auto &sub : a.graphs())
        if (failed(validateStructure(sub, visible)))
          return failure();
    }
  return success();
}

LogicalResult Importer::importInitializers(onnx::GraphProto &g, Scope &scope) {
  for (onnx::TensorProto &t : *g.mutable_initializer()) {
    std::string error;
    auto attr =
        convertTensor(ctx, t, {baseDir, options.resourceThreshold}, error);
    if (failed(attr))
      return emitError(fileLoc()) << "initializer: " << error;
    OperationState state(NameLoc::get(b.getStringAttr(t.name()), fileLoc()),
                         "onnx.Constant");
    state.addAttribute("value", *attr);
    state.addTypes(attr->getType());
    scope.values[t.name()] = b.create(state)->getResult(0);
  }
  return success();
}

LogicalResult Importer::importGraph(onnx::GraphProto &g, Scope &scope,
                                    SmallVectorImpl<Value> &outputs) {
  if (failed(importInitializers(g, scope)))
    return failure();
  auto order =
      topoOrder(g, [&](llvm::StringRef n) { return bool(scope.lookup(n)); });
  if (failed(order))
    return failure();
  llvm::StringMap<const onnx::TypeProto *> types;
  for (const auto &vi : g.value_info())
    types[vi.name()] = &vi.type();
  for (const auto &vi : g.output())
    types[vi.name()] = &vi.type();
  for (int i : *order)
    if (failed(importNode(*g.mutable_node(i), scope, types)))
      return failure();
  for (const auto &o : g.output()) {
    Value v = scope.lookup(o.name());
    if (!v)
      return emitError(fileLoc()) << "graph '" << g.name() << "' output '"
                                  << o.name() << "' is not defined";
    outputs.push_back(v);
  }
  return success();
}

LogicalResult
Importer::importNode(onnx::NodeProto &n, Scope &scope,
                     const llvm::StringMap<const onnx::TypeProto *> &types) {
  if (isSeqcDomain(n.domain()))
    return importSeqcNode(n, scope, types);
  Location loc = nodeLoc(n);
  const OpInfo *info = lookupOp(n.op_type());

  // Older opsets: move attributes that became inputs, etc.
  AdaptedNode adapted;
  if (failed(adaptToNewestOpset(n, opset, info->inputFormAttr, adapted,
                                [&]() { return nodeError(n); })))
    return failure();
  SmallVector<Value> operands;
  SmallVector<Type> resultTypes;
  if (failed(importOperands(n, *info, adapted, scope, operands)) ||
      failed(resultTypesOf(n, *info, types, resultTypes)))
    return failure();
  OperationState state(loc, "onnx." + n.op_type());
  SmallVector<onnx::AttributeProto *> graphs;
  if (failed(importAttributes(n, *info, adapted, state, graphs)) ||
      failed(importRegions(n, graphs, scope, state)))
    return failure();

  state.addOperands(operands);
  state.addTypes(resultTypes);
  Operation *op = b.create(state);
  for (int i = 0; i < n.output_size(); ++i)
    if (!n.output(i).empty())
      scope.values[n.output(i)] = op->getResult(i);
  return adapted.finish ? adapted.finish(b, loc, op, scope.values, n)
                        : success();
}

LogicalResult Importer::importOperands(onnx::NodeProto &n, const OpInfo &info,
                                       const AdaptedNode &adapted, Scope &scope,
                                       SmallVectorImpl<Value> &operands) {
  Location loc = nodeLoc(n);
  auto noValue = [&]() -> Value {
    return onnxir::NoValueOp::create(b, loc, b.getNoneType()).getResult();
  };
  for (int i = 0; i < n.input_size(); ++i) {
    const std::string &name = n.input(i);
    if (name.empty()) {
      operands.push_back(noValue());
      continue;
    }
    Value v = scope.lookup(name);
    if (!v)
      return nodeError(n) << "input '" << name << "' is not defined";
    operands.push_back(v);
  }
  for (auto &[index, extra] : adapted.extraInputs) {
    while (static_cast<int>(operands.size()) < index)
      operands.push_back(noValue());
    Value c = materializeAdaptedInput(b, loc, extra, operands);
    if (static_cast<int>(operands.size()) == index)
      operands.push_back(c);
    else
      operands[index] = c;
  }
  if (!info.variadicIn) {
    if (static_cast<int>(operands.size()) > info.numInputs)
      return nodeError(n) << "has " << operands.size()
                          << " inputs; the operator takes at most "
                          << info.numInputs;
    while (static_cast<int>(operands.size()) < info.numInputs)
      operands.push_back(noValue());
  }
  return success();
}

LogicalResult
Importer::resultTypesOf(const onnx::NodeProto &n, const OpInfo &info,
                        const llvm::StringMap<const onnx::TypeProto *> &types,
                        SmallVectorImpl<Type> &resultTypes) {
  int numResults =
      info.variadicOut ? std::max(n.output_size(), 1) : info.numOutputs;
  if (n.output_size() > numResults)
    return nodeError(n) << "has " << n.output_size()
                        << " outputs; the operator has " << numResults;
  for (int i = 0; i < numResults; ++i) {
    if (i >= n.output_size() || n.output(i).empty()) {
      resultTypes.push_back(b.getNoneType());
      continue;
    }
    auto it = types.find(n.output(i));
    FailureOr<Type> type = failure();
    if (it != types.end())
      type = convertType(*it->second);
    if (failed(type))
      return nodeError(n) << "the type of output '" << n.output(i)
                          << "' is unknown or unsupported (shape inference "
                             "could not infer it)";
    resultTypes.push_back(*type);
  }
  return success();
}

LogicalResult
Importer::importAttributes(onnx::NodeProto &n, const OpInfo &info,
                           const AdaptedNode &adapted, OperationState &state,
                           SmallVectorImpl<onnx::AttributeProto *> &graphs) {
  llvm::StringSet<> seen;
  const onnx::OpSchema *schema = lookupSchema(n.op_type(), info.since);
  for (onnx::AttributeProto &a : *n.mutable_attribute()) {
    if (adapted.consumedAttrs.contains(a.name()))
      continue;
    if (schema && !schema->attributes().count(a.name()))
      return nodeError(n) << "attribute '" << a.name()
                          << "' is not supported at opset " << opset;
    seen.insert(a.name());
    if (a.type() == onnx::AttributeProto::GRAPH) {
      graphs.push_back(&a);
      continue;
    }
    auto attr = convertAttribute(a, n);
    if (failed(attr))
      return failure();
    state.addAttribute(attrName(a.name()), *attr);
  }
  if (!schema)
    return success();
  for (const auto &[name, attrSchema] : schema->attributes()) {
    if (seen.contains(name) || adapted.consumedAttrs.contains(name) ||
        name == info.inputFormAttr || !attrSchema.default_value.has_type() ||
        attrSchema.default_value.type() == onnx::AttributeProto::UNDEFINED)
      continue;
    onnx::AttributeProto def = attrSchema.default_value;
    auto attr = convertAttribute(def, n);
    if (failed(attr))
      return failure();
    state.addAttribute(attrName(name), *attr);
  }
  return success();
}

LogicalResult
Importer::importRegions(const onnx::NodeProto &n,
                        SmallVectorImpl<onnx::AttributeProto *> &graphs,
                        Scope &scope, OperationState &state) {
  Location loc = nodeLoc(n);
  llvm::sort(graphs, [](auto *x, auto *y) { return x->name() < y->name(); });
  for (onnx::AttributeProto *a : graphs) {
    Region *region = state.addRegion();
    Block *block = new Block();
    region->push_back(block);
    Scope inner;
    inner.parent = &scope;
    onnx::GraphProto &g = *a->mutable_g();
    for (const auto &in : g.input()) {
      auto type = convertType(in.type());
      if (failed(type))
        return nodeError(n) << "subgraph '" << a->name() << "' input '"
                            << in.name() << "' has an unknown type";
      inner.values[in.name()] = block->addArgument(*type, loc);
    }
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(block);
    SmallVector<Value> outs;
    if (failed(importGraph(g, inner, outs)))
      return failure();
    onnxir::YieldOp::create(b, loc, outs);
  }
  return success();
}

/// A node of the ai.seqc domain (lib/Import/SeqcOps.cpp) becomes its seq
/// dialect op directly.
LogicalResult Importer::importSeqcNode(
    onnx::NodeProto &n, Scope &scope,
    const llvm::StringMap<const onnx::TypeProto *> &types) {
  Location loc = nodeLoc(n);
  SmallVector<Value> operands;
  for (const std::string &name : n.input()) {
    if (name.empty()) {
      operands.push_back(Value());
      continue;
    }
    Value v = scope.lookup(name);
    if (!v)
      return nodeError(n) << "input '" << name << "' is not defined";
    operands.push_back(v);
  }
  SmallVector<Type> resultTypes;
  for (const std::string &name : n.output()) {
    auto it = types.find(name);
    FailureOr<Type> type = failure();
    if (it != types.end())
      type = convertType(*it->second);
    if (failed(type))
      return nodeError(n) << "the type of output '" << name
                          << "' is unknown or unsupported";
    resultTypes.push_back(*type);
  }
  SmallVector<Value> results;
  if (failed(buildSeqcOp(b, loc, n, operands, resultTypes, results,
                         [&]() { return nodeError(n); })))
    return failure();
  for (auto [name, v] : llvm::zip(n.output(), results))
    scope.values[name] = v;
  return success();
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// Whether `g` or one of its subgraphs has a node of the ai.seqc domain.
static bool usesSeqcDomain(const onnx::GraphProto &g) {
  for (const onnx::NodeProto &n : g.node()) {
    if (isSeqcDomain(n.domain()))
      return true;
    for (const onnx::AttributeProto &a : n.attribute())
      if ((a.has_g() && usesSeqcDomain(a.g())) ||
          llvm::any_of(a.graphs(), usesSeqcDomain))
        return true;
  }
  return false;
}

LogicalResult Importer::readOpsets(onnx::ModelProto &model) {
  bool importsSeqc = false;
  for (const auto &imp : model.opset_import()) {
    if (isDefaultDomain(imp.domain()))
      opset = imp.version();
    if (isSeqcDomain(imp.domain())) {
      importsSeqc = true;
      if (imp.version() != 1)
        return emitError(fileLoc())
               << "the model imports version " << imp.version()
               << " of the ai.seqc domain; this seqc knows 1";
    }
  }
  // ONNX shape inference needs the domain's version; a model that names
  // ai.seqc operators without importing the domain gets version 1.
  if (!importsSeqc && usesSeqcDomain(model.graph())) {
    auto *imp = model.add_opset_import();
    imp->set_domain("ai.seqc");
    imp->set_version(1);
  }
  if (opset <= 0)
    return emitError(fileLoc()) << "the model imports no opset of the default "
                                   "ONNX domain";
  int64_t newest = onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
                       .Map()
                       .at(onnx::ONNX_DOMAIN)
                       .second;
  if (opset > newest)
    return emitError(fileLoc())
           << "the model uses opset " << opset
           << " of the default domain; this seqc knows up to " << newest;
  return success();
}

LogicalResult Importer::checkGraphInputs(const onnx::GraphProto &g) {
  for (const auto &in : g.input()) {
    if (in.type().has_sequence_type() || in.type().has_optional_type())
      return emitError(fileLoc())
             << "graph input '" << in.name() << "' is "
             << (in.type().has_sequence_type() ? "a sequence" : "an optional")
             << "; sequence- and optional-typed graph inputs "
                "are not supported (sequences are supported "
                "inside the graph only)";
    if (!in.type().has_tensor_type() ||
        in.type().tensor_type().elem_type() == 0)
      return emitError(fileLoc())
             << "graph input '" << in.name() << "' has no tensor type";
  }
  return success();
}

LogicalResult Importer::prepareModel(onnx::ModelProto &model) {
  // 1. Unsupported operators, all at once, before anything else.
  if (failed(checkOperators(model.graph())))
    return failure();
  // 2. Each node against its schema, then shape inference (which trusts
  // what the schema promises).
  if (failed(verifyNodes(model.graph())) ||
      failed(validateStructure(model.graph(), {})))
    return failure();
  // Shape inference dereferences the types of graph inputs: each must have
  // one (it also makes the function signature).
  if (failed(checkGraphInputs(model.graph())))
    return failure();
  // Sequences inside the graph become tensor operators.
  if (usesSequenceOps(model.graph()))
    if (auto err = expandSequenceOps(model, opset, options.shapeInference)) {
      if (err->node.op_type().empty())
        emitError(fileLoc()) << err->message;
      else
        nodeError(err->node) << err->message;
      return failure();
    }
  if (options.shapeInference) {
    std::string error;
    if (!runOnnxShapeInference(model, error))
      emitWarning(fileLoc()) << "ONNX shape inference failed: " << error;
  }
  return success();
}

ModuleOp Importer::createModule(const onnx::ModelProto &model) {
  auto module = ModuleOp::create(fileLoc());
  SmallVector<NamedAttribute> opsets;
  for (const auto &imp : model.opset_import())
    opsets.push_back(
        b.getNamedAttr(imp.domain().empty() ? "ai.onnx" : imp.domain(),
                       b.getI64IntegerAttr(imp.version())));
  module->setAttr(attrs::kOnnxOpsetImport, b.getDictionaryAttr(opsets));
  module->setAttr(attrs::kOnnxIrVersion,
                  b.getI64IntegerAttr(model.ir_version()));
  if (!model.producer_name().empty())
    module->setAttr(attrs::kOnnxProducer,
                    b.getStringAttr(model.producer_version().empty()
                                        ? model.producer_name()
                                        : model.producer_name() + " " +
                                              model.producer_version()));
  return module;
}

LogicalResult Importer::importMainGraph(onnx::GraphProto &g, ModuleOp module) {
  llvm::StringSet<> initNames;
  for (const auto &t : g.initializer())
    initNames.insert(t.name());
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &in : g.input()) {
    if (initNames.contains(in.name()))
      continue; // An initializer listed as input (IR < 4): a constant.
    auto type = convertType(in.type());
    if (failed(type))
      return emitError(fileLoc()) << "graph input '" << in.name()
                                  << "' has an unsupported or missing type";
    argTypes.push_back(*type);
    args.push_back(&in);
  }
  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, fileLoc(), "main_graph",
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  Scope scope;
  for (auto [i, in] : llvm::enumerate(args)) {
    scope.values[in->name()] = entry->getArgument(i);
    setArgNames(func, i, *in);
  }
  b.setInsertionPointToStart(entry);
  SmallVector<Value> outputs;
  if (failed(importGraph(g, scope, outputs)))
    return failure();
  func::ReturnOp::create(b, fileLoc(), outputs);
  func.setType(b.getFunctionType(argTypes, ValueRange(outputs).getTypes()));
  for (auto [i, o] : llvm::enumerate(g.output()))
    func.setResultAttr(i, seqc::attrs::kOnnxName, b.getStringAttr(o.name()));
  return success();
}

void Importer::setArgNames(func::FuncOp func, unsigned i,
                           const onnx::ValueInfoProto &in) {
  func.setArgAttr(i, seqc::attrs::kOnnxName, b.getStringAttr(in.name()));
  const auto &tt = in.type().tensor_type();
  if (!tt.has_shape() || llvm::none_of(tt.shape().dim(), [](const auto &d) {
        return d.has_dim_param();
      }))
    return;
  SmallVector<Attribute> params;
  for (const auto &d : tt.shape().dim())
    params.push_back(b.getStringAttr(d.has_dim_param() ? d.dim_param() : ""));
  func.setArgAttr(i, seqc::attrs::kOnnxDimParams, b.getArrayAttr(params));
}

OwningOpRef<ModuleOp> Importer::run(onnx::ModelProto &model) {
  registerSeqcSchemas();
  if (failed(readOpsets(model)) || failed(prepareModel(model)))
    return nullptr;
  // 3. The graph.
  ModuleOp module = createModule(model);
  if (failed(importMainGraph(*model.mutable_graph(), module))) {
    module->erase();
    return nullptr;
  }
  OwningOpRef<ModuleOp> owned(module);
  if (failed(verify(module))) {
    emitError(fileLoc()) << "the imported module does not verify";
    return nullptr;
  }
  return owned;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

void seqc::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<onnxir::OnnxDialect, func::FuncDialect>();
}

static OwningOpRef<ModuleOp>
importParsed(MLIRContext *ctx, onnx::ModelProto &model, llvm::StringRef name,
             llvm::StringRef baseDir, const OnnxImportOptions &options) {
  ctx->loadDialect<onnxir::OnnxDialect, seq::SeqDialect, func::FuncDialect>();
  return Importer(ctx, name, baseDir, options).run(model);
}

OwningOpRef<ModuleOp> seqc::importOnnxModel(MLIRContext *ctx,
                                            llvm::StringRef path,
                                            const OnnxImportOptions &options) {
  onnx::ModelProto model;
  if (auto err = readModel(path, model)) {
    emitError(FileLineColLoc::get(ctx, path == "-" ? "<stdin>" : path, 0, 0))
        << *err;
    return nullptr;
  }
  std::string baseDir;
  if (path != "-") {
    llvm::SmallString<256> dir(path);
    llvm::sys::path::remove_filename(dir);
    baseDir = dir.empty() ? "." : dir.str().str();
  }
  return importParsed(ctx, model, path == "-" ? "<stdin>" : path, baseDir,
                      options);
}

OwningOpRef<ModuleOp> seqc::importOnnxModelFromBytes(
    MLIRContext *ctx, llvm::StringRef bytes, llvm::StringRef displayName,
    llvm::StringRef baseDir, const OnnxImportOptions &options) {
  onnx::ModelProto model;
  if (auto err = parseModelBytes(bytes, model)) {
    emitError(FileLineColLoc::get(ctx, displayName, 0, 0)) << *err;
    return nullptr;
  }
  return importParsed(ctx, model, displayName, baseDir, options);
}
