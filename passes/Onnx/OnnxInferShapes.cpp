//===- OnnxInferShapes.cpp - onnx-infer-shapes ------------------*- C++ -*-===//
//
// Implements `onnx-infer-shapes`: refines the result types of onnx ops that
// ONNX's own shape inference left unranked or dynamic. Exporters compute
// reshape targets at run time (Shape -> Gather -> Div -> Unsqueeze -> Concat),
// which ONNX 1.12 cannot follow through Constant nodes; this pass evaluates
// those small integer tensors partially (each element known or not) and
// derives ranks and static dims from them, then propagates shapes through
// the common ops (elementwise broadcasting, MatMul, Transpose, Slice,
// Shape, Softmax ...).
// Types only ever become more precise; a function result whose type changes
// gets a tensor.cast back to the declared type. Subgraphs are walked too:
// Loop and Scan body arguments that the subgraph leaves without a shape get
// one from the op's operands before the body is visited, and an unranked If
// result the join of what its branches yield.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Transforms/Passes.h"
#include "seqc/Utils/AttrNames.h"
#include "seqc/Utils/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/TypeSwitch.h"

#include <climits>

namespace seqc {
#define GEN_PASS_DEF_ONNXINFERSHAPESPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;
using namespace seqc;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
/// The elements of a small integer tensor, each known or not, row-major.
using Partial = SmallVector<std::optional<int64_t>>;
/// The largest integer tensor evaluated.
constexpr int64_t kMaxElements = 64;

using Shape = SmallVector<int64_t>;
using MaybeShape = std::optional<Shape>;

//===----------------------------------------------------------------------===//
// Shape arithmetic
//===----------------------------------------------------------------------===//

/// Whether `op` is an op of the onnx dialect.
bool isOnnx(Operation *op) {
  return llvm::isa_and_present<onnxir::OnnxDialect>(op->getDialect());
}

std::optional<ArrayRef<int64_t>> shapeOf(Value v) {
  if (auto t = llvm::dyn_cast<RankedTensorType>(v.getType()))
    return t.getShape();
  return std::nullopt;
}

/// The shape of `op`'s first operand, as the shape of its result.
MaybeShape sameShape(Operation *op) {
  if (auto s = shapeOf(op->getOperand(0)))
    return Shape(*s);
  return std::nullopt;
}

/// The dims [start, end) that onnx.Shape returns of an input of rank `r`.
std::pair<int64_t, int64_t> shapeRange(onnxir::ShapeOp op, int64_t r) {
  int64_t start = int64_t(op.getStart());
  int64_t end = op.getEnd() ? int64_t(*op.getEnd()) : r;
  start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
  end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
  return {start, end};
}

/// What onnx.Slice reads along one axis of static size `dim`: the first
/// index and the number of elements, with a start/end that may count from
/// the back, clamped as ONNX does for the sign of `step` (non-zero).
struct SliceDim {
  int64_t start, length;
};

SliceDim sliceDim(int64_t dim, int64_t b, int64_t e, int64_t step) {
  if (b < 0)
    b += dim;
  if (e < 0 && e > INT64_MIN / 2)
    e += dim;
  if (step > 0) {
    b = std::clamp<int64_t>(b, 0, dim);
    e = std::clamp<int64_t>(e, 0, dim);
    return {b, std::max<int64_t>(0, (e - b + step - 1) / step)};
  }
  b = std::clamp<int64_t>(b, -1, dim - 1);
  e = std::clamp<int64_t>(e, -1, dim - 1);
  return {b, std::max<int64_t>(0, (b - e - step - 1) / -step)};
}

/// Broadcasts shapes numpy-style; nullopt if ranks are unknown.
MaybeShape broadcast(ValueRange operands) {
  Shape out;
  for (Value v : operands) {
    auto s = shapeOf(v);
    if (!s)
      return std::nullopt;
    if (s->size() > out.size())
      out.insert(out.begin(), s->size() - out.size(), 1);
    size_t off = out.size() - s->size();
    for (size_t i = 0; i < s->size(); ++i) {
      int64_t a = out[off + i], b = (*s)[i];
      if (a == 1)
        out[off + i] = b;
      else if (b == 1 || a == b)
        continue;
      else if (a == kDyn)
        out[off + i] = b;
      else if (b != kDyn)
        return std::nullopt; // incompatible: leave it to the verifier
    }
  }
  return out;
}

MaybeShape inferTranspose(onnxir::TransposeOp op) {
  auto s = shapeOf(op.getData());
  if (!s)
    return std::nullopt;
  Shape out;
  if (ArrayAttr perm = op.getPermAttr()) {
    for (Attribute a : perm) {
      int64_t p = llvm::cast<IntegerAttr>(a).getInt();
      if (p < 0 || p >= static_cast<int64_t>(s->size()))
        return std::nullopt;
      out.push_back((*s)[p]);
    }
  } else {
    out.assign(s->rbegin(), s->rend());
  }
  return out;
}

MaybeShape inferMatMul(onnxir::MatMulOp op) {
  auto a = shapeOf(op.getA()), b = shapeOf(op.getB());
  if (!a || !b || a->empty() || b->empty())
    return std::nullopt;
  Shape sa(*a), sb(*b);
  bool aVec = sa.size() == 1, bVec = sb.size() == 1;
  if (aVec)
    sa.insert(sa.begin(), 1);
  if (bVec)
    sb.push_back(1);
  // Batch dims broadcast.
  Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2), out;
  size_t n = std::max(ba.size(), bb.size());
  ba.insert(ba.begin(), n - ba.size(), 1);
  bb.insert(bb.begin(), n - bb.size(), 1);
  for (size_t i = 0; i < n; ++i)
    out.push_back(ba[i] == 1 ? bb[i] : ba[i]);
  if (!aVec)
    out.push_back(sa[sa.size() - 2]);
  if (!bVec)
    out.push_back(sb.back());
  return out;
}

