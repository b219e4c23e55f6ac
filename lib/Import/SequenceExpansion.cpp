//===- SequenceExpansion.cpp - Sequences inside a graph as tensors -*- C++
//-*-===//
//
// See SequenceExpansion.h.
//
// Why here, on the ModelProto, before shape inference and import: a sequence
// that never crosses the graph boundary is only a way of writing tensor
// code, so it is rewritten into tensor operators of the model's own opset.
// ONNX shape inference then types the new nodes like any others, the rest of
// the importer (opset adaptation, defaults, subgraphs) applies unchanged,
// and no sequence type reaches the onnx dialect, its lowerings or the C ABI.
//
// A sequence is held, while its graph is rewritten, in one of three forms:
//   list     its elements' tensor names, in order: what SequenceEmpty,
//            SequenceConstruct and SplitToSequence with static split sizes
//            make, kept while positions are constants (initializers or
//            Constant nodes). Elements may differ in shape. SequenceAt is an
//            Identity, ConcatFromSequence a Concat (after Unsqueeze when
//            `new_axis` is 1), SequenceLength a constant.
//   stacked  one tensor [n, ...] of elements of one type and shape: what
//            SplitToSequence without sizes (Transpose, Unsqueeze) or with an
//            even scalar size (Reshape, Transpose) makes, and what a list
//            becomes (Unsqueeze, Concat) when a position is only known at run
//            time. Positions are normalized (negative ones count from the
//            end) and clamped into range (out-of-range ones are invalid in
//            ONNX; compiled code has no error path, and must not read out
//            of bounds). SequenceAt is a Gather on axis 0;
//            SequenceInsert/SequenceErase are Gathers on axis 0 with
//            indices computed from the position (Range, Less/Equal, Where);
//            SequenceLength is the constant or run-time dim 0;
//            ConcatFromSequence a Transpose (and a Reshape without
//            `new_axis`).
//   length   only the length is known (SplitToSequence with run-time sizes
//            whose count is not static): SequenceLength works, any use of
//            the elements is an error naming the node.
// Sequence-typed graph inputs and outputs, sequences used by any other
// operator (If/Loop/Scan, SequenceMap, Optional), lists of unequal or
// unknown shapes that would need stacking, and out-of-range constant
// positions are errors naming the node and the reason.
//
//===----------------------------------------------------------------------===//

#include "SequenceExpansion.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cstring>
#include <deque>
#include <limits>
#include <vector>

using namespace seqc::detail;

bool seqc::detail::isExpandedSequenceOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceErase",
       "SequenceAt", "SequenceLength", "SplitToSequence", "ConcatFromSequence"},
      op);
}

bool seqc::detail::usesSequenceOps(const onnx::GraphProto &g) {
  for (const onnx::NodeProto &n : g.node()) {
    if ((n.domain().empty() || n.domain() == "ai.onnx") &&
        isExpandedSequenceOp(n.op_type()))
      return true;
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.has_g() && usesSequenceOps(a.g()))
        return true;
      for (const onnx::GraphProto &sub : a.graphs())
        if (usesSequenceOps(sub))
          return true;
    }
  }
  return false;
}

namespace {

using Ints = std::vector<int64_t>;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
/// The most pieces a SplitToSequence may make as separate values (one Slice
/// or Gather each).
constexpr int64_t kMaxPieces = 4096;

std::string tooMany(int64_t n) {
  return "SplitToSequence into " + std::to_string(n) +
         " pieces of unequal sizes is not supported (at most " +
         std::to_string(kMaxPieces) + ")";
}

struct Elem {
  std::string name;
  onnx::TypeProto type; // no value when unknown
};

struct Seq {
  enum Kind { List, Stacked, LengthOnly } kind = List;
  std::vector<Elem> elems; // List
  std::string stacked;     // Stacked: [n, ...]
  Elem elem;               // Stacked: the elements' type
  std::string length;      // LengthOnly: the length, a scalar
  std::string why;         // LengthOnly: why the elements are unavailable
};

/// What a graph's rewrite sees: its own and outer scopes' sequences and
/// constants.
struct Scope {
  llvm::StringMap<Seq> seqs;
  llvm::StringMap<const onnx::TensorProto *> consts;
  /// Names this graph defines otherwise (inputs, other nodes' outputs),
  /// which hide outer ones.
  llvm::StringSet<> own;
  const Scope *parent = nullptr;
  const Seq *seq(llvm::StringRef name) const {
    for (const Scope *s = this; s; s = s->parent) {
      if (auto it = s->seqs.find(name); it != s->seqs.end())
        return &it->second;
      if (s->own.contains(name))
        return nullptr;
    }
    return nullptr;
  }
  const onnx::TensorProto *constant(llvm::StringRef name) const {
    for (const Scope *s = this; s; s = s->parent) {
      if (auto it = s->consts.find(name); it != s->consts.end())
        return it->second;
      if (s->own.contains(name))
        return nullptr;
    }
    return nullptr;
  }
};

/// A failure carrying its message (the node is added by the caller).
struct Failure {
  std::string message;
};

std::optional<Ints> readInts(const onnx::TensorProto &t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return std::nullopt;
  int64_t count = 1;
  for (int64_t d : t.dims())
    count *= d;
  Ints out;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != size_t(count) * 8)
        return std::nullopt;
      out.resize(count);
      std::memcpy(out.data(), t.raw_data().data(), count * 8);
    } else {
      out.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != size_t(count) * 4)
        return std::nullopt;
      std::vector<int32_t> v(count);
      std::memcpy(v.data(), t.raw_data().data(), count * 4);
      out.assign(v.begin(), v.end());
    } else {
      out.assign(t.int32_data().begin(), t.int32_data().end());
    }
  } else {
    return std::nullopt;
  }
  if (static_cast<int64_t>(out.size()) != count)
    return std::nullopt;
  return out;
}

