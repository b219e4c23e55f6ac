//===- Elementwise.cpp - Elementwise ONNX ops to linalg.generic -*- C++ -*-===//
//
// One linalg.generic per elementwise ONNX op, with numpy broadcasting in the
// indexing maps. The scalar body of each op is an entry of a table keyed by
// the op name, so adding an op is one line.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc::onnx_to_linalg;

namespace {

/// Builds the scalar result from the operands' scalars. `elem` is the
/// result element type; `in` the operand element types.
using BodyFn = std::function<Value(OpBuilder &, Location, Operation *,
                                   ArrayRef<Value>, Type elem,
                                   ArrayRef<Type> in)>;

bool isF(Type t) { return llvm::isa<FloatType>(t); }
bool isUnsigned(Type t) { return t.isUnsignedInteger(); }

Value cmp(OpBuilder &b, Location l, Value x, Value y, arith::CmpFPredicate f,
          arith::CmpIPredicate s, arith::CmpIPredicate u) {
  if (isF(x.getType()))
    return arith::CmpFOp::create(b, l, f, x, y);
  return arith::CmpIOp::create(b, l, isUnsigned(x.getType()) ? u : s, x, y);
}

/// Converts scalar `v` of type `from` to `to` with ONNX Cast semantics.
Value castScalar(OpBuilder &b, Location l, Value v, Type from, Type to) {
  if (from == to)
    return v;
  // MLIR arith works on signless integers; ONNX's unsigned types keep their
  // signedness in the tensor type only.
  auto signless = [&](Type t) -> Type {
    if (auto it = llvm::dyn_cast<IntegerType>(t))
      return IntegerType::get(t.getContext(), it.getWidth());
    return t;
  };
  Type sTo = signless(to);
  if (isF(from) && isF(to))
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? Value(arith::ExtFOp::create(b, l, to, v))
               : Value(arith::TruncFOp::create(b, l, to, v));
  if (!isF(from) && isF(to)) {
    if (from.isInteger(1) || isUnsigned(from))
      return arith::UIToFPOp::create(b, l, to, v);
    return arith::SIToFPOp::create(b, l, to, v);
  }
  if (isF(from) && !isF(to)) {
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v,
                                   scalarConst(b, l, from, 0));
    if (isUnsigned(to))
      return arith::FPToUIOp::create(b, l, sTo, v);
    return arith::FPToSIOp::create(b, l, sTo, v);
  }
  unsigned wf = from.getIntOrFloatBitWidth(), wt = to.getIntOrFloatBitWidth();
  if (to.isInteger(1))
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v,
                                 scalarConst(b, l, v.getType(), 0));
  if (wf == wt)
    return v;
  if (wf > wt)
    return arith::TruncIOp::create(b, l, sTo, v);
  if (from.isInteger(1) || isUnsigned(from))
    return arith::ExtUIOp::create(b, l, sTo, v);
  return arith::ExtSIOp::create(b, l, sTo, v);
}