MaybeShape inferShapeOp(onnxir::ShapeOp op) {
  auto s = shapeOf(op.getData());
  if (!s)
    return std::nullopt;
  auto [start, end] = shapeRange(op, s->size());
  return Shape{std::max<int64_t>(0, end - start)};
}

/// Expand's result: the input `s` broadcast with the target shape `target`.
Shape expandShape(ArrayRef<int64_t> s, ArrayRef<int64_t> target) {
  size_t n = std::max(target.size(), s.size());
  Shape r(n, 1);
  for (size_t i = 0; i < n; ++i) {
    int64_t a = i + target.size() >= n ? target[i + target.size() - n] : 1;
    int64_t b = i + s.size() >= n ? s[i + s.size() - n] : 1;
    // A dim other than 1 on one side is the result (the other side is 1 or
    // the same, or the model is invalid).
    r[i] = a == 1 || a == kDyn ? (b == 1 && a == kDyn ? kDyn : b) : a;
  }
  return r;
}

//===----------------------------------------------------------------------===//
// The inference
//===----------------------------------------------------------------------===//

struct SliceBounds;

/// The inference over one function: the known values of small integer
/// tensors, then result types from them and from the operand types.
class ShapeInference {
public:
  void run(func::FuncOp func);

private:
  /// Known elements of small integer tensors.
  std::optional<Partial> partial(Value v);

  // Evaluation of small integer tensors (shape computations).
  void evaluate(Operation *op);
  std::optional<Partial> evalShape(onnxir::ShapeOp op);
  std::optional<Partial> evalGather(onnxir::GatherOp op);
  std::optional<Partial> evalConcat(onnxir::ConcatOp op);
  std::optional<Partial> evalConstantOfShape(onnxir::ConstantOfShapeOp op);
  std::optional<Partial> evalTranspose(onnxir::TransposeOp op);
  SliceBounds sliceBounds(onnxir::SliceOp op);
  std::optional<Partial> evalSlice(onnxir::SliceOp op);
  std::optional<Partial> evalEqual(onnxir::EqualOp op);
  std::optional<Partial> evalWhere(onnxir::WhereOp op);
  std::optional<Partial>
  evalBinary(Operation *op,
             llvm::function_ref<std::optional<int64_t>(int64_t, int64_t)> f);

  // Result shapes.
  MaybeShape inferShape(Operation *op);
  MaybeShape inferReshape(onnxir::ReshapeOp op);
  MaybeShape inferSlice(onnxir::SliceOp op);
  MaybeShape targetShape(Value shape);
  MaybeShape inferUnsqueeze(onnxir::UnsqueezeOp op);
  MaybeShape inferSqueeze(onnxir::SqueezeOp op);

  void refine(Operation *op);
  void foldToConstant(Operation *op);

  llvm::DenseMap<Value, Partial> values;
};

void refineBodyArgs(Operation *op);
void refineIf(onnxir::IfOp op);

void ShapeInference::run(func::FuncOp func) {
  // Loop and Scan bodies get their argument types before their ops are
  // visited; If results after their branches are.
  func.walk([&](Operation *op, const WalkStage &stage) {
    if (!isOnnx(op))
      return;
    if (stage.isBeforeAllRegions())
      refineBodyArgs(op);
    if (!stage.isAfterAllRegions())
      return;
    evaluate(op);
    refine(op);
    if (auto ifOp = llvm::dyn_cast<onnxir::IfOp>(op))
      refineIf(ifOp);
    foldToConstant(op);
  });
  // Shape computations that were folded are dead now.
  SmallVector<Operation *> ops;
  func.walk<WalkOrder::PostOrder>([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : llvm::reverse(ops))
    if (isOnnx(op) && isOpTriviallyDead(op))
      op->erase();
  // Keep the function's declared result types.
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      Type want = func.getResultTypes()[i];
      if (v.getType() != want)
        ret.setOperand(i, tensor::CastOp::create(b, ret.getLoc(), want, v));
    }
  });
}