int64_t intAttr(const onnx::NodeProto &n, const char *name, int64_t def) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return a.i();
  return def;
}

std::optional<int> rankOf(const onnx::TypeProto &t) {
  if (!t.has_tensor_type() || !t.tensor_type().has_shape())
    return std::nullopt;
  return t.tensor_type().shape().dim_size();
}

std::optional<int64_t> dimOf(const onnx::TypeProto &t, int i) {
  const auto &d = t.tensor_type().shape().dim(i);
  if (d.has_dim_value())
    return d.dim_value();
  return std::nullopt;
}

std::string shapeString(const onnx::TypeProto &t) {
  if (!rankOf(t))
    return "unknown";
  std::string s = "[";
  for (int i = 0; i < *rankOf(t); ++i) {
    const auto &d = t.tensor_type().shape().dim(i);
    s += i ? "," : "";
    s += d.has_dim_value()   ? std::to_string(d.dim_value())
         : d.has_dim_param() ? d.dim_param()
                             : "?";
  }
  return s + "]";
}

/// Whether two element types are provably the same (type, rank, each dim
/// the same number or the same symbol).
bool sameType(const onnx::TypeProto &a, const onnx::TypeProto &b) {
  if (!rankOf(a) || !rankOf(b) ||
      a.tensor_type().elem_type() != b.tensor_type().elem_type() ||
      *rankOf(a) != *rankOf(b))
    return false;
  for (int i = 0; i < *rankOf(a); ++i) {
    const auto &x = a.tensor_type().shape().dim(i);
    const auto &y = b.tensor_type().shape().dim(i);
    if (x.has_dim_value() && y.has_dim_value() &&
        x.dim_value() == y.dim_value())
      continue;
    if (x.has_dim_param() && y.has_dim_param() &&
        x.dim_param() == y.dim_param() && !x.dim_param().empty())
      continue;
    return false;
  }
  return true;
}

/// A sequence operator's sequence input and position, as expandNode reads
/// them.
struct SeqOperand {
  Seq s;                       // a copy of the input sequence
  std::string pos;             // the position input; empty when absent
  std::optional<int64_t> cpos; // its value, when a constant
  int64_t len;                 // the number of elements of a list
};

/// SplitToSequence's input, checked.
struct SplitInput {
  std::string name;
  onnx::TypeProto type;
  int64_t rank;
  int64_t axis;               // normalized into [0, rank)
  std::optional<int64_t> dim; // the split dim's size, when static
  /// A piece's type: the split dim becomes `size` (unknown when none), or
  /// is dropped when not `keep`.
  onnx::TypeProto pieceType(std::optional<int64_t> size, bool keep) const;
};

class Expander {
public:
  Expander(int64_t opset, llvm::StringMap<onnx::TypeProto> &types)
      : opset(opset), types(types) {}

  std::optional<SequenceExpansionError> expandGraph(onnx::GraphProto &g,
                                                    Scope &scope, bool isMain);

private:
  using Result = std::optional<Failure>;

  /// Rewrites one sequence operator (or Identity of a sequence) `n`,
  /// recording its result sequence in `scope`.
  Result expandNode(const onnx::NodeProto &n, Scope &scope);

  // The operators that read a sequence (each records or emits `result`).
  Result expandAt(SeqOperand &u, const std::string &result);
  Result expandInsert(SeqOperand &u, const std::string &tensor,
                      const std::string &result, Scope &scope);
  Result expandErase(SeqOperand &u, const std::string &result, Scope &scope);
  Result expandConcat(SeqOperand &u, int64_t axis, bool newAxis,
                      const std::string &result);
  /// Gathers the last element of `stacked` ([n + 1, ...]) into position
  /// `pos` (scalar, clamped into [0, n]); the others keep their order.
  std::string moveLastTo(const std::string &stacked, const std::string &n,
                         const std::string &pos);
  /// Gathers all elements of `stacked` ([n, ...]) but the one at `pos`
  /// (scalar, clamped into [0, n - 1]).
  std::string dropAt(const std::string &stacked, const std::string &n,
                     const std::string &pos);
  /// ConcatFromSequence without `new_axis` of the stacked `st` (elements of
  /// rank `rank`): dim 0 moved to `a` by `perm`, then merged with the next.
  void mergeStackedDim(const Seq &st, int64_t a, int64_t rank, const Ints &perm,
                       const std::string &result);

  // SplitToSequence: expandSplit checks the input and the axis, then one of
  // the forms below makes the sequence `s`.
  Result expandSplit(const onnx::NodeProto &n, Scope &scope);
  /// Without `split`: pieces of size 1 (a stacked sequence).
  Result splitIntoUnits(const SplitInput &in, bool keep, Seq &s);
  /// With `split` (a scalar size or a 1-D list of sizes).
  Result splitBySizes(const SplitInput &in, const std::string &split,
                      const std::string &nodeName, const Scope &scope, Seq &s);
  /// A constant scalar `size` dividing the dim: Reshape and Transpose into
  /// a stacked sequence.
  Result splitEvenly(const SplitInput &in, int64_t size, Seq &s);
  /// Constant sizes: one Slice per piece (a list).
  Result splitStatic(const SplitInput &in, const Ints &sizes, Seq &s);
  /// Run-time sizes `sizes64` (int64) of a static `count`: one Gather of a
  /// Range per piece (a list).
  void splitRuntime(const SplitInput &in, const std::string &sizes64,
                    int64_t count, Seq &s);