const llvm::StringMap<BodyFn> &bodies() {
  using B = OpBuilder;
  using L = Location;
  using V = ArrayRef<Value>;
  using T = ArrayRef<Type>;
  static const llvm::StringMap<BodyFn> table = {
      // Unary float math.
      {"onnx.Abs",
       [](B &b, L l, Operation *, V x, Type, T) -> Value {
         if (isF(x[0].getType()))
           return math::AbsFOp::create(b, l, x[0]);
         return math::AbsIOp::create(b, l, x[0]);
       }},
      {"onnx.Neg",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::NegFOp::create(b, l, x[0]);
         return arith::SubIOp::create(b, l, scalarConst(b, l, x[0].getType(), 0),
                                      x[0]);
       }},
      {"onnx.Exp", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::ExpOp::create(b, l, x[0]);
       }},
      {"onnx.Log", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::LogOp::create(b, l, x[0]);
       }},
      {"onnx.Sqrt", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::SqrtOp::create(b, l, x[0]);
       }},
      {"onnx.Tanh", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::TanhOp::create(b, l, x[0]);
       }},
      {"onnx.Erf", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::ErfOp::create(b, l, x[0]);
       }},
      {"onnx.Sin", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::SinOp::create(b, l, x[0]);
       }},
      {"onnx.Cos", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::CosOp::create(b, l, x[0]);
       }},
      {"onnx.Floor", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::FloorOp::create(b, l, x[0]);
       }},
      {"onnx.Ceil", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::CeilOp::create(b, l, x[0]);
       }},
      {"onnx.Reciprocal",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         return arith::DivFOp::create(b, l, scalarConst(b, l, t, 1), x[0]);
       }},
      {"onnx.Sigmoid",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         Value one = scalarConst(b, l, t, 1);
         Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x[0]));
         return arith::DivFOp::create(b, l, one,
                                      arith::AddFOp::create(b, l, one, e));
       }},
      {"onnx.Softplus",
       [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x[0]));
       }},
      {"onnx.Relu",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         Value zero = scalarConst(b, l, t, 0);
         if (isF(t))
           return arith::MaximumFOp::create(b, l, x[0], zero);
         return arith::MaxSIOp::create(b, l, x[0], zero);
       }},
      {"onnx.LeakyRelu",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         Value alpha = scalarConst(b, l, t, floatAttr(op, "alpha", 0.01f));
         Value neg = cmp(b, l, x[0], scalarConst(b, l, t, 0),
                         arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                         arith::CmpIPredicate::ult);
         return arith::SelectOp::create(
             b, l, neg, arith::MulFOp::create(b, l, alpha, x[0]), x[0]);
       }},
      {"onnx.Identity",
       [](B &, L, Operation *, V x, Type, T) -> Value { return x[0]; }},
      {"onnx.Not", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         return arith::XOrIOp::create(b, l, x[0], scalarConst(b, l, t, 1));
       }},
      {"onnx.Cast",
       [](B &b, L l, Operation *, V x, Type t, T in) -> Value {
         return castScalar(b, l, x[0], in[0], t);
       }},
      // Binary arithmetic.
      {"onnx.Add", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::AddFOp::create(b, l, x[0], x[1]);
         return arith::AddIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Sum", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::AddFOp::create(b, l, x[0], x[1]);
         return arith::AddIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Sub", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::SubFOp::create(b, l, x[0], x[1]);
         return arith::SubIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Mul", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::MulFOp::create(b, l, x[0], x[1]);
         return arith::MulIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Div", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::DivFOp::create(b, l, x[0], x[1]);
         if (isUnsigned(t))
           return arith::DivUIOp::create(b, l, x[0], x[1]);
         return arith::DivSIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Pow",
       [](B &b, L l, Operation *, V x, Type t, T in) -> Value {
         Value e = castScalar(b, l, x[1], in[1], t);
         return math::PowFOp::create(b, l, x[0], e);
       }},
      {"onnx.Max", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::MaximumFOp::create(b, l, x[0], x[1]);
         if (isUnsigned(t))
           return arith::MaxUIOp::create(b, l, x[0], x[1]);
         return arith::MaxSIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Min", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::MinimumFOp::create(b, l, x[0], x[1]);
         if (isUnsigned(t))
           return arith::MinUIOp::create(b, l, x[0], x[1]);
         return arith::MinSIOp::create(b, l, x[0], x[1]);
       }},
      // Comparisons and logic.
      {"onnx.Equal", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return cmp(b, l, x[0], x[1], arith::CmpFPredicate::OEQ,
                    arith::CmpIPredicate::eq, arith::CmpIPredicate::eq);
       }},
      {"onnx.Less", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return cmp(b, l, x[0], x[1], arith::CmpFPredicate::OLT,
                    arith::CmpIPredicate::slt, arith::CmpIPredicate::ult);
       }},
      {"onnx.LessOrEqual",
       [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return cmp(b, l, x[0], x[1], arith::CmpFPredicate::OLE,
                    arith::CmpIPredicate::sle, arith::CmpIPredicate::ule);
       }},
      {"onnx.Greater", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return cmp(b, l, x[0], x[1], arith::CmpFPredicate::OGT,
                    arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt);
       }},
      {"onnx.GreaterOrEqual",
       [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return cmp(b, l, x[0], x[1], arith::CmpFPredicate::OGE,
                    arith::CmpIPredicate::sge, arith::CmpIPredicate::uge);
       }},
      {"onnx.And", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return arith::AndIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Or", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return arith::OrIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Xor", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return arith::XOrIOp::create(b, l, x[0], x[1]);
       }},
      {"onnx.Where", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return arith::SelectOp::create(b, l, x[0], x[1], x[2]);
       }},
  };
  return table;
}

/// Any op of the table with ranked tensor operands and one result.
struct ElementwiseToGeneric : RewritePattern {
  ElementwiseToGeneric(MLIRContext *ctx, StringRef name, const BodyFn &body)
      : RewritePattern(name, 1, ctx), body(body) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    // Variadic ops (Max, Min, Sum) fold their binary body over all inputs;
    // every other op takes exactly the operands its body reads.
    StringRef name = op->getName().getStringRef();
    bool variadic = name == "onnx.Max" || name == "onnx.Min" ||
                    name == "onnx.Sum";
    if (op->getNumResults() != 1 || op->getNumOperands() < 1 ||
        (!variadic && op->getNumOperands() > 3))
      return rw.notifyMatchFailure(op, "unsupported operand count");
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!rt)
      return rw.notifyMatchFailure(op, "unranked result");
    auto isUnsignedTensor = [](Type t) {
      auto st = llvm::dyn_cast<ShapedType>(t);
      return st && st.getElementType().isUnsignedInteger();
    };
    if (llvm::any_of(op->getOperandTypes(), isUnsignedTensor) ||
        isUnsignedTensor(rt))
      return rw.notifyMatchFailure(op, "unsigned integer tensors");
    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    SmallVector<Type> inElems;
    for (Value v : op->getOperands()) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!t || t.getRank() > rt.getRank())
        return rw.notifyMatchFailure(op, "operand not broadcastable");
      ins.push_back(v);
      maps.push_back(broadcastMap(rw.getContext(), t, rt));
      inElems.push_back(t.getElementType());
    }
    maps.push_back(rw.getMultiDimIdentityMap(rt.getRank()));
    Location loc = op->getLoc();
    Value init = emptyTensor(rw, loc, rt, broadcastSizes(rw, loc, rt, ins));
    SmallVector<utils::IteratorType> iters(rt.getRank(),
                                           utils::IteratorType::parallel);
    Type elem = rt.getElementType();
    auto generic = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> scalars(args.drop_back());
          Value r;
          if (variadic) {
            r = scalars[0];
            for (size_t i = 1; i < scalars.size(); ++i)
              r = body(b, l, op, {r, scalars[i]}, elem, inElems);
          } else {
            r = body(b, l, op, scalars, elem, inElems);
          }
          linalg::YieldOp::create(b, l, r);
        });
    rw.replaceOp(op, generic.getResult(0));
    return success();
  }

  BodyFn body;
};

} // namespace

void seqc::populateOnnxElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  for (const auto &entry : bodies())
    patterns.add(std::make_unique<ElementwiseToGeneric>(
        patterns.getContext(), entry.getKey(), entry.getValue()));
}