std::optional<Partial> ShapeInference::partial(Value v) {
  auto it = values.find(v);
  if (it != values.end())
    return it->second;
  std::optional<SmallVector<int64_t>> ints = readIntConstant(v, kMaxElements);
  if (!ints)
    return std::nullopt;
  return Partial(ints->begin(), ints->end());
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

void ShapeInference::evaluate(Operation *op) {
  if (op->getNumResults() != 1)
    return;
  using Result = std::optional<Partial>;
  auto forward = [&](Operation *o) { return partial(o->getOperand(0)); };
  Result p =
      llvm::TypeSwitch<Operation *, Result>(op)
          .Case([&](onnxir::ShapeOp o) { return evalShape(o); })
          .Case([&](onnxir::GatherOp o) { return evalGather(o); })
          .Case<onnxir::UnsqueezeOp, onnxir::SqueezeOp, onnxir::CastOp,
                onnxir::IdentityOp, onnxir::ReshapeOp>(forward)
          .Case([&](onnxir::ConcatOp o) { return evalConcat(o); })
          .Case([&](onnxir::ConstantOfShapeOp o) {
            return evalConstantOfShape(o);
          })
          .Case([&](onnxir::TransposeOp o) { return evalTranspose(o); })
          .Case([&](onnxir::SliceOp o) { return evalSlice(o); })
          .Case([&](onnxir::EqualOp o) { return evalEqual(o); })
          .Case([&](onnxir::WhereOp o) { return evalWhere(o); })
          .Case([&](onnxir::AddOp o) {
            return evalBinary(o, [](int64_t x, int64_t y) {
              return std::optional<int64_t>(x + y);
            });
          })
          .Case([&](onnxir::SubOp o) {
            return evalBinary(o, [](int64_t x, int64_t y) {
              return std::optional<int64_t>(x - y);
            });
          })
          .Case([&](onnxir::MulOp o) {
            return evalBinary(o, [](int64_t x, int64_t y) {
              return std::optional<int64_t>(x * y);
            });
          })
          .Case([&](onnxir::DivOp o) {
            return evalBinary(o, [](int64_t x, int64_t y) {
              return y == 0 ? std::nullopt : std::optional<int64_t>(x / y);
            });
          })
          .Default([](Operation *) { return std::nullopt; });
  if (p)
    values[op->getResult(0)] = std::move(*p);
}

std::optional<Partial> ShapeInference::evalShape(onnxir::ShapeOp op) {
  auto s = shapeOf(op.getData());
  if (!s)
    return std::nullopt;
  auto [start, end] = shapeRange(op, s->size());
  Partial p;
  for (int64_t i = start; i < end; ++i)
    p.push_back((*s)[i] == kDyn ? std::nullopt
                                : std::optional<int64_t>((*s)[i]));
  return p;
}

std::optional<Partial> ShapeInference::evalGather(onnxir::GatherOp op) {
  auto data = partial(op.getData()), idx = partial(op.getIndices());
  if (!data || !idx)
    return std::nullopt;
  Partial p;
  for (auto i : *idx) {
    if (!i)
      return std::nullopt;
    int64_t k = *i < 0 ? *i + data->size() : *i;
    if (k < 0 || k >= static_cast<int64_t>(data->size()))
      return std::nullopt;
    p.push_back((*data)[k]);
  }
  return p;
}

std::optional<Partial> ShapeInference::evalConcat(onnxir::ConcatOp op) {
  Partial p;
  for (Value v : op.getInputs()) {
    auto d = partial(v);
    if (!d)
      return std::nullopt;
    llvm::append_range(p, *d);
  }
  return p;
}

std::optional<Partial>
ShapeInference::evalConstantOfShape(onnxir::ConstantOfShapeOp op) {
  auto shape = partial(op.getInput());
  auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
  if (!shape || !rt || !rt.getElementType().isInteger() ||
      llvm::any_of(*shape, [](auto d) { return !d || *d < 0; }))
    return std::nullopt;
  int64_t n = 1;
  for (auto d : *shape)
    n *= *d;
  if (n > kMaxElements)
    return std::nullopt;
  int64_t fill = 0;
  if (auto v = llvm::dyn_cast_or_null<DenseIntElementsAttr>(op.getValueAttr()))
    fill = (*v.getValues<APInt>().begin()).getSExtValue();
  return Partial(n, fill);
}

/// A rearrangement of a tensor of static shape: output dim i runs over
/// `length[i]` elements of input dim `source[i]`; input dim d is read from
/// `start[d]` in steps of `step[d]`.
struct Rearrangement {
  SmallVector<int64_t> source, start, step, length;

  /// The identity on `shape`.
  explicit Rearrangement(ArrayRef<int64_t> shape)
      : source(llvm::to_vector(llvm::seq<int64_t>(0, shape.size()))),
        start(shape.size(), 0), step(shape.size(), 1), length(shape) {}

  /// The elements of `data` (row-major, of `shape`) in output order.
  Partial apply(const Partial &data, ArrayRef<int64_t> shape) const {
    int64_t r = shape.size();
    SmallVector<int64_t> strides(r, 1);
    for (int64_t i = r - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    int64_t total = 1;
    for (int64_t l : length)
      total *= l;
    Partial out;
    SmallVector<int64_t> idx(r, 0);
    for (int64_t n = 0; n < total; ++n) {
      int64_t off = 0;
      for (int64_t i = 0; i < r; ++i)
        off +=
            (start[source[i]] + idx[i] * step[source[i]]) * strides[source[i]];
      out.push_back(data[off]);
      for (int64_t i = r - 1; i >= 0; --i) {
        if (++idx[i] < length[i])
          break;
        idx[i] = 0;
      }
    }
    return out;
  }
};

/// The static shape of `data` when its elements are all there, or nullopt.
std::optional<ArrayRef<int64_t>> staticShapeOf(Value data,
                                               const Partial &elems) {
  auto t = llvm::dyn_cast<RankedTensorType>(data.getType());
  if (!t || !t.hasStaticShape() ||
      static_cast<int64_t>(elems.size()) != t.getNumElements())
    return std::nullopt;
  return t.getShape();
}

std::optional<Partial> ShapeInference::evalTranspose(onnxir::TransposeOp op) {
  auto data = partial(op.getData());
  std::optional<ArrayRef<int64_t>> shape =
      data ? staticShapeOf(op.getData(), *data) : std::nullopt;
  if (!shape)
    return std::nullopt;
  int64_t r = shape->size();
  ArrayAttr perm = op.getPermAttr();
  if (perm && static_cast<int64_t>(perm.size()) != r)
    return std::nullopt;
  Rearrangement re(*shape);
  for (int64_t i = 0; i < r; ++i) {
    re.source[i] = perm ? llvm::cast<IntegerAttr>(perm[i]).getInt() : r - 1 - i;
    if (re.source[i] < 0 || re.source[i] >= r)
      return std::nullopt;
    re.length[i] = (*shape)[re.source[i]];
  }
  return re.apply(*data, *shape);
}

/// The known elements of Slice's starts, ends, axes and steps operands;
/// axes and steps may be absent (none).
struct SliceBounds {
  std::optional<Partial> starts, ends, axes, steps;
  bool hasAxes, hasSteps;

  /// Whether every bound operand that is present is known (its elements
  /// may still be unknown).
  bool allKnown() const {
    return starts && ends && (!hasAxes || axes) && (!hasSteps || steps);
  }
  /// The axis that bound `k` slices, normalized against rank `r`.
  std::optional<int64_t> axis(size_t k, int64_t r) const {
    if (!axes)
      return normalizeAxis(k, r);
    return (*axes)[k] ? normalizeAxis(*(*axes)[k], r) : std::nullopt;
  }
  /// Whether the bounds have matching sizes.
  bool sizesAgree() const {
    return starts->size() == ends->size() &&
           (!axes || axes->size() == starts->size()) &&
           (!steps || steps->size() == starts->size());
  }
};

SliceBounds ShapeInference::sliceBounds(onnxir::SliceOp op) {
  return {partial(op.getStarts()),
          partial(op.getEnds()),
          partial(op.getAxes()),
          partial(op.getSteps()),
          !llvm::isa<NoneType>(op.getAxes().getType()),
          !llvm::isa<NoneType>(op.getSteps().getType())};
}

std::optional<Partial> ShapeInference::evalSlice(onnxir::SliceOp op) {
  auto data = partial(op.getData());
  std::optional<ArrayRef<int64_t>> shape =
      data ? staticShapeOf(op.getData(), *data) : std::nullopt;
  if (!shape)
    return std::nullopt;
  SliceBounds b = sliceBounds(op);
  if (!b.allKnown() || !b.sizesAgree())
    return std::nullopt;
  int64_t r = shape->size();
  Rearrangement re(*shape);
  for (size_t k = 0; k < b.starts->size(); ++k) {
    std::optional<int64_t> ax = b.axis(k, r);
    int64_t st = b.steps ? (*b.steps)[k].value_or(0) : 1;
    if (!ax || st == 0 || !(*b.starts)[k] || !(*b.ends)[k])
      return std::nullopt;
    SliceDim d = sliceDim((*shape)[*ax], *(*b.starts)[k], *(*b.ends)[k], st);
    re.start[*ax] = d.start;
    re.step[*ax] = st;
    re.length[*ax] = d.length;
  }
  return re.apply(*data, *shape);
}

/// The known elements of the operands of an elementwise op on shape
/// vectors (rank <= 1) and the size `n` they broadcast to (each has n
/// elements or one); nullopt when one is not known or sizes disagree.
std::optional<SmallVector<Partial>>
shapeVectorOperands(ValueRange operands,
                    llvm::function_ref<std::optional<Partial>(Value)> get,
                    size_t &n) {
  SmallVector<Partial> ops;
  n = 1;
  for (Value v : operands) {
    auto s = shapeOf(v);
    auto d = get(v);
    if (!s || s->size() > 1 || !d)
      return std::nullopt;
    n = std::max(n, d->size());
    ops.push_back(*d);
  }
  for (const Partial &d : ops)
    if (d.size() != n && d.size() != 1)
      return std::nullopt;
  return ops;
}

/// Element `i` of a vector broadcast from `d`.
std::optional<int64_t> broadcastAt(const Partial &d, size_t i) {
  return d[d.size() == 1 ? 0 : i];
}

std::optional<Partial> ShapeInference::evalEqual(onnxir::EqualOp op) {
  size_t n;
  auto ops = shapeVectorOperands(
      op->getOperands(), [&](Value v) { return partial(v); }, n);
  if (!ops)
    return std::nullopt;
  Partial p;
  for (size_t i = 0; i < n; ++i) {
    auto x = broadcastAt((*ops)[0], i), y = broadcastAt((*ops)[1], i);
    p.push_back(x && y ? std::optional<int64_t>(*x == *y) : std::nullopt);
  }
  return p;
}

/// On shape vectors (torch's expand: Where(Equal(s, -1), 1, s)).
std::optional<Partial> ShapeInference::evalWhere(onnxir::WhereOp op) {
  size_t n;
  auto ops = shapeVectorOperands(
      op->getOperands(), [&](Value v) { return partial(v); }, n);
  if (!ops)
    return std::nullopt;
  Partial p;
  for (size_t i = 0; i < n; ++i) {
    auto c = broadcastAt((*ops)[0], i), x = broadcastAt((*ops)[1], i),
         y = broadcastAt((*ops)[2], i);
    if (c)
      p.push_back(*c ? x : y);
    else
      p.push_back(x && y && *x == *y ? x : std::nullopt);
  }
  return p;
}

/// A binary arithmetic op `f` on operands of equal size or one element;
/// an element is unknown where an operand's is or `f` gives nullopt.
std::optional<Partial> ShapeInference::evalBinary(
    Operation *op,
    llvm::function_ref<std::optional<int64_t>(int64_t, int64_t)> f) {
  auto a = partial(op->getOperand(0)), b = partial(op->getOperand(1));
  if (!a || !b || (a->size() != b->size() && a->size() != 1 && b->size() != 1))
    return std::nullopt;
  size_t n = std::max(a->size(), b->size());
  Partial p;
  for (size_t i = 0; i < n; ++i) {
    auto x = broadcastAt(*a, i), y = broadcastAt(*b, i);
    p.push_back(x && y ? f(*x, *y) : std::nullopt);
  }
  return p;
}

//===----------------------------------------------------------------------===//
// Result shapes
//===----------------------------------------------------------------------===//

MaybeShape ShapeInference::inferShape(Operation *op) {
  return llvm::TypeSwitch<Operation *, MaybeShape>(op)
      .Case<onnxir::AddOp, onnxir::SubOp, onnxir::MulOp, onnxir::DivOp,
            onnxir::PowOp, onnxir::WhereOp, onnxir::EqualOp, onnxir::LessOp,
            onnxir::GreaterOp, onnxir::LessOrEqualOp, onnxir::GreaterOrEqualOp,
            onnxir::AndOp, onnxir::OrOp, onnxir::MaxOp, onnxir::MinOp>(
          [](Operation *o) { return broadcast(o->getOperands()); })
      .Case<onnxir::ReluOp, onnxir::SigmoidOp, onnxir::TanhOp, onnxir::ExpOp,
            onnxir::LogOp, onnxir::SqrtOp, onnxir::ErfOp, onnxir::NegOp,
            onnxir::AbsOp, onnxir::CastOp, onnxir::SoftmaxOp,
            onnxir::LogSoftmaxOp, onnxir::IdentityOp, onnxir::NotOp,
            onnxir::ReciprocalOp, onnxir::LeakyReluOp, onnxir::SoftplusOp,
            onnxir::TriluOp, onnxir::LayerNormalizationOp, onnxir::DropoutOp,
            onnxir::PadOp>(sameShape)
      .Case(inferTranspose)
      .Case(inferMatMul)
      .Case([&](onnxir::ReshapeOp o) { return inferReshape(o); })
      .Case(inferShapeOp)
      .Case([&](onnxir::SliceOp o) { return inferSlice(o); })
      .Case([&](onnxir::ConstantOfShapeOp o) {
        return targetShape(o.getInput());
      })
      .Case([&](onnxir::ExpandOp o) -> MaybeShape {
        MaybeShape target = targetShape(o.getShape());
        auto s = shapeOf(o.getInput());
        if (!target || !s)
          return std::nullopt;
        return expandShape(*s, *target);
      })
      .Case([&](onnxir::UnsqueezeOp o) { return inferUnsqueeze(o); })
      .Case([&](onnxir::SqueezeOp o) { return inferSqueeze(o); })
      .Default([](Operation *) { return std::nullopt; });
}

MaybeShape ShapeInference::inferReshape(onnxir::ReshapeOp op) {
  auto target = partial(op.getShape());
  if (!target) {
    auto ts = shapeOf(op.getShape());
    if (ts && ts->size() == 1 && (*ts)[0] != kDyn)
      return Shape((*ts)[0], kDyn);
    return std::nullopt;
  }
  auto in = shapeOf(op.getData());
  bool allowZero = op.getAllowzero() != 0;
  Shape out;
  int inferAt = -1;
  for (size_t i = 0; i < target->size(); ++i) {
    auto v = (*target)[i];
    if (!v) {
      out.push_back(kDyn);
    } else if (*v == 0 && !allowZero) {
      out.push_back(in && i < in->size() ? (*in)[i] : kDyn);
    } else if (*v == -1) {
      inferAt = i;
      out.push_back(kDyn);
    } else {
      out.push_back(*v);
    }
  }
  if (inferAt < 0 || !in || llvm::any_of(*in, ShapedType::isDynamic))
    return out;
  // The -1 dim from the element count.
  int64_t total = 1, known = 1;
  for (int64_t d : *in)
    total *= d;
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) == inferAt)
      continue;
    if (out[i] == kDyn)
      return out;
    known *= out[i];
  }
  if (known)
    out[inferAt] = total / known;
  return out;
}