  // Emission ----------------------------------------------------------------
  std::string fresh() {
    std::string name = base + "__seq" + std::to_string(counter++);
    generated.insert(name);
    return name;
  }
  /// Records the type of a value made here, for the rewrite and, as
  /// value_info, for shape inference, which leaves some results unranked
  /// (Reshape to a computed shape, Slice at run-time starts).
  void declare(const std::string &name, const onnx::TypeProto &type) {
    types[name] = type;
    if (!generated.contains(name) || !type.has_tensor_type())
      return;
    auto *vi = graph->add_value_info();
    vi->set_name(name);
    *vi->mutable_type() = type;
  }
  /// The same for a node's result, which may be a graph output.
  void declareResult(const std::string &name, const onnx::TypeProto &type) {
    for (auto &o : *graph->mutable_output())
      if (o.name() == name) {
        if (!o.type().has_tensor_type() || !o.type().tensor_type().has_shape())
          *o.mutable_type() = type;
        return;
      }
    auto *vi = graph->add_value_info();
    vi->set_name(name);
    *vi->mutable_type() = type;
  }
  onnx::NodeProto &add(const char *op, const std::vector<std::string> &inputs,
                       std::string out = "") {
    onnx::NodeProto &n = emitted.emplace_back();
    n.set_op_type(op);
    n.set_name(base + "/" + op + std::to_string(counter));
    for (const auto &i : inputs)
      n.add_input(i);
    n.add_output(out.empty() ? fresh() : out);
    return n;
  }
  static std::string out(const onnx::NodeProto &n) { return n.output(0); }
  static void setInt(onnx::NodeProto &n, const char *name, int64_t v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void setInts(onnx::NodeProto &n, const char *name, const Ints &v) {
    auto *a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
  }
  std::string constant(const Ints &v, bool scalar, std::string name = "") {
    onnx::NodeProto &n = add("Constant", {}, name);
    auto *a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    onnx::TensorProto *t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    if (!scalar)
      t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v)
      t->add_int64_data(x);
    return out(n);
  }
  std::string unsqueeze(const std::string &x, const Ints &axes) {
    if (opset < 13) {
      onnx::NodeProto &n = add("Unsqueeze", {x});
      setInts(n, "axes", axes);
      return out(n);
    }
    return out(add("Unsqueeze", {x, constant(axes, false)}));
  }
  std::string concat(const std::vector<std::string> &xs, int64_t axis,
                     std::string name = "") {
    onnx::NodeProto &n = add("Concat", xs, name);
    setInt(n, "axis", axis);
    return out(n);
  }
  std::string slice(const std::string &x, const std::string &starts,
                    const std::string &ends, int64_t axis) {
    return out(add("Slice", {x, starts, ends, constant({axis}, false)}));
  }
  std::string transpose(const std::string &x, const Ints &perm,
                        std::string name = "") {
    onnx::NodeProto &n = add("Transpose", {x}, name);
    setInts(n, "perm", perm);
    return out(n);
  }
  /// Range(start, limit, 1) of scalar int64s.
  std::string range(const std::string &start, const std::string &limit) {
    return out(add("Range", {start, limit, constant({1}, true)}));
  }
  std::string identity(const std::string &x, std::string name) {
    return out(add("Identity", {x}, name));
  }
  /// A scalar position as int64.
  std::string asInt64(const std::string &p) {
    auto it = types.find(p);
    if (it != types.end() && it->second.has_tensor_type() &&
        it->second.tensor_type().elem_type() == onnx::TensorProto::INT64)
      return p;
    onnx::NodeProto &n = add("Cast", {p});
    setInt(n, "to", onnx::TensorProto::INT64);
    return out(n);
  }

