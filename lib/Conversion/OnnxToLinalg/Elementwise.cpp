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

#include <limits>

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

/// An integer divisor that never traps: 0 (and, when `isSigned`, -1, whose
/// INT_MIN quotient overflows) become 1; the callers fix those results up.
Value safeDivisor(OpBuilder &b, Location l, Value d, bool isSigned) {
  Type t = d.getType();
  Value one = arith::ConstantOp::create(b, l, b.getIntegerAttr(t, 1));
  Value bad = arith::CmpIOp::create(
      b, l, arith::CmpIPredicate::eq, d,
      arith::ConstantOp::create(b, l, b.getIntegerAttr(t, 0)));
  if (isSigned)
    bad = arith::OrIOp::create(
        b, l, bad,
        arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::eq, d,
            arith::ConstantOp::create(b, l, b.getIntegerAttr(t, -1))));
  return arith::SelectOp::create(b, l, bad, one, d);
}

/// bf16 -> f32: the bf16 bits are the upper half of the f32 (exact).
Value bf16ToF32(OpBuilder &b, Location l, Value v) {
  Value bits = arith::BitcastOp::create(b, l, b.getI16Type(), v);
  Value wide = arith::ExtUIOp::create(b, l, b.getI32Type(), bits);
  wide = arith::ShLIOp::create(
      b, l, wide, arith::ConstantOp::create(b, l, b.getI32IntegerAttr(16)));
  return arith::BitcastOp::create(b, l, b.getF32Type(), wide);
}

/// f32 -> bf16, rounding to nearest even (a NaN stays a quiet NaN). Built
/// from integer ops so that no target support or libcall is needed.
Value f32ToBF16(OpBuilder &b, Location l, Value v) {
  auto i32 = [&](int64_t c) -> Value {
    return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(c));
  };
  Value bits = arith::BitcastOp::create(b, l, b.getI32Type(), v);
  Value upper = arith::ShRUIOp::create(b, l, bits, i32(16));
  Value lsb = arith::AndIOp::create(b, l, upper, i32(1));
  Value bias = arith::AddIOp::create(b, l, lsb, i32(0x7fff));
  Value rounded = arith::ShRUIOp::create(
      b, l, arith::AddIOp::create(b, l, bits, bias), i32(16));
  Value nan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
  Value quiet = arith::OrIOp::create(b, l, upper, i32(0x40));
  Value r = arith::SelectOp::create(b, l, nan, quiet, rounded);
  r = arith::TruncIOp::create(b, l, b.getI16Type(), r);
  return arith::BitcastOp::create(b, l, b.getBF16Type(), r);
}