/// The input's rank; a sliced dim is static when the dim and its
/// start/end/step are known (exporters compute those from Shape, as
/// nn.MultiheadAttention's packed q/k/v projection does).
MaybeShape ShapeInference::inferSlice(onnxir::SliceOp op) {
  auto s = shapeOf(op.getData());
  if (!s)
    return std::nullopt;
  int64_t r = s->size();
  Shape out(*s);
  SliceBounds b = sliceBounds(op);
  if (!b.allKnown()) {
    // Which axes are sliced is unknown: only the rank is.
    if (b.hasAxes && !b.axes)
      return Shape(r, kDyn);
    // The sliced axes are known (0..n-1 or `axes`): those dims are
    // unknown, the others keep theirs.
    auto sliceShape = shapeOf(op.getStarts());
    int64_t n =
        b.starts ? b.starts->size()
        : sliceShape && sliceShape->size() == 1 && (*sliceShape)[0] != kDyn
            ? (*sliceShape)[0]
            : -1;
    if (b.axes)
      n = b.axes->size();
    if (n < 0)
      return Shape(r, kDyn);
    for (int64_t k = 0; k < n; ++k) {
      std::optional<int64_t> ax = b.axis(k, r);
      if (!ax)
        return std::nullopt;
      out[*ax] = kDyn;
    }
    return out;
  }
  if (!b.sizesAgree())
    return std::nullopt;
  for (size_t k = 0; k < b.starts->size(); ++k) {
    std::optional<int64_t> ax = b.axis(k, r);
    if (!ax)
      return std::nullopt;
    std::optional<int64_t> st = b.steps ? (*b.steps)[k] : 1;
    int64_t dim = (*s)[*ax];
    if (dim == kDyn || !st || *st == 0 || !(*b.starts)[k] || !(*b.ends)[k]) {
      out[*ax] = kDyn;
      continue;
    }
    out[*ax] = sliceDim(dim, *(*b.starts)[k], *(*b.ends)[k], *st).length;
  }
  return out;
}