  // Sequences ----------------------------------------------------------------
  std::optional<int64_t> constScalar(const Scope &scope,
                                     const std::string &name) {
    const onnx::TensorProto *t = scope.constant(name);
    if (!t)
      return std::nullopt;
    auto v = readInts(*t);
    if (!v || v->size() != 1)
      return std::nullopt;
    return (*v)[0];
  }
  onnx::TypeProto typeOf(const std::string &name) {
    auto it = types.find(name);
    return it == types.end() ? onnx::TypeProto() : it->second;
  }
  /// The length, a scalar int64 tensor.
  std::string length(const Seq &s) {
    switch (s.kind) {
    case Seq::List:
      return constant({static_cast<int64_t>(s.elems.size())}, true);
    case Seq::Stacked: {
      onnx::TypeProto t = typeOf(s.stacked);
      if (rankOf(t) && *rankOf(t) > 0 && dimOf(t, 0))
        return constant({*dimOf(t, 0)}, true);
      std::string shape = out(add("Shape", {s.stacked}));
      onnx::NodeProto &g = add("Gather", {shape, constant({0}, true)});
      setInt(g, "axis", 0);
      return out(g);
    }
    case Seq::LengthOnly:
      return s.length;
    }
    return {};
  }
  /// The static length of a stacked sequence plus `delta`, if known.
  std::optional<int64_t> staticLength(const Seq &s, int64_t delta) {
    onnx::TypeProto t = typeOf(s.stacked);
    if (rankOf(t) && *rankOf(t) > 0 && dimOf(t, 0))
      return *dimOf(t, 0) + delta;
    return std::nullopt;
  }
  /// `p` (scalar int64) made non-negative: p < 0 ? p + n : p.
  std::string normalize(const std::string &p, const std::string &n) {
    std::string neg = out(add("Less", {p, constant({0}, true)}));
    std::string wrapped = out(add("Add", {p, n}));
    return out(add("Where", {neg, wrapped, p}));
  }
  /// `p` clamped to [0, hi]. Positions out of range are invalid in ONNX;
  /// compiled code has no error path inside kernels, so they are clamped
  /// rather than read out of bounds.
  std::string clamp(const std::string &p, const std::string &hi) {
    std::string zero = constant({0}, true);
    std::string low = out(add("Where", {out(add("Less", {p, zero})), zero, p}));
    return out(add("Where", {out(add("Less", {hi, low})), hi, low}));
  }
  /// The stacked form of `s` (a list is unsqueezed and concatenated).
  std::optional<Failure> stack(const Seq &s, Seq &result, const char *purpose) {
    if (s.kind == Seq::Stacked) {
      result = s;
      return std::nullopt;
    }
    if (s.kind == Seq::LengthOnly)
      return Failure{std::string(purpose) + " needs the sequence's elements; " +
                     s.why};
    if (s.elems.empty())
      return Failure{std::string(purpose) +
                     " on an empty sequence is not supported"};
    for (const Elem &e : s.elems)
      if (e.name != s.elems[0].name && !sameType(e.type, s.elems[0].type))
        return Failure{
            std::string(purpose) +
            " needs the sequence as one stacked tensor, and its elements "
            "differ in type or shape ('" +
            s.elems[0].name + "' " + shapeString(s.elems[0].type) + ", '" +
            e.name + "' " + shapeString(e.type) +
            "); sequences of unequal shapes are supported only with "
            "constant positions"};
    std::vector<std::string> parts;
    for (const Elem &e : s.elems)
      parts.push_back(unsqueeze(e.name, {0}));
    result = Seq();
    result.kind = Seq::Stacked;
    result.stacked = concat(parts, 0);
    result.elem = s.elems[0];
    declare(result.stacked, stackedType(result.elem.type, s.elems.size()));
    return std::nullopt;
  }
  static onnx::TypeProto stackedType(const onnx::TypeProto &elem,
                                     std::optional<int64_t> n) {
    if (!rankOf(elem))
      return onnx::TypeProto();
    onnx::TypeProto t = elem;
    auto *shape = t.mutable_tensor_type()->mutable_shape();
    auto *d = shape->add_dim();
    if (n)
      d->set_dim_value(*n);
    // Move the new dim to the front.
    for (int i = shape->dim_size() - 1; i > 0; --i)
      shape->mutable_dim()->SwapElements(i, i - 1);
    return t;
  }

  int64_t opset;
  llvm::StringMap<onnx::TypeProto> &types;
  std::deque<onnx::NodeProto> emitted;
  llvm::StringSet<> generated;
  onnx::GraphProto *graph = nullptr;
  std::string base;
  int counter = 0;
};

} // namespace

/// The sequence input (input 0) of `n`, or why there is none.
static std::optional<Failure> sequenceInput(const onnx::NodeProto &n,
                                            const Scope &scope, const Seq *&s) {
  std::string name = n.input_size() > 0 ? n.input(0) : std::string();
  s = scope.seq(name);
  if (!s)
    return Failure{"input '" + name +
                   "' is not a sequence made inside the model (sequence-"
                   "typed graph inputs are not supported)"};
  return std::nullopt;
}

/// Whether constant position `p` is valid for a sequence of `count`
/// elements, `hi` the highest valid one.
static std::optional<Failure> checkPosition(int64_t p, int64_t count,
                                            int64_t hi) {
  if (p < -count || p > hi)
    return Failure{"position " + std::to_string(p) +
                   " is out of range for a sequence of length " +
                   std::to_string(count)};
  return std::nullopt;
}

std::optional<Failure> Expander::expandNode(const onnx::NodeProto &n,
                                            Scope &scope) {
  const std::string &op = n.op_type();
  const std::string &result = n.output(0);
  if (op == "SequenceEmpty") {
    scope.seqs[result] = Seq();
    return std::nullopt;
  }
  if (op == "SequenceConstruct") {
    Seq s;
    for (const auto &i : n.input())
      s.elems.push_back({i, typeOf(i)});
    scope.seqs[result] = std::move(s);
    return std::nullopt;
  }
  if (op == "SplitToSequence")
    return expandSplit(n, scope);

  const Seq *sp;
  if (auto f = sequenceInput(n, scope, sp))
    return f;
  if (op == "Identity") {
    scope.seqs[result] = *sp;
    return std::nullopt;
  }
  SeqOperand u{*sp, {}, std::nullopt, 0}; // a copy: `scope.seqs` may grow
  int posInput = op == "SequenceInsert" ? 2 : 1;
  if (posInput < n.input_size())
    u.pos = n.input(posInput);
  if (!u.pos.empty())
    u.cpos = constScalar(scope, u.pos);
  u.len = static_cast<int64_t>(u.s.elems.size());

  bool noTensor = n.input_size() < 2 || n.input(1).empty();
  if ((op == "SequenceAt" && u.pos.empty()) ||
      (op == "SequenceInsert" && noTensor))
    return Failure{"a required input is missing"};
  if (op == "SequenceLength") {
    identity(length(u.s), result);
    return std::nullopt;
  }
  if (op == "SequenceAt")
    return expandAt(u, result);
  if (op == "SequenceInsert")
    return expandInsert(u, n.input(1), result, scope);
  if (op == "SequenceErase")
    return expandErase(u, result, scope);
  if (op == "ConcatFromSequence")
    return expandConcat(u, intAttr(n, "axis", 0),
                        intAttr(n, "new_axis", 0) != 0, result);
  return Failure{"is not a sequence operator"};
}

