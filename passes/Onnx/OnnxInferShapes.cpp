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

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringSet.h"

#include <climits>

namespace seqc {
#define GEN_PASS_DEF_ONNXINFERSHAPESPASS
#include "seqc/Transforms/Passes.h.inc"
} // namespace seqc

using namespace mlir;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
/// The elements of a small integer tensor, each known or not, row-major.
using Partial = SmallVector<std::optional<int64_t>>;
constexpr int64_t kMaxElements = 64;

class ShapeInference {
public:
  void run(func::FuncOp func) {
    // Loop and Scan bodies get their argument types before their ops are
    // visited; If results after their branches are.
    func.walk([&](Operation *op, const WalkStage &stage) {
      if (op->getName().getDialectNamespace() != "onnx")
        return;
      if (stage.isBeforeAllRegions())
        refineBodyArgs(op);
      if (!stage.isAfterAllRegions())
        return;
      evaluate(op);
      refine(op);
      refineIf(op);
      foldToConstant(op);
    });
    // Shape computations that were folded are dead now.
    SmallVector<Operation *> ops;
    func.walk<WalkOrder::PostOrder>([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : llvm::reverse(ops))
      if (op->getName().getDialectNamespace() == "onnx" &&
          isOpTriviallyDead(op))
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

private:
  static std::optional<ArrayRef<int64_t>> shapeOf(Value v) {
    if (auto t = llvm::dyn_cast<RankedTensorType>(v.getType()))
      return t.getShape();
    return std::nullopt;
  }
  static int64_t intAttr(Operation *op, StringRef name, int64_t dflt) {
    if (auto a = op->getAttrOfType<IntegerAttr>(name))
      return a.getInt();
    return dflt;
  }

  /// Known elements of small integer tensors.
  std::optional<Partial> partial(Value v) {
    auto it = values.find(v);
    if (it != values.end())
      return it->second;
    Attribute attr;
    if (Operation *def = v.getDefiningOp())
      if (def->getName().getStringRef() == "onnx.Constant")
        attr = def->getAttr("value");
    if (auto dense = llvm::dyn_cast_or_null<DenseIntElementsAttr>(attr)) {
      if (dense.getNumElements() > 64)
        return std::nullopt;
      Partial p;
      for (const APInt &x : dense.getValues<APInt>())
        p.push_back(x.getSExtValue());
      return p;
    }
    return std::nullopt;
  }

  void evaluate(Operation *op) {
    StringRef name = op->getName().getStringRef();
    if (op->getNumResults() != 1)
      return;
    Value res = op->getResult(0);
    auto in = [&](unsigned i) { return partial(op->getOperand(i)); };
    if (name == "onnx.Shape") {
      auto s = shapeOf(op->getOperand(0));
      if (!s)
        return;
      int64_t r = s->size();
      int64_t start = intAttr(op, "start", 0), end = intAttr(op, "end", r);
      start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
      end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
      Partial p;
      for (int64_t i = start; i < end; ++i)
        p.push_back((*s)[i] == kDyn ? std::nullopt
                                    : std::optional<int64_t>((*s)[i]));
      values[res] = p;
    } else if (name == "onnx.Gather") {
      auto data = in(0), idx = in(1);
      if (!data || !idx)
        return;
      Partial p;
      for (auto i : *idx) {
        if (!i)
          return;
        int64_t k = *i < 0 ? *i + data->size() : *i;
        if (k < 0 || k >= static_cast<int64_t>(data->size()))
          return;
        p.push_back((*data)[k]);
      }
      values[res] = p;
    } else if (name == "onnx.Unsqueeze" || name == "onnx.Squeeze" ||
               name == "onnx.Cast" || name == "onnx.Identity" ||
               name == "onnx.Reshape") {
      if (auto d = in(0))
        values[res] = *d;
    } else if (name == "onnx.Concat") {
      Partial p;
      for (Value v : op->getOperands()) {
        auto d = partial(v);
        if (!d)
          return;
        llvm::append_range(p, *d);
      }
      values[res] = p;
    } else if (name == "onnx.ConstantOfShape") {
      auto shape = in(0);
      auto rt = llvm::dyn_cast<RankedTensorType>(res.getType());
      if (!shape || !rt || !rt.getElementType().isInteger() ||
          llvm::any_of(*shape, [](auto d) { return !d || *d < 0; }))
        return;
      int64_t n = 1;
      for (auto d : *shape)
        n *= *d;
      if (n > kMaxElements)
        return;
      int64_t fill = 0;
      if (auto v = llvm::dyn_cast_or_null<DenseIntElementsAttr>(
              op->getAttr("value")))
        fill = (*v.getValues<APInt>().begin()).getSExtValue();
      values[res] = Partial(n, fill);
    } else if (name == "onnx.Transpose" || name == "onnx.Slice") {
      // Rearrangements of a known tensor with a static shape.
      auto data = in(0);
      auto it = llvm::dyn_cast<RankedTensorType>(op->getOperand(0).getType());
      if (!data || !it || !it.hasStaticShape() ||
          static_cast<int64_t>(data->size()) != it.getNumElements())
        return;
      ArrayRef<int64_t> shape = it.getShape();
      int64_t r = shape.size();
      SmallVector<int64_t> strides(r, 1);
      for (int64_t i = r - 2; i >= 0; --i)
        strides[i] = strides[i + 1] * shape[i + 1];
      // For each output dim: source dim, start, step, length.
      SmallVector<int64_t> src(r), start(r, 0), step(r, 1), len(shape);
      for (int64_t i = 0; i < r; ++i)
        src[i] = i;
      if (name == "onnx.Transpose") {
        auto perm = op->getAttrOfType<ArrayAttr>("perm");
        for (int64_t i = 0; i < r; ++i) {
          src[i] = perm ? llvm::cast<IntegerAttr>(perm[i]).getInt() : r - 1 - i;
          len[i] = shape[src[i]];
        }
      } else {
        auto starts = in(1), ends = in(2);
        auto axes = op->getNumOperands() > 3 ? partial(op->getOperand(3))
                                             : std::nullopt;
        auto steps = op->getNumOperands() > 4 ? partial(op->getOperand(4))
                                              : std::nullopt;
        if (!starts || !ends)
          return;
        for (size_t k = 0; k < starts->size(); ++k) {
          int64_t ax = axes ? (*axes)[k].value_or(-99) : k;
          int64_t st = steps ? (*steps)[k].value_or(0) : 1;
          if (ax < 0)
            ax += r;
          if (ax < 0 || ax >= r || st == 0 || !(*starts)[k] || !(*ends)[k])
            return;
          int64_t dim = shape[ax], b = *(*starts)[k], e = *(*ends)[k];
          if (b < 0)
            b += dim;
          if (e < 0 && e > INT64_MIN / 2)
            e += dim;
          if (st > 0) {
            b = std::clamp<int64_t>(b, 0, dim);
            e = std::clamp<int64_t>(e, 0, dim);
            len[ax] = std::max<int64_t>(0, (e - b + st - 1) / st);
          } else {
            b = std::clamp<int64_t>(b, -1, dim - 1);
            e = std::clamp<int64_t>(e, -1, dim - 1);
            len[ax] = std::max<int64_t>(0, (b - e - st - 1) / -st);
          }
          start[ax] = b;
          step[ax] = st;
        }
      }
      Partial out;
      SmallVector<int64_t> idx(r, 0);
      int64_t total = 1;
      for (int64_t l : len)
        total *= l;
      for (int64_t n = 0; n < total; ++n) {
        int64_t off = 0;
        for (int64_t i = 0; i < r; ++i)
          off += (start[src[i]] + idx[i] * step[src[i]]) * strides[src[i]];
        out.push_back((*data)[off]);
        for (int64_t i = r - 1; i >= 0; --i) {
          if (++idx[i] < len[i])
            break;
          idx[i] = 0;
        }
      }
      values[res] = out;
    } else if (name == "onnx.Equal" || name == "onnx.Where") {
      // On shape vectors (torch's expand: Where(Equal(s, -1), 1, s)):
      // operands of rank <= 1, broadcast by size.
      SmallVector<Partial> ops;
      size_t n = 1;
      for (Value v : op->getOperands()) {
        auto s = shapeOf(v);
        auto d = partial(v);
        if (!s || s->size() > 1 || !d)
          return;
        n = std::max(n, d->size());
        ops.push_back(*d);
      }
      for (const Partial &d : ops)
        if (d.size() != n && d.size() != 1)
          return;
      auto at = [&](const Partial &d, size_t i) {
        return d[d.size() == 1 ? 0 : i];
      };
      Partial p;
      for (size_t i = 0; i < n; ++i) {
        if (name == "onnx.Equal") {
          auto x = at(ops[0], i), y = at(ops[1], i);
          p.push_back(x && y ? std::optional<int64_t>(*x == *y)
                             : std::nullopt);
          continue;
        }
        auto c = at(ops[0], i), x = at(ops[1], i), y = at(ops[2], i);
        if (c)
          p.push_back(*c ? x : y);
        else
          p.push_back(x && y && *x == *y ? x : std::nullopt);
      }
      values[res] = p;
    } else if (name == "onnx.Add" || name == "onnx.Sub" ||
               name == "onnx.Mul" || name == "onnx.Div") {
      auto a = in(0), b = in(1);
      if (!a || !b || (a->size() != b->size() && a->size() != 1 &&
                       b->size() != 1))
        return;
      size_t n = std::max(a->size(), b->size());
      Partial p;
      for (size_t i = 0; i < n; ++i) {
        auto x = (*a)[a->size() == 1 ? 0 : i], y = (*b)[b->size() == 1 ? 0 : i];
        if (!x || !y || (name == "onnx.Div" && *y == 0)) {
          p.push_back(std::nullopt);
          continue;
        }
        p.push_back(name == "onnx.Add"   ? *x + *y
                    : name == "onnx.Sub" ? *x - *y
                    : name == "onnx.Mul" ? *x * *y
                                         : *x / *y);
      }
      values[res] = p;
    }
  }

  /// Broadcasts shapes numpy-style; nullopt if ranks are unknown.
  static std::optional<SmallVector<int64_t>>
  broadcast(ArrayRef<Value> operands) {
    SmallVector<int64_t> out;
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

  std::optional<SmallVector<int64_t>> inferShape(Operation *op) {
    StringRef name = op->getName().getStringRef();
    static const llvm::StringSet<llvm::MallocAllocator> elementwise = {
        "onnx.Add", "onnx.Sub", "onnx.Mul", "onnx.Div", "onnx.Pow",
        "onnx.Where", "onnx.Equal", "onnx.Less", "onnx.Greater",
        "onnx.LessOrEqual", "onnx.GreaterOrEqual", "onnx.And", "onnx.Or",
        "onnx.Max", "onnx.Min"};
    static const llvm::StringSet<llvm::MallocAllocator> sameShape = {
        "onnx.Relu", "onnx.Sigmoid", "onnx.Tanh", "onnx.Exp", "onnx.Log",
        "onnx.Sqrt", "onnx.Erf", "onnx.Neg", "onnx.Abs", "onnx.Cast",
        "onnx.Softmax", "onnx.LogSoftmax", "onnx.Identity", "onnx.Not",
        "onnx.Reciprocal", "onnx.LeakyRelu", "onnx.Softplus", "onnx.Trilu",
        "onnx.LayerNormalization", "onnx.Dropout", "onnx.Pad"};
    if (elementwise.contains(name))
      return broadcast(llvm::to_vector(op->getOperands()));
    if (sameShape.contains(name)) {
      if (auto s = shapeOf(op->getOperand(0)))
        return SmallVector<int64_t>(*s);
      return std::nullopt;
    }
    if (name == "onnx.Transpose") {
      auto s = shapeOf(op->getOperand(0));
      if (!s)
        return std::nullopt;
      SmallVector<int64_t> out;
      if (auto perm = op->getAttrOfType<ArrayAttr>("perm")) {
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
    if (name == "onnx.MatMul") {
      auto a = shapeOf(op->getOperand(0)), b = shapeOf(op->getOperand(1));
      if (!a || !b || a->empty() || b->empty())
        return std::nullopt;
      SmallVector<int64_t> sa(*a), sb(*b);
      bool aVec = sa.size() == 1, bVec = sb.size() == 1;
      if (aVec)
        sa.insert(sa.begin(), 1);
      if (bVec)
        sb.push_back(1);
      // Batch dims broadcast.
      SmallVector<int64_t> ba(sa.begin(), sa.end() - 2),
          bb(sb.begin(), sb.end() - 2), out;
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
    if (name == "onnx.Reshape") {
      auto target = partial(op->getOperand(1));
      auto ts = shapeOf(op->getOperand(1));
      if (!target) {
        if (ts && ts->size() == 1 && (*ts)[0] != kDyn)
          return SmallVector<int64_t>((*ts)[0], kDyn);
        return std::nullopt;
      }
      auto in = shapeOf(op->getOperand(0));
      bool allowZero = intAttr(op, "allowzero", 0);
      SmallVector<int64_t> out;
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
      if (inferAt >= 0 && in && llvm::none_of(*in, ShapedType::isDynamic)) {
        int64_t total = 1, known = 1;
        for (int64_t d : *in)
          total *= d;
        bool allKnown = true;
        for (size_t i = 0; i < out.size(); ++i)
          if (static_cast<int>(i) != inferAt) {
            if (out[i] == kDyn)
              allKnown = false;
            else
              known *= out[i];
          }
        if (allKnown && known)
          out[inferAt] = total / known;
      }
      return out;
    }
    if (name == "onnx.Shape") {
      auto s = shapeOf(op->getOperand(0));
      if (!s)
        return std::nullopt;
      int64_t r = s->size();
      int64_t start = intAttr(op, "start", 0), end = intAttr(op, "end", r);
      start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
      end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
      return SmallVector<int64_t>{std::max<int64_t>(0, end - start)};
    }
    if (name == "onnx.Slice") {
      // The input's rank; a sliced dim is static when the dim and its
      // start/end/step are known (exporters compute those from Shape, as
      // nn.MultiheadAttention's packed q/k/v projection does).
      auto s = shapeOf(op->getOperand(0));
      if (!s || op->getNumOperands() < 3)
        return std::nullopt;
      int64_t r = s->size();
      SmallVector<int64_t> out(*s);
      auto starts = partial(op->getOperand(1)), ends = partial(op->getOperand(2));
      auto axes = op->getNumOperands() > 3 ? partial(op->getOperand(3))
                                           : std::nullopt;
      auto steps = op->getNumOperands() > 4 ? partial(op->getOperand(4))
                                            : std::nullopt;
      bool hasAxes = op->getNumOperands() > 3 &&
                     !llvm::isa<NoneType>(op->getOperand(3).getType());
      bool hasSteps = op->getNumOperands() > 4 &&
                      !llvm::isa<NoneType>(op->getOperand(4).getType());
      auto sliceShape = shapeOf(op->getOperand(1));
      if (!starts || !ends || (hasAxes && !axes) || (hasSteps && !steps)) {
        // Which axes are sliced is unknown: only the rank is.
        if (hasAxes && !axes) {
          out.assign(r, kDyn);
          return out;
        }
        // The sliced axes are known (0..n-1 or `axes`): those dims are
        // unknown, the others keep theirs.
        int64_t n = starts ? starts->size()
                    : sliceShape && sliceShape->size() == 1 &&
                            (*sliceShape)[0] != kDyn
                        ? (*sliceShape)[0]
                        : -1;
        if (axes)
          n = axes->size();
        if (n < 0) {
          out.assign(r, kDyn);
          return out;
        }
        for (int64_t k = 0; k < n; ++k) {
          int64_t ax = axes ? (*axes)[k].value_or(INT64_MIN) : k;
          if (ax < 0)
            ax += r;
          if (ax < 0 || ax >= r)
            return std::nullopt;
          out[ax] = kDyn;
        }
        return out;
      }
      if (starts->size() != ends->size() ||
          (axes && axes->size() != starts->size()) ||
          (steps && steps->size() != starts->size()))
        return std::nullopt;
      for (size_t k = 0; k < starts->size(); ++k) {
        int64_t ax = axes ? (*axes)[k].value_or(INT64_MIN) : k;
        if (ax < 0)
          ax += r;
        if (ax < 0 || ax >= r)
          return std::nullopt;
        std::optional<int64_t> st = steps ? (*steps)[k] : 1;
        int64_t dim = (*s)[ax];
        if (dim == kDyn || !st || *st == 0 || !(*starts)[k] || !(*ends)[k]) {
          out[ax] = kDyn;
          continue;
        }
        int64_t b = *(*starts)[k], e = *(*ends)[k];
        if (b < 0)
          b += dim;
        if (e < 0 && e > INT64_MIN / 2)
          e += dim;
        if (*st > 0) {
          b = std::clamp<int64_t>(b, 0, dim);
          e = std::clamp<int64_t>(e, 0, dim);
          out[ax] = std::max<int64_t>(0, (e - b + *st - 1) / *st);
        } else {
          b = std::clamp<int64_t>(b, -1, dim - 1);
          e = std::clamp<int64_t>(e, -1, dim - 1);
          out[ax] = std::max<int64_t>(0, (b - e - *st - 1) / -*st);
        }
      }
      return out;
    }
    if (name == "onnx.ConstantOfShape" || name == "onnx.Expand") {
      unsigned idx = name == "onnx.Expand" ? 1 : 0;
      auto target = partial(op->getOperand(idx));
      if (!target) {
        // Unknown values of a known length: the rank.
        auto ts = shapeOf(op->getOperand(idx));
        if (!ts || ts->size() != 1 || (*ts)[0] == kDyn ||
            (*ts)[0] > kMaxElements)
          return std::nullopt;
        target = Partial((*ts)[0], std::nullopt);
      }
      SmallVector<int64_t> out;
      for (auto v : *target)
        out.push_back(v ? *v : kDyn);
      if (name == "onnx.Expand") {
        // Expand broadcasts the input with the target shape.
        auto s = shapeOf(op->getOperand(0));
        if (!s)
          return std::nullopt;
        size_t n = std::max(out.size(), s->size());
        SmallVector<int64_t> r(n, 1);
        for (size_t i = 0; i < n; ++i) {
          int64_t a = i + out.size() >= n ? out[i + out.size() - n] : 1;
          int64_t b = i + s->size() >= n ? (*s)[i + s->size() - n] : 1;
          // A dim other than 1 on one side is the result (the other side
          // is 1 or the same, or the model is invalid).
          r[i] = a == 1 || a == kDyn ? (b == 1 && a == kDyn ? kDyn : b)
                                     : a;
        }
        return r;
      }
      return out;
    }
    if (name == "onnx.Unsqueeze" || name == "onnx.Squeeze") {
      auto s = shapeOf(op->getOperand(0));
      auto axes = op->getNumOperands() > 1 ? partial(op->getOperand(1))
                                           : std::nullopt;
      if (!s || !axes || llvm::any_of(*axes, [](auto a) { return !a; }))
        return std::nullopt;
      SmallVector<int64_t> out;
      if (name == "onnx.Unsqueeze") {
        int64_t r = s->size() + axes->size();
        SmallVector<bool> at(r, false);
        for (auto a : *axes) {
          int64_t k = *a < 0 ? *a + r : *a;
          if (k < 0 || k >= r)
            return std::nullopt;
          at[k] = true;
        }
        size_t src = 0;
        for (int64_t i = 0; i < r; ++i)
          out.push_back(at[i] ? 1 : (src < s->size() ? (*s)[src++] : kDyn));
      } else {
        int64_t r = s->size();
        for (int64_t i = 0; i < r; ++i)
          if (llvm::none_of(*axes, [&](auto a) {
                return (*a < 0 ? *a + r : *a) == i;
              }))
            out.push_back((*s)[i]);
      }
      return out;
    }
    if (name == "onnx.Slice") {
      // The rank is the input's; dims outside `axes` keep their size, the
      // sliced ones are known only with constant bounds (evaluated above
      // for small tensors), so they stay dynamic here.
      auto s = shapeOf(op->getOperand(0));
      if (!s)
        return std::nullopt;
      int64_t r = s->size();
      SmallVector<int64_t> out(*s);
      auto axes = op->getNumOperands() > 3 ? partial(op->getOperand(3))
                                           : std::nullopt;
      bool noAxes = op->getNumOperands() <= 3 ||
                    llvm::isa<NoneType>(op->getOperand(3).getType());
      if (!noAxes && (!axes || llvm::any_of(*axes, [](auto a) { return !a; })))
        return SmallVector<int64_t>(r, kDyn);
      if (noAxes) {
        auto starts = shapeOf(op->getOperand(1));
        if (!starts || starts->size() != 1 || (*starts)[0] == kDyn)
          return SmallVector<int64_t>(r, kDyn);
        for (int64_t i = 0; i < std::min<int64_t>((*starts)[0], r); ++i)
          out[i] = kDyn;
        return out;
      }
      for (auto a : *axes) {
        int64_t k = *a < 0 ? *a + r : *a;
        if (k < 0 || k >= r)
          return std::nullopt;
        out[k] = kDyn;
      }
      return out;
    }
    return std::nullopt;
  }

  void refine(Operation *op) {
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
    SmallVector<int64_t> shape = *inferred;
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

  /// Body arguments of Loop and Scan that the subgraph declares without a
  /// shape: Loop's iteration number and condition are scalars, a
  /// loop-carried value keeps the rank of its initial value (its dims may
  /// change between iterations); Scan's states keep their initial types
  /// and a scan input's element is the input without its scan axis (and,
  /// for Scan-8, without the batch axis).
  static void refineBodyArgs(Operation *op) {
    StringRef name = op->getName().getStringRef();
    if ((name != "onnx.Loop" && name != "onnx.Scan") ||
        op->getNumRegions() != 1 || !op->getRegion(0).hasOneBlock())
      return;
    Block &body = op->getRegion(0).front();
    auto refineArg = [&](unsigned i, Type t) {
      if (i < body.getNumArguments() && t &&
          llvm::isa<UnrankedTensorType>(body.getArgument(i).getType()) &&
          llvm::cast<TensorType>(t).getElementType() ==
              llvm::cast<TensorType>(body.getArgument(i).getType())
                  .getElementType())
        body.getArgument(i).setType(t);
    };
    auto ranked = [](Value v) {
      return llvm::dyn_cast<RankedTensorType>(v.getType());
    };
    MLIRContext *ctx = op->getContext();
    if (name == "onnx.Loop") {
      if (op->getNumOperands() < 2)
        return;
      refineArg(0, RankedTensorType::get({}, IntegerType::get(ctx, 64)));
      refineArg(1, RankedTensorType::get({}, IntegerType::get(ctx, 1)));
      for (unsigned j = 2; j < op->getNumOperands(); ++j)
        if (auto t = ranked(op->getOperand(j)))
          refineArg(j, RankedTensorType::get(
                           SmallVector<int64_t>(t.getRank(), kDyn),
                           t.getElementType()));
      return;
    }
    // Scan-8 may have sequence_lens as its first operand.
    unsigned first = op->hasAttr("seqc.scan8_sequence_lens") ? 1 : 0;
    int64_t m = intAttr(op, "num_scan_inputs", 0);
    int64_t n = static_cast<int64_t>(op->getNumOperands()) - first - m;
    if (m < 1 || n < 0)
      return;
    bool batch = op->hasAttr("seqc.scan8_batch");
    auto axes = op->getAttrOfType<ArrayAttr>("scan_input_axes");
    auto dropDims = [&](RankedTensorType t,
                        int64_t axis) -> RankedTensorType {
      SmallVector<int64_t> shape(t.getShape());
      if (batch) {
        if (shape.empty())
          return {};
        shape.erase(shape.begin());
      }
      if (axis >= 0) {
        if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
          return {};
        shape.erase(shape.begin() + axis);
      }
      return RankedTensorType::get(shape, t.getElementType());
    };
    for (int64_t j = 0; j < n + m; ++j) {
      auto t = ranked(op->getOperand(first + j));
      if (!t)
        continue;
      int64_t axis = -1;
      if (j >= n) {
        int64_t rank = t.getRank() - (batch ? 1 : 0);
        axis = axes && j - n < static_cast<int64_t>(axes.size())
                   ? llvm::cast<IntegerAttr>(axes[j - n]).getInt()
                   : 0;
        if (axis < 0)
          axis += rank;
        if (axis < 0 || axis >= rank)
          continue;
      }
      if (RankedTensorType e = dropDims(t, axis))
        refineArg(j, e);
    }
  }

  /// An If result that ONNX left unranked takes the ranked type both
  /// branches yield, dims that differ made dynamic (the walk visits the
  /// branches first).
  static void refineIf(Operation *op) {
    if (op->getName().getStringRef() != "onnx.If" || op->getNumRegions() != 2)
      return;
    for (Region &r : op->getRegions())
      if (!r.hasOneBlock() ||
          r.front().getTerminator()->getNumOperands() != op->getNumResults())
        return;
    Operation *a = op->getRegion(0).front().getTerminator();
    Operation *b = op->getRegion(1).front().getTerminator();
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

  /// Replaces a fully known small integer result by an onnx.Constant, so
  /// that shape operands (Reshape targets, Pad's pads) become constants.
  void foldToConstant(Operation *op) {
    if (op->getNumResults() != 1 ||
        op->getName().getStringRef() == "onnx.Constant")
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
    OperationState state(op->getLoc(), "onnx.Constant");
    state.addAttribute("value", DenseIntElementsAttr::get(rt, data));
    state.addTypes(rt);
    Operation *c = b.create(state);
    values[c->getResult(0)] = std::move(known);
    op->getResult(0).replaceAllUsesWith(c->getResult(0));
  }

  llvm::DenseMap<Value, Partial> values;
};

struct OnnxInferShapesPass
    : seqc::impl::OnnxInferShapesPassBase<OnnxInferShapesPass> {
  void runOnOperation() override {
    getOperation()->walk([](func::FuncOp f) { ShapeInference().run(f); });
  }
};

} // namespace