/// The target shape that ConstantOfShape and Expand read from `shape`: its
/// known values (dynamic where unknown), or, when only its length is
/// known, that many dynamic dims.
MaybeShape ShapeInference::targetShape(Value shape) {
  auto target = partial(shape);
  if (!target) {
    auto ts = shapeOf(shape);
    if (!ts || ts->size() != 1 || (*ts)[0] == kDyn || (*ts)[0] > kMaxElements)
      return std::nullopt;
    target = Partial((*ts)[0], std::nullopt);
  }
  Shape out;
  for (auto v : *target)
    out.push_back(v ? *v : kDyn);
  return out;
}

MaybeShape ShapeInference::inferUnsqueeze(onnxir::UnsqueezeOp op) {
  auto s = shapeOf(op.getData());
  auto axes = partial(op.getAxes());
  if (!s || !axes || llvm::any_of(*axes, [](auto a) { return !a; }))
    return std::nullopt;
  int64_t r = s->size() + axes->size();
  SmallVector<bool> at(r, false);
  for (auto a : *axes) {
    std::optional<int64_t> k = normalizeAxis(*a, r);
    if (!k)
      return std::nullopt;
    at[*k] = true;
  }
  Shape out;
  size_t src = 0;
  for (int64_t i = 0; i < r; ++i)
    out.push_back(at[i] ? 1 : (src < s->size() ? (*s)[src++] : kDyn));
  return out;
}