std::optional<Failure> Expander::expandAt(SeqOperand &u,
                                          const std::string &result) {
  if (u.s.kind == Seq::List && u.cpos) {
    if (auto f = checkPosition(*u.cpos, u.len, u.len - 1))
      return f;
    identity(u.s.elems[*u.cpos < 0 ? *u.cpos + u.len : *u.cpos].name, result);
    return std::nullopt;
  }
  Seq st;
  if (auto f = stack(u.s, st, "SequenceAt with a run-time position"))
    return f;
  std::string n = length(st);
  std::string last = out(add("Sub", {n, constant({1}, true)}));
  onnx::NodeProto &g =
      add("Gather", {st.stacked, clamp(normalize(asInt64(u.pos), n), last)},
          result);
  setInt(g, "axis", 0);
  return std::nullopt;
}

std::optional<Failure> Expander::expandInsert(SeqOperand &u,
                                              const std::string &tensor,
                                              const std::string &result,
                                              Scope &scope) {
  Elem t{tensor, typeOf(tensor)};
  Seq &s = u.s;
  if (s.kind == Seq::List && (u.pos.empty() || u.cpos || s.elems.empty())) {
    // Into an empty sequence the only valid position is 0.
    int64_t p = u.pos.empty() || s.elems.empty() ? u.len : *u.cpos;
    if (auto f = checkPosition(p, u.len, u.len))
      return f;
    s.elems.insert(s.elems.begin() + (p < 0 ? p + u.len : p), t);
    scope.seqs[result] = std::move(s);
    return std::nullopt;
  }
  Seq st;
  if (auto f = stack(s, st, "SequenceInsert with a run-time position"))
    return f;
  if (!sameType(t.type, st.elem.type))
    return Failure{"the inserted tensor '" + t.name + "' " +
                   shapeString(t.type) +
                   " differs in type or shape from the sequence's "
                   "elements " +
                   shapeString(st.elem.type) +
                   "; sequences of unequal shapes are supported only "
                   "with constant positions"};
  Seq r = st;
  r.stacked = concat({st.stacked, unsqueeze(t.name, {0})}, 0);
  if (!u.pos.empty())
    r.stacked = moveLastTo(r.stacked, length(st), u.pos);
  declare(r.stacked, stackedType(st.elem.type, staticLength(st, 1)));
  scope.seqs[result] = std::move(r);
  return std::nullopt;
}

std::string Expander::moveLastTo(const std::string &stacked,
                                 const std::string &n, const std::string &pos) {
  // idx[i] = i < p ? i : i == p ? n : i - 1, for i in [0, n].
  std::string p = clamp(normalize(asInt64(pos), n), n);
  std::string i =
      range(constant({0}, true), out(add("Add", {n, constant({1}, true)})));
  std::string before = out(add("Less", {i, p}));
  std::string at = out(add("Equal", {i, p}));
  std::string prev = out(add("Sub", {i, constant({1}, true)}));
  std::string idx =
      out(add("Where", {at, n, out(add("Where", {before, i, prev}))}));
  onnx::NodeProto &g = add("Gather", {stacked, idx});
  setInt(g, "axis", 0);
  return out(g);
}

std::optional<Failure>
Expander::expandErase(SeqOperand &u, const std::string &result, Scope &scope) {
  Seq &s = u.s;
  if (s.kind == Seq::List && (u.pos.empty() || u.cpos)) {
    if (s.elems.empty())
      return Failure{"erasing from an empty sequence"};
    int64_t p = u.pos.empty() ? u.len - 1 : *u.cpos;
    if (auto f = checkPosition(p, u.len, u.len - 1))
      return f;
    s.elems.erase(s.elems.begin() + (p < 0 ? p + u.len : p));
    scope.seqs[result] = std::move(s);
    return std::nullopt;
  }
  Seq st;
  if (auto f = stack(s, st, "SequenceErase with a run-time position"))
    return f;
  Seq r = st;
  if (u.pos.empty())
    r.stacked =
        slice(st.stacked, constant({0}, false), constant({-1}, false), 0);
  else
    r.stacked = dropAt(st.stacked, length(st), u.pos);
  declare(r.stacked, stackedType(st.elem.type, staticLength(st, -1)));
  scope.seqs[result] = std::move(r);
  return std::nullopt;
}

std::string Expander::dropAt(const std::string &stacked, const std::string &n,
                             const std::string &pos) {
  // idx[i] = i < p ? i : i + 1, for i in [0, n - 1).
  std::string last = out(add("Sub", {n, constant({1}, true)}));
  std::string p = clamp(normalize(asInt64(pos), n), last);
  std::string i = range(constant({0}, true), last);
  onnx::NodeProto &skip =
      add("Cast", {out(add("Not", {out(add("Less", {i, p}))}))});
  setInt(skip, "to", onnx::TensorProto::INT64);
  std::string idx = out(add("Add", {i, out(skip)}));
  onnx::NodeProto &g = add("Gather", {stacked, idx});
  setInt(g, "axis", 0);
  return out(g);
}

std::optional<Failure> Expander::expandConcat(SeqOperand &u, int64_t axis,
                                              bool newAxis,
                                              const std::string &result) {
  if (u.s.kind == Seq::List) {
    if (u.s.elems.empty())
      return Failure{"ConcatFromSequence of an empty sequence (its "
                     "result has no defined shape)"};
    std::vector<std::string> parts;
    for (const Elem &e : u.s.elems)
      parts.push_back(newAxis ? unsqueeze(e.name, {axis}) : e.name);
    concat(parts, axis, result);
    return std::nullopt;
  }
  Seq st;
  if (auto f = stack(u.s, st, "ConcatFromSequence"))
    return f;
  std::optional<int> r = rankOf(st.elem.type);
  if (!r)
    return Failure{"ConcatFromSequence needs the rank of the sequence's "
                   "elements, which shape inference did not give"};
  int64_t outRank = newAxis ? *r + 1 : *r;
  int64_t a = axis < 0 ? axis + outRank : axis;
  if (a < 0 || a >= outRank)
    return Failure{"axis " + std::to_string(axis) +
                   " is out of range for elements of rank " +
                   std::to_string(*r)};
  // The stacked dim 0 moves to position a.
  Ints perm;
  for (int64_t i = 1; i <= a; ++i)
    perm.push_back(i);
  perm.push_back(0);
  for (int64_t i = a + 1; i <= *r; ++i)
    perm.push_back(i);
  if (newAxis)
    transpose(st.stacked, perm, result);
  else
    mergeStackedDim(st, a, *r, perm, result);
  return std::nullopt;
}