/// Converts scalar `v` of type `from` to `to` with ONNX Cast semantics.
Value castScalar(OpBuilder &b, Location l, Value v, Type from, Type to) {
  if (from == to)
    return v;
  // bfloat16 goes through float32 both ways (a wider source is rounded to
  // f32 first).
  if (from.isBF16())
    return castScalar(b, l, bf16ToF32(b, l, v), b.getF32Type(), to);
  if (to.isBF16())
    return f32ToBF16(b, l, castScalar(b, l, v, from, b.getF32Type()));
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
         if (isUnsigned(x[0].getType()))
           return x[0];
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
      {"onnx.Tan", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::TanOp::create(b, l, x[0]);
       }},
      {"onnx.Asin", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::AsinOp::create(b, l, x[0]);
       }},
      {"onnx.Acos", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::AcosOp::create(b, l, x[0]);
       }},
      {"onnx.Atan", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::AtanOp::create(b, l, x[0]);
       }},
      {"onnx.Sinh", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::SinhOp::create(b, l, x[0]);
       }},
      {"onnx.Cosh", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::CoshOp::create(b, l, x[0]);
       }},
      {"onnx.Asinh", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::AsinhOp::create(b, l, x[0]);
       }},
      {"onnx.Acosh", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::AcoshOp::create(b, l, x[0]);
       }},
      {"onnx.Atanh", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::AtanhOp::create(b, l, x[0]);
       }},
      {"onnx.Round", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return math::RoundEvenOp::create(b, l, x[0]);
       }},
      {"onnx.Sign",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         Value zero = scalarConst(b, l, t, 0);
         Value pos = cmp(b, l, x[0], zero, arith::CmpFPredicate::OGT,
                         arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt);
         Value neg = cmp(b, l, x[0], zero, arith::CmpFPredicate::OLT,
                         arith::CmpIPredicate::slt, arith::CmpIPredicate::ult);
         Value r = arith::SelectOp::create(b, l, neg, scalarConst(b, l, t, -1),
                                           zero);
         return arith::SelectOp::create(b, l, pos, scalarConst(b, l, t, 1), r);
       }},
      {"onnx.IsNaN", [](B &b, L l, Operation *, V x, Type, T) -> Value {
         return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x[0],
                                      x[0]);
       }},
      {"onnx.IsInf",
       [](B &b, L l, Operation *op, V x, Type, T in) -> Value {
         double inf = std::numeric_limits<double>::infinity();
         Value r = scalarConst(b, l, b.getI1Type(), 0);
         if (intAttr(op, "detect_positive", 1))
           r = arith::OrIOp::create(
               b, l, r,
               arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x[0],
                                     scalarConst(b, l, in[0], inf)));
         if (intAttr(op, "detect_negative", 1))
           r = arith::OrIOp::create(
               b, l, r,
               arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x[0],
                                     scalarConst(b, l, in[0], -inf)));
         return r;
       }},
      // Activations.
      {"onnx.Elu",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         Value alpha = scalarConst(b, l, t, floatAttr(op, "alpha", 1.0f));
         Value em1 = math::ExpM1Op::create(b, l, x[0]);
         Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                           x[0], scalarConst(b, l, t, 0));
         return arith::SelectOp::create(
             b, l, neg, arith::MulFOp::create(b, l, alpha, em1), x[0]);
       }},
      {"onnx.Celu",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         Value alpha = scalarConst(b, l, t, floatAttr(op, "alpha", 1.0f));
         Value zero = scalarConst(b, l, t, 0);
         Value em1 = math::ExpM1Op::create(
             b, l, arith::DivFOp::create(b, l, x[0], alpha));
         Value negPart = arith::MinimumFOp::create(
             b, l, zero, arith::MulFOp::create(b, l, alpha, em1));
         return arith::AddFOp::create(
             b, l, arith::MaximumFOp::create(b, l, zero, x[0]), negPart);
       }},
      {"onnx.Selu",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         Value alpha = scalarConst(
             b, l, t, floatAttr(op, "alpha", 1.67326319217681884765625f));
         Value gamma = scalarConst(
             b, l, t, floatAttr(op, "gamma", 1.05070102214813232421875f));
         Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE,
                                           x[0], scalarConst(b, l, t, 0));
         Value e = arith::MulFOp::create(
             b, l, alpha, math::ExpM1Op::create(b, l, x[0]));
         return arith::MulFOp::create(
             b, l, gamma, arith::SelectOp::create(b, l, neg, e, x[0]));
       }},
      {"onnx.HardSigmoid",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         Value alpha = scalarConst(b, l, t, floatAttr(op, "alpha", 0.2f));
         Value beta = scalarConst(b, l, t, floatAttr(op, "beta", 0.5f));
         Value y = arith::AddFOp::create(
             b, l, arith::MulFOp::create(b, l, alpha, x[0]), beta);
         y = arith::MinimumFOp::create(b, l, y, scalarConst(b, l, t, 1));
         return arith::MaximumFOp::create(b, l, y, scalarConst(b, l, t, 0));
       }},
      {"onnx.HardSwish",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         Value y = arith::AddFOp::create(
             b, l, arith::MulFOp::create(b, l, scalarConst(b, l, t, 1.0 / 6),
                                         x[0]),
             scalarConst(b, l, t, 0.5));
         y = arith::MinimumFOp::create(b, l, y, scalarConst(b, l, t, 1));
         y = arith::MaximumFOp::create(b, l, y, scalarConst(b, l, t, 0));
         return arith::MulFOp::create(b, l, x[0], y);
       }},
      {"onnx.Softsign",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         Value d = arith::AddFOp::create(b, l, scalarConst(b, l, t, 1),
                                         math::AbsFOp::create(b, l, x[0]));
         return arith::DivFOp::create(b, l, x[0], d);
       }},
      {"onnx.ThresholdedRelu",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         Value alpha = scalarConst(b, l, t, floatAttr(op, "alpha", 1.0f));
         Value keep = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            x[0], alpha);
         return arith::SelectOp::create(b, l, keep, x[0],
                                        scalarConst(b, l, t, 0));
       }},
      {"onnx.Shrink",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         double lambd = floatAttr(op, "lambd", 0.5f);
         double bias = floatAttr(op, "bias", 0.0f);
         Value lo = cmp(b, l, x[0], scalarConst(b, l, t, -lambd),
                        arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                        arith::CmpIPredicate::ult);
         Value hi = cmp(b, l, x[0], scalarConst(b, l, t, lambd),
                        arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                        arith::CmpIPredicate::ugt);
         Value biasV = scalarConst(b, l, t, bias);
         Value plus = isF(t) ? Value(arith::AddFOp::create(b, l, x[0], biasV))
                             : Value(arith::AddIOp::create(b, l, x[0], biasV));
         Value minus = isF(t)
                           ? Value(arith::SubFOp::create(b, l, x[0], biasV))
                           : Value(arith::SubIOp::create(b, l, x[0], biasV));
         Value r = arith::SelectOp::create(b, l, hi, minus,
                                           scalarConst(b, l, t, 0));
         return arith::SelectOp::create(b, l, lo, plus, r);
       }},
      {"onnx.PRelu",
       [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         Value neg = cmp(b, l, x[0], scalarConst(b, l, t, 0),
                         arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                         arith::CmpIPredicate::ult);
         Value scaled = isF(t) ? Value(arith::MulFOp::create(b, l, x[0], x[1]))
                               : Value(arith::MulIOp::create(b, l, x[0], x[1]));
         return arith::SelectOp::create(b, l, neg, scaled, x[0]);
       }},
      {"onnx.CastLike",
       [](B &b, L l, Operation *, V x, Type t, T in) -> Value {
         return castScalar(b, l, x[0], in[0], t);
       }},
      // Binary arithmetic.
      {"onnx.Mod",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::RemFOp::create(b, l, x[0], x[1]);
         // Unsigned: no signs to reconcile; x % 0 = 0 as below.
         if (isUnsigned(t))
           return arith::RemUIOp::create(b, l, x[0],
                                         safeDivisor(b, l, x[1], false));
         // x % 0 = 0 (numpy) and x % -1 = 0: a divisor of 1 gives both
         // without trapping.
         Value r = arith::RemSIOp::create(b, l, x[0], safeDivisor(b, l, x[1], true));
         if (intAttr(op, "fmod", 0))
           return r;
         // Python's modulo: the result takes the divisor's sign.
         Value zero = scalarConst(b, l, t, 0);
         Value nz = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r,
                                          zero);
         Value rNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                            r, zero);
         Value dNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                            x[1], zero);
         Value fix = arith::AndIOp::create(
             b, l, nz, arith::XOrIOp::create(b, l, rNeg, dNeg));
         return arith::SelectOp::create(
             b, l, fix, arith::AddIOp::create(b, l, r, x[1]), r);
       }},
      {"onnx.Mean", [](B &b, L l, Operation *, V x, Type t, T) -> Value {
         if (isF(t))
           return arith::AddFOp::create(b, l, x[0], x[1]);
         return arith::AddIOp::create(b, l, x[0], x[1]);
       }},
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
           return arith::DivUIOp::create(b, l, x[0], safeDivisor(b, l, x[1], false));
         // numpy: x / 0 = 0; INT_MIN / -1 wraps to INT_MIN (= 0 - x).
         Value q = arith::DivSIOp::create(b, l, x[0], safeDivisor(b, l, x[1], true));
         Value zero = scalarConst(b, l, t, 0);
         Value minusOne = arith::CmpIOp::create(
             b, l, arith::CmpIPredicate::eq, x[1], scalarConst(b, l, t, -1));
         q = arith::SelectOp::create(b, l, minusOne,
                                     arith::SubIOp::create(b, l, zero, x[0]), q);
         Value byZero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              x[1], zero);
         return arith::SelectOp::create(b, l, byZero, zero, q);
       }},
      {"onnx.Pow",
       [](B &b, L l, Operation *, V x, Type t, T in) -> Value {
         if (isF(t)) {
           Value e = castScalar(b, l, x[1], in[1], t);
           return math::PowFOp::create(b, l, x[0], e);
         }
         // Integer bases: computed in f64 (exact for the results that fit).
         Type f64 = b.getF64Type();
         Value base = castScalar(b, l, x[0], in[0], f64);
         Value e = castScalar(b, l, x[1], in[1], f64);
         Value p = math::PowFOp::create(b, l, base, e);
         return castScalar(b, l, math::RoundEvenOp::create(b, l, p), f64, t);
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
      {"onnx.BitShift",
       [](B &b, L l, Operation *op, V x, Type t, T) -> Value {
         // Unsigned only (the ONNX type list). A shift by the bit width or
         // more gives 0, as numpy's shifts do, instead of arith's poison.
         unsigned w = t.getIntOrFloatBitWidth();
         Value r = strAttr(op, "direction", "") == "RIGHT"
                       ? Value(arith::ShRUIOp::create(b, l, x[0], x[1]))
                       : Value(arith::ShLIOp::create(b, l, x[0], x[1]));
         Value inRange = arith::CmpIOp::create(
             b, l, arith::CmpIPredicate::ult, x[1], scalarConst(b, l, t, w));
         return arith::SelectOp::create(b, l, inRange, r,
                                        scalarConst(b, l, t, 0));
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
                    name == "onnx.Sum" || name == "onnx.Mean";
    // CastLike's second operand only gives the element type.
    unsigned numIns = name == "onnx.CastLike" ? 1 : op->getNumOperands();
    if (op->getNumResults() != 1 || op->getNumOperands() < 1 ||
        (!variadic && op->getNumOperands() > 3))
      return rw.notifyMatchFailure(op, "unsupported operand count");
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!rt)
      return rw.notifyMatchFailure(op, "unranked result");
    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    SmallVector<Type> inElems;
    Location loc = op->getLoc();
    for (Value v : op->getOperands().take_front(numIns)) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!t || t.getRank() > rt.getRank())
        return rw.notifyMatchFailure(op, "operand not broadcastable");
      // PRelu before opset 7 gave one slope per channel (dim 1).
      if (name == "onnx.PRelu" && v == op->getOperand(1) &&
          t.getRank() == 1 && rt.getRank() > 2 && !t.isDynamicDim(0) &&
          t.getDimSize(0) != 1 && t.getDimSize(0) != rt.getDimSize(rt.getRank() - 1) &&
          t.getDimSize(0) == rt.getDimSize(1)) {
        SmallVector<int64_t> shape(rt.getRank() - 1, 1);
        shape[0] = t.getDimSize(0);
        SmallVector<ReassociationIndices> groups(1);
        for (int64_t i = 0; i < rt.getRank() - 1; ++i)
          groups[0].push_back(i);
        t = RankedTensorType::get(shape, t.getElementType());
        v = tensor::ExpandShapeOp::create(rw, loc, t, v, groups);
      }
      int64_t off = rt.getRank() - t.getRank();
      for (int64_t i = 0; i < t.getRank(); ++i)
        if (!t.isDynamicDim(i) && t.getDimSize(i) != 1 &&
            !rt.isDynamicDim(off + i) && t.getDimSize(i) != rt.getDimSize(off + i))
          return rw.notifyMatchFailure(op, "operands not broadcastable");
      ins.push_back(v);
      maps.push_back(broadcastMap(rw.getContext(), t, rt));
      inElems.push_back(t.getElementType());
    }
    maps.push_back(rw.getMultiDimIdentityMap(rt.getRank()));
    SmallVector<OpFoldResult> sizes = broadcastSizes(rw, loc, rt, ins);
    // Dynamic dims may be 1 at run time while the result's are not.
    SmallVector<Value> operands(ins);
    for (Value &v : ins)
      v = expandDynamicBroadcast(rw, loc, v, rt, sizes, operands);
    Value init = emptyTensor(rw, loc, rt, sizes);
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
            if (name == "onnx.Mean")
              r = arith::DivFOp::create(
                  b, l, r, scalarConst(b, l, elem, scalars.size()));
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