MaybeShape ShapeInference::inferSqueeze(onnxir::SqueezeOp op) {
  auto s = shapeOf(op.getData());
  auto axes = partial(op.getAxes());
  if (!s || !axes || llvm::any_of(*axes, [](auto a) { return !a; }))
    return std::nullopt;
  int64_t r = s->size();
  Shape out;
  for (int64_t i = 0; i < r; ++i)
    if (llvm::none_of(*axes, [&](auto a) { return normalizeAxis(*a, r) == i; }))
      out.push_back((*s)[i]);
  return out;
}

void ShapeInference::refine(Operation *op) {
  if (op->getNumResults() < 1)
    return;
  auto inferred = inferShape(op);
  if (!inferred)
    return;
  // Same shape for every tensor result (LayerNormalization's extra
  // outputs and Dropout's mask are left alone).
  Value res = op->getResult(0);
  auto cur = llvm::dyn_cast<TensorType>(res.getType());
  if (!cur)
    return;
  Shape shape = *inferred;
  if (auto ranked = llvm::dyn_cast<RankedTensorType>(cur)) {
    if (ranked.getRank() != static_cast<int64_t>(shape.size()))
      return;
    for (size_t i = 0; i < shape.size(); ++i) {
      int64_t c = ranked.getDimSize(i);
      if (c != kDyn) {
        if (shape[i] != kDyn && shape[i] != c)
          return; // conflicting: keep what ONNX said
        shape[i] = c;
      }
    }
  }
  auto refined = RankedTensorType::get(shape, cur.getElementType());
  if (refined != res.getType())
    res.setType(refined);
}