void Expander::mergeStackedDim(const Seq &st, int64_t a, int64_t rank,
                               const Ints &perm, const std::string &result) {
  // [e0 .. e(a-1), n, ea, ...] -> [e0 .. e(a-1), n * ea, ...]
  std::string moved = a == 0 ? st.stacked : transpose(st.stacked, perm);
  std::string shape = out(add("Shape", {moved}));
  std::vector<std::string> dims;
  if (a > 0)
    dims.push_back(slice(shape, constant({0}, false), constant({a}, false), 0));
  dims.push_back(constant({-1}, false));
  if (a + 2 <= rank)
    dims.push_back(
        slice(shape, constant({a + 2}, false), constant({kMax}, false), 0));
  std::string newShape = dims.size() == 1 ? dims[0] : concat(dims, 0);
  add("Reshape", {moved, newShape}, result);
  onnx::TypeProto t = st.elem.type;
  auto *d = t.mutable_tensor_type()->mutable_shape()->mutable_dim(a);
  std::optional<int64_t> n = dimOf(typeOf(st.stacked), 0);
  std::optional<int64_t> ea = dimOf(st.elem.type, a);
  d->Clear();
  if (n && ea)
    d->set_dim_value(*n * *ea);
  declareResult(result, t);
}

onnx::TypeProto SplitInput::pieceType(std::optional<int64_t> size,
                                      bool keep) const {
  onnx::TypeProto t = type;
  auto *shape = t.mutable_tensor_type()->mutable_shape();
  if (!keep) {
    shape->mutable_dim()->DeleteSubrange(axis, 1);
    return t;
  }
  shape->mutable_dim(axis)->Clear();
  if (size)
    shape->mutable_dim(axis)->set_dim_value(*size);
  return t;
}

std::optional<Failure> Expander::expandSplit(const onnx::NodeProto &n,
                                             Scope &scope) {
  const std::string &result = n.output(0);
  SplitInput in;
  in.name = n.input(0);
  if (in.name.empty())
    return Failure{"a required input is missing"};
  const std::string split = n.input_size() > 1 ? n.input(1) : "";
  in.type = typeOf(in.name);
  std::optional<int> r = rankOf(in.type);
  if (!r)
    return Failure{"SplitToSequence needs the rank of its input, which shape "
                   "inference did not give"};
  in.rank = *r;
  int64_t axis = intAttr(n, "axis", 0);
  in.axis = axis < 0 ? axis + in.rank : axis;
  if (in.axis < 0 || in.axis >= in.rank)
    return Failure{"axis " + std::to_string(axis) +
                   " is out of range for rank " + std::to_string(in.rank)};
  in.dim = dimOf(in.type, in.axis);

  Seq s;
  std::optional<Failure> f =
      split.empty() ? splitIntoUnits(in, intAttr(n, "keepdims", 1) != 0, s)
                    : splitBySizes(in, split, n.name(), scope, s);
  if (f)
    return f;
  scope.seqs[result] = std::move(s);
  return std::nullopt;
}

std::optional<Failure> Expander::splitIntoUnits(const SplitInput &in, bool keep,
                                                Seq &s) {
  // Pieces of size 1: the input with `axis` moved to the front.
  Ints toFront{in.axis};
  for (int64_t i = 0; i < in.rank; ++i)
    if (i != in.axis)
      toFront.push_back(i);
  s.kind = Seq::Stacked;
  s.stacked = in.axis == 0 ? in.name : transpose(in.name, toFront);
  if (keep)
    s.stacked = unsqueeze(s.stacked, {in.axis + 1});
  s.elem = {in.name, in.pieceType(1, keep)};
  declare(s.stacked, stackedType(s.elem.type, in.dim));
  return std::nullopt;
}

std::optional<Failure> Expander::splitBySizes(const SplitInput &in,
                                              const std::string &split,
                                              const std::string &nodeName,
                                              const Scope &scope, Seq &s) {
  onnx::TypeProto st = typeOf(split);
  const onnx::TensorProto *sc = scope.constant(split);
  std::optional<Ints> sizes;
  if (sc)
    sizes = readInts(*sc);
  bool scalar = sc ? sc->dims_size() == 0 : rankOf(st) && *rankOf(st) == 0;
  if (scalar) {
    if (!sizes)
      return Failure{"SplitToSequence with a run-time scalar split size is "
                     "not supported (the number of pieces is unknown)"};
    int64_t size = (*sizes)[0];
    if (size <= 0)
      return Failure{"split size " + std::to_string(size) + " is not positive"};
    if (!in.dim)
      return Failure{"SplitToSequence with a scalar split size needs a "
                     "static size of the split dimension"};
    if (*in.dim % size == 0)
      return splitEvenly(in, size, s);
    if (*in.dim / size >= kMaxPieces)
      return Failure{tooMany(*in.dim / size + 1)};
    sizes = Ints();
    for (int64_t at = 0; at < *in.dim; at += size)
      sizes->push_back(std::min(size, *in.dim - at));
  }
  if (sizes)
    return splitStatic(in, *sizes, s);
  std::optional<int> sr = rankOf(st);
  if (!sr || *sr != 1)
    return Failure{"SplitToSequence needs a split input of known rank 0 or "
                   "1"};
  std::optional<int64_t> count = dimOf(st, 0);
  if (count && *count > kMaxPieces)
    return Failure{tooMany(*count)};
  std::string sizes64 = asInt64(split);
  if (!count) {
    s.kind = Seq::LengthOnly;
    std::string shape = out(add("Shape", {sizes64}));
    onnx::NodeProto &g = add("Gather", {shape, constant({0}, true)});
    setInt(g, "axis", 0);
    s.length = out(g);
    s.why = "the pieces of SplitToSequence node '" + nodeName +
            "' (run-time split sizes of run-time count) are not supported";
    return std::nullopt;
  }
  splitRuntime(in, sizes64, *count, s);
  return std::nullopt;
}