/// Replaces a fully known small integer result by an onnx.Constant, so
/// that shape operands (Reshape targets, Pad's pads) become constants.
void ShapeInference::foldToConstant(Operation *op) {
  if (op->getNumResults() != 1 || llvm::isa<onnxir::ConstantOp>(op))
    return;
  auto it = values.find(op->getResult(0));
  auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (it == values.end() || !rt || !rt.hasStaticShape() ||
      rt.getNumElements() != static_cast<int64_t>(it->second.size()) ||
      !rt.getElementType().isSignlessInteger() ||
      llvm::any_of(it->second, [](auto v) { return !v; }))
    return;
  // A copy: inserting the constant's entry below may rehash `values`.
  Partial known = it->second;
  SmallVector<APInt> data;
  unsigned width = rt.getElementType().getIntOrFloatBitWidth();
  for (auto v : known)
    data.push_back(APInt(width, *v, /*isSigned=*/width > 1));
  OpBuilder b(op);
  auto c = onnxir::ConstantOp::create(
      b, op->getLoc(), rt, /*sparse_value=*/Attribute(),
      /*value=*/DenseIntElementsAttr::get(rt, data),
      /*value_float=*/FloatAttr(),
      /*value_floats=*/ArrayAttr(), /*value_int=*/IntegerAttr(),
      /*value_ints=*/ArrayAttr(), /*value_string=*/StringAttr(),
      /*value_strings=*/ArrayAttr());
  values[c.getResult()] = std::move(known);
  op->getResult(0).replaceAllUsesWith(c.getResult());
}

//===----------------------------------------------------------------------===//
// Subgraphs
//===----------------------------------------------------------------------===//

/// Gives body argument `i` the type `t` when the subgraph declares it
/// unranked with the same element type.
void refineArg(Block &body, unsigned i, Type t) {
  if (i < body.getNumArguments() && t &&
      llvm::isa<UnrankedTensorType>(body.getArgument(i).getType()) &&
      llvm::cast<TensorType>(t).getElementType() ==
          llvm::cast<TensorType>(body.getArgument(i).getType())
              .getElementType())
    body.getArgument(i).setType(t);
}

RankedTensorType rankedType(Value v) {
  return llvm::dyn_cast<RankedTensorType>(v.getType());
}