std::optional<Failure> Expander::splitEvenly(const SplitInput &in, int64_t size,
                                             Seq &s) {
  int64_t a = in.axis, r = in.rank, d = *in.dim;
  // [.., d, ..] -> [.., d/size, size, ..] -> [d/size, .., size, ..]
  std::string shape = out(add("Shape", {in.name}));
  std::vector<std::string> dims;
  if (a > 0)
    dims.push_back(slice(shape, constant({0}, false), constant({a}, false), 0));
  dims.push_back(constant({d / size, size}, false));
  if (a + 1 < r)
    dims.push_back(
        slice(shape, constant({a + 1}, false), constant({kMax}, false), 0));
  std::string split2 = out(
      add("Reshape", {in.name, dims.size() == 1 ? dims[0] : concat(dims, 0)}));
  onnx::TypeProto t2 = in.pieceType(d / size, true);
  auto *shape2 = t2.mutable_tensor_type()->mutable_shape();
  shape2->add_dim()->set_dim_value(size);
  for (int64_t i = r; i > a + 1; --i)
    shape2->mutable_dim()->SwapElements(i, i - 1);
  declare(split2, t2);
  Ints perm{a};
  for (int64_t i = 0; i <= r; ++i)
    if (i != a)
      perm.push_back(i);
  s.kind = Seq::Stacked;
  s.stacked = transpose(split2, perm);
  s.elem = {in.name, in.pieceType(size, true)};
  declare(s.stacked, stackedType(s.elem.type, d / size));
  return std::nullopt;
}

std::optional<Failure> Expander::splitStatic(const SplitInput &in,
                                             const Ints &sizes, Seq &s) {
  // One Slice per piece.
  if (static_cast<int64_t>(sizes.size()) > kMaxPieces)
    return Failure{tooMany(sizes.size())};
  int64_t at = 0;
  for (int64_t size : sizes) {
    if (size < 0 || size > kMax - at || (in.dim && at + size > *in.dim))
      return Failure{"split size " + std::to_string(size) +
                     " is negative or runs past the dimension"};
    std::string piece = slice(in.name, constant({at}, false),
                              constant({at + size}, false), in.axis);
    s.elems.push_back({piece, in.pieceType(size, true)});
    declare(piece, s.elems.back().type);
    at += size;
  }
  if (in.dim && at != *in.dim)
    return Failure{"split sizes add up to " + std::to_string(at) +
                   ", not the dimension's " + std::to_string(*in.dim)};
  return std::nullopt;
}

void Expander::splitRuntime(const SplitInput &in, const std::string &sizes64,
                            int64_t count, Seq &s) {
  // Run-time sizes, static count: piece i gathers [end_i - size_i, end_i)
  // (a Gather of a Range, which shape inference gives a rank, unlike a
  // Slice with run-time starts).
  onnx::NodeProto &cum = add("CumSum", {sizes64, constant({0}, true)});
  std::string ends = out(cum);
  for (int64_t i = 0; i < count; ++i) {
    auto at = [&](const std::string &v) {
      onnx::NodeProto &g = add("Gather", {v, constant({i}, true)});
      setInt(g, "axis", 0);
      return out(g);
    };
    std::string end = at(ends);
    std::string start = out(add("Sub", {end, at(sizes64)}));
    onnx::NodeProto &g = add("Gather", {in.name, range(start, end)});
    setInt(g, "axis", in.axis);
    std::string piece = out(g);
    s.elems.push_back({piece, in.pieceType(std::nullopt, true)});
    declare(piece, s.elems.back().type);
  }
}