/// Loop's iteration number and condition are scalars; a loop-carried
/// value keeps the rank of its initial value (its dims may change between
/// iterations).
void refineLoopArgs(onnxir::LoopOp op, Block &body) {
  if (op->getNumOperands() < 2)
    return;
  MLIRContext *ctx = op->getContext();
  refineArg(body, 0, RankedTensorType::get({}, IntegerType::get(ctx, 64)));
  refineArg(body, 1, RankedTensorType::get({}, IntegerType::get(ctx, 1)));
  for (unsigned j = 2; j < op->getNumOperands(); ++j)
    if (auto t = rankedType(op->getOperand(j)))
      refineArg(body, j,
                RankedTensorType::get(SmallVector<int64_t>(t.getRank(), kDyn),
                                      t.getElementType()));
}

/// Scan's states keep their initial types and a scan input's element is
/// the input without its scan axis (and, for Scan-8, without the batch
/// axis).
void refineScanArgs(onnxir::ScanOp op, Block &body) {
  // Scan-8 may have sequence_lens as its first operand.
  unsigned first = op->hasAttr(attrs::kScan8SequenceLens) ? 1 : 0;
  int64_t m = int64_t(op.getNumScanInputs());
  int64_t n = static_cast<int64_t>(op->getNumOperands()) - first - m;
  if (m < 1 || n < 0)
    return;
  bool batch = op->hasAttr(attrs::kScan8Batch);
  ArrayAttr axes = op.getScanInputAxesAttr();
  auto dropDims = [&](RankedTensorType t, int64_t axis) -> RankedTensorType {
    SmallVector<int64_t> shape(t.getShape());
    if (batch) {
      if (shape.empty())
        return {};
      shape.erase(shape.begin());
    }
    if (axis >= 0) {
      if (axis >= static_cast<int64_t>(shape.size()))
        return {};
      shape.erase(shape.begin() + axis);
    }
    return RankedTensorType::get(shape, t.getElementType());
  };
  for (int64_t j = 0; j < n + m; ++j) {
    auto t = rankedType(op->getOperand(first + j));
    if (!t)
      continue;
    int64_t axis = -1;
    if (j >= n) {
      int64_t rank = t.getRank() - (batch ? 1 : 0);
      std::optional<int64_t> a =
          normalizeAxis(axes && j - n < static_cast<int64_t>(axes.size())
                            ? llvm::cast<IntegerAttr>(axes[j - n]).getInt()
                            : 0,
                        rank);
      if (!a)
        continue;
      axis = *a;
    }
    if (RankedTensorType e = dropDims(t, axis))
      refineArg(body, j, e);
  }
}

/// Body arguments of Loop and Scan that the subgraph declares without a
/// shape.
void refineBodyArgs(Operation *op) {
  if (!llvm::isa<onnxir::LoopOp, onnxir::ScanOp>(op) ||
      op->getNumRegions() != 1 || !op->getRegion(0).hasOneBlock())
    return;
  Block &body = op->getRegion(0).front();
  if (auto loop = llvm::dyn_cast<onnxir::LoopOp>(op))
    refineLoopArgs(loop, body);
  else
    refineScanArgs(llvm::cast<onnxir::ScanOp>(op), body);
}

/// An If result that ONNX left unranked takes the ranked type both
/// branches yield, dims that differ made dynamic (the walk visits the
/// branches first).
void refineIf(onnxir::IfOp op) {
  for (Region &r : op->getRegions())
    if (!r.hasOneBlock() ||
        r.front().getTerminator()->getNumOperands() != op->getNumResults())
      return;
  Operation *a = op.getElseBranch().front().getTerminator();
  Operation *b = op.getThenBranch().front().getTerminator();
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    auto cur = llvm::dyn_cast<UnrankedTensorType>(op->getResult(i).getType());
    auto x = llvm::dyn_cast<RankedTensorType>(a->getOperand(i).getType());
    auto y = llvm::dyn_cast<RankedTensorType>(b->getOperand(i).getType());
    if (!cur || !x || !y || x.getRank() != y.getRank() ||
        x.getElementType() != cur.getElementType() ||
        y.getElementType() != cur.getElementType())
      continue;
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < x.getRank(); ++d)
      shape.push_back(x.getDimSize(d) == y.getDimSize(d) ? x.getDimSize(d)
                                                         : kDyn);
    op->getResult(i).setType(
        RankedTensorType::get(shape, cur.getElementType()));
  }
}

struct OnnxInferShapesPass
    : seqc::impl::OnnxInferShapesPassBase<OnnxInferShapesPass> {
  void runOnOperation() override {
    getOperation()->walk([](func::FuncOp f) { ShapeInference().run(f); });
  }
};

} // namespace