std::optional<SequenceExpansionError>
Expander::expandGraph(onnx::GraphProto &g, Scope &scope, bool isMain) {
  graph = &g;
  for (const onnx::TensorProto &t : g.initializer())
    scope.consts[t.name()] = &t;
  // The graph's own names hide outer sequences and constants.
  for (const auto &in : g.input())
    scope.own.insert(in.name());
  for (const onnx::NodeProto &n : g.node())
    for (const auto &o : n.output())
      scope.own.insert(o);

  std::vector<onnx::NodeProto> nodes;
  for (onnx::NodeProto &n : *g.mutable_node()) {
    bool isDefault = n.domain().empty() || n.domain() == "ai.onnx";
    bool seqIdentity = isDefault && n.op_type() == "Identity" &&
                       n.input_size() == 1 && scope.seq(n.input(0));
    if (isDefault && (isExpandedSequenceOp(n.op_type()) || seqIdentity)) {
      base = n.name().empty() ? n.output(0) : n.name();
      emitted.clear();
      if (auto f = expandNode(n, scope))
        return SequenceExpansionError{n, f->message};
      for (onnx::NodeProto &e : emitted)
        nodes.push_back(std::move(e));
      emitted.clear();
      continue;
    }
    for (const auto &i : n.input())
      if (!i.empty() && scope.seq(i))
        return SequenceExpansionError{
            n, "input '" + i +
                   "' is a sequence; sequences are supported only between "
                   "the sequence operators (SequenceAt, SequenceConstruct, "
                   "SequenceEmpty, SequenceErase, SequenceInsert, "
                   "SequenceLength, SplitToSequence, ConcatFromSequence)"};
    for (onnx::AttributeProto &a : *n.mutable_attribute()) {
      auto sub =
          [&](onnx::GraphProto &body) -> std::optional<SequenceExpansionError> {
        Scope inner;
        inner.parent = &scope;
        std::string saved = base;
        auto err = expandGraph(body, inner, false);
        base = saved;
        graph = &g;
        return err;
      };
      if (a.has_g())
        if (auto err = sub(*a.mutable_g()))
          return err;
      for (onnx::GraphProto &body : *a.mutable_graphs())
        if (auto err = sub(body))
          return err;
    }
    if (isDefault && n.op_type() == "Constant")
      for (const auto &a : n.attribute())
        if (a.name() == "value" && a.has_t())
          scope.consts[n.output(0)] = &a.t();
    nodes.push_back(n);
  }
  for (const auto &o : g.output())
    if (scope.seq(o.name()))
      return SequenceExpansionError{
          onnx::NodeProto(),
          std::string(isMain ? "graph" : "subgraph '" + g.name() + "'") +
              " output '" + o.name() +
              "' is a sequence; sequence-typed graph outputs are not "
              "supported (sequences are supported inside the graph only)"};
  g.clear_node();
  for (onnx::NodeProto &n : nodes)
    *g.add_node() = std::move(n);
  // Sequence-typed value_info has nothing left to describe.
  auto *vis = g.mutable_value_info();
  for (int i = vis->size() - 1; i >= 0; --i)
    if (!vis->Get(i).type().has_tensor_type())
      vis->DeleteSubrange(i, 1);
  return std::nullopt;
}

static void collectTypes(const onnx::GraphProto &g,
                         llvm::StringMap<onnx::TypeProto> &types) {
  for (const auto &vi : g.input())
    types[vi.name()] = vi.type();
  for (const auto &vi : g.value_info())
    types[vi.name()] = vi.type();
  for (const auto &vi : g.output())
    types[vi.name()] = vi.type();
  for (const auto &t : g.initializer()) {
    onnx::TypeProto type;
    auto *tt = type.mutable_tensor_type();
    tt->set_elem_type(t.data_type());
    auto *shape = tt->mutable_shape();
    for (int64_t d : t.dims())
      shape->add_dim()->set_dim_value(d);
    types[t.name()] = type;
  }
  for (const auto &n : g.node())
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        collectTypes(a.g(), types);
      for (const auto &sub : a.graphs())
        collectTypes(sub, types);
    }
}

static void
collectConstants(const onnx::GraphProto &g,
                 llvm::StringMap<const onnx::TensorProto *> &consts) {
  for (const auto &t : g.initializer())
    consts[t.name()] = &t;
  for (const auto &n : g.node()) {
    if (n.op_type() == "Constant" && n.output_size() == 1)
      for (const auto &a : n.attribute())
        if (a.name() == "value" && a.has_t())
          consts[n.output(0)] = &a.t();
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        collectConstants(a.g(), consts);
      for (const auto &sub : a.graphs())
        collectConstants(sub, consts);
    }
  }
}

/// ONNX's shape inference of SplitToSequence divides by a constant scalar
/// split size: a zero one would crash it. Such nodes (and negative sizes)
/// are rejected before it runs.
static std::optional<SequenceExpansionError>
checkSplitSizes(const onnx::GraphProto &g,
                const llvm::StringMap<const onnx::TensorProto *> &consts) {
  for (const auto &n : g.node()) {
    if (n.op_type() == "SplitToSequence" && n.input_size() > 1 &&
        !n.input(1).empty()) {
      auto it = consts.find(n.input(1));
      if (it != consts.end()) {
        std::optional<Ints> v = readInts(*it->second);
        bool scalar = it->second->dims_size() == 0;
        // Unreadable data (a raw_data size that does not match the dtype
        // and dims, found by the importer fuzzer) is rejected too: ONNX's
        // inference reads what bytes there are and may divide by zero.
        if (!v)
          return SequenceExpansionError{
              n, "split sizes are not a well-formed int32/int64 constant"};
        if (llvm::any_of(
                *v, [&](int64_t x) { return x < 0 || (scalar && x == 0); }))
          return SequenceExpansionError{
              n, "split sizes must be positive (scalar) or non-negative"};
      }
    }
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        if (auto err = checkSplitSizes(a.g(), consts))
          return err;
      for (const auto &sub : a.graphs())
        if (auto err = checkSplitSizes(sub, consts))
          return err;
    }
  }
  return std::nullopt;
}

std::optional<SequenceExpansionError>
seqc::detail::expandSequenceOps(onnx::ModelProto &model, int64_t opset,
                                bool inferTypes) {
  {
    llvm::StringMap<const onnx::TensorProto *> consts;
    collectConstants(model.graph(), consts);
    if (auto err = checkSplitSizes(model.graph(), consts))
      return err;
  }
  llvm::StringMap<onnx::TypeProto> types;
  if (inferTypes) {
    onnx::ModelProto typed = model;
    std::string ignored; // Without types, what needs them fails below.
    runOnnxShapeInference(typed, ignored);
    collectTypes(typed.graph(), types);
  } else {
    collectTypes(model.graph(), types);
  }
  Expander expander(opset, types);
  Scope scope;
  return expander.expandGraph(*model.mutable_graph(), scope, true);
}
