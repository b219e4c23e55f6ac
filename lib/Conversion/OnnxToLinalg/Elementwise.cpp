//===- Elementwise.cpp - Elementwise ONNX ops to linalg.generic -*- C++ -*-===//
//
// One linalg.generic per elementwise ONNX op, with numpy broadcasting in the
// indexing maps. The scalar body of each op is registered with its typed op
// class in one of the per-family tables below, so adding an op is one line.
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
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

using FP = arith::CmpFPredicate;
using IP = arith::CmpIPredicate;

/// Builds the scalar result of an `OpTy` from the operands' scalars (its
/// attributes read through `OpTy`'s accessors). `elem` is the result element
/// type; `in` the operand element types.
template <typename OpTy>
using BodyFn = std::function<Value(OpBuilder &, Location, OpTy, ArrayRef<Value>,
                                   Type elem, ArrayRef<Type> in)>;

/// The same with the op bound: what the shared rewrite calls.
using ScalarFn = llvm::function_ref<Value(
    OpBuilder &, Location, ArrayRef<Value>, Type elem, ArrayRef<Type> in)>;

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

/// How an elementwise op reads its operands.
struct ElementwiseForm {
  /// Folds its binary body over all inputs (Max, Min, Sum, Mean).
  bool variadic = false;
  /// Divides the fold by the number of inputs (Mean).
  bool mean = false;
  /// Reads operand 0 only: operand 1 gives the element type (CastLike).
  bool firstOnly = false;
  /// Operand 1 may be a per-channel slope of opset < 7 (PRelu).
  bool channelSlope = false;
};

template <typename OpTy> constexpr ElementwiseForm formOf() {
  ElementwiseForm f;
  f.variadic = llvm::is_one_of<OpTy, onnxir::MaxOp, onnxir::MinOp,
                               onnxir::SumOp, onnxir::MeanOp>::value;
  f.mean = std::is_same_v<OpTy, onnxir::MeanOp>;
  f.firstOnly = std::is_same_v<OpTy, onnxir::CastLikeOp>;
  f.channelSlope = std::is_same_v<OpTy, onnxir::PReluOp>;
  return f;
}

/// One operand the generic reads: `type` is the operand's, or, for a
/// per-channel slope, the [C, 1, ..., 1] it is expanded to.
struct ElementwiseInput {
  Value value;
  RankedTensorType type;
  bool expandSlope = false;
};

/// What the match found: the result type and the operands read.
struct ElementwisePlan {
  RankedTensorType result;
  SmallVector<ElementwiseInput> inputs;
};

/// Whether 1-D `t` is PRelu's per-channel slope (opset < 7) for `rt`: one
/// slope per channel (dim 1) that does not broadcast numpy-style.
bool isChannelSlope(RankedTensorType t, RankedTensorType rt) {
  return t.getRank() == 1 && rt.getRank() > 2 && !t.isDynamicDim(0) &&
         t.getDimSize(0) != 1 &&
         t.getDimSize(0) != rt.getDimSize(rt.getRank() - 1) &&
         t.getDimSize(0) == rt.getDimSize(1);
}

/// Whether ranked `t` broadcasts numpy-style to `rt`.
bool broadcastsTo(RankedTensorType t, RankedTensorType rt) {
  if (t.getRank() > rt.getRank())
    return false;
  int64_t off = rt.getRank() - t.getRank();
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (!t.isDynamicDim(i) && t.getDimSize(i) != 1 &&
        !rt.isDynamicDim(off + i) && t.getDimSize(i) != rt.getDimSize(off + i))
      return false;
  return true;
}

/// Checks the op's operands and result and plans the generic.
LogicalResult matchElementwise(Operation *op, PatternRewriter &rw,
                               ElementwiseForm form, ElementwisePlan &plan) {
  // Every non-variadic op takes exactly the operands its body reads.
  unsigned numIns = form.firstOnly ? 1 : op->getNumOperands();
  if (op->getNumResults() != 1 || op->getNumOperands() < 1 ||
      (!form.variadic && op->getNumOperands() > 3))
    return rw.notifyMatchFailure(op, "unsupported operand count");
  plan.result = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!plan.result)
    return rw.notifyMatchFailure(op, "unranked result");
  RankedTensorType rt = plan.result;
  for (Value v : op->getOperands().take_front(numIns)) {
    auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.getRank() > rt.getRank())
      return rw.notifyMatchFailure(op, "operand not broadcastable");
    ElementwiseInput in{v, t};
    if (form.channelSlope && v == op->getOperand(1) && isChannelSlope(t, rt)) {
      SmallVector<int64_t> shape(rt.getRank() - 1, 1);
      shape[0] = t.getDimSize(0);
      in.type = RankedTensorType::get(shape, t.getElementType());
      in.expandSlope = true;
    }
    if (!broadcastsTo(in.type, rt))
      return rw.notifyMatchFailure(op, "operands not broadcastable");
    plan.inputs.push_back(in);
  }
  return success();
}

/// The planned generic: operands broadcast through their maps (a dynamic
/// dim that is 1 at run time expanded first), one scalar body per element.
Value buildElementwise(PatternRewriter &rw, Location loc,
                       const ElementwisePlan &plan, ElementwiseForm form,
                       ScalarFn body) {
  RankedTensorType rt = plan.result;
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  SmallVector<Type> inElems;
  for (const ElementwiseInput &in : plan.inputs) {
    Value v = in.value;
    if (in.expandSlope) {
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < rt.getRank() - 1; ++i)
        groups[0].push_back(i);
      v = tensor::ExpandShapeOp::create(rw, loc, in.type, v, groups);
    }
    ins.push_back(v);
    maps.push_back(broadcastMap(rw.getContext(), in.type, rt));
    inElems.push_back(in.type.getElementType());
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
        if (form.variadic) {
          r = scalars[0];
          for (size_t i = 1; i < scalars.size(); ++i)
            r = body(b, l, {r, scalars[i]}, elem, inElems);
          if (form.mean)
            r = arith::DivFOp::create(b, l, r,
                                      scalarConst(b, l, elem, scalars.size()));
        } else {
          r = body(b, l, scalars, elem, inElems);
        }
        linalg::YieldOp::create(b, l, r);
      });
  return generic.getResult(0);
}

/// An `OpTy` with ranked tensor operands and one result as a linalg.generic
/// whose body is `body`.
template <typename OpTy> struct ElementwiseToGeneric : OpRewritePattern<OpTy> {
  ElementwiseToGeneric(MLIRContext *ctx, BodyFn<OpTy> body)
      : OpRewritePattern<OpTy>(ctx), body(std::move(body)) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    constexpr ElementwiseForm form = formOf<OpTy>();
    ElementwisePlan plan;
    if (failed(matchElementwise(op, rw, form, plan)))
      return failure();
    auto bound = [&](OpBuilder &b, Location l, ArrayRef<Value> x, Type elem,
                     ArrayRef<Type> in) { return body(b, l, op, x, elem, in); };
    rw.replaceOp(op, buildElementwise(rw, op.getLoc(), plan, form, bound));
    return success();
  }

  BodyFn<OpTy> body;
};

//===----------------------------------------------------------------------===//
// The bodies, one table per op family
//===----------------------------------------------------------------------===//

using B = OpBuilder;
using L = Location;
using V = ArrayRef<Value>;
using T = ArrayRef<Type>;

/// Registers `OpTy` with its scalar body.
template <typename OpTy> void add(RewritePatternSet &p, BodyFn<OpTy> body) {
  p.add(std::make_unique<ElementwiseToGeneric<OpTy>>(p.getContext(),
                                                     std::move(body)));
}

/// `OpTy` as the one-operand `MathOp` (float math).
template <typename OpTy, typename MathOp> void addUnary(RewritePatternSet &p) {
  add<OpTy>(p, [](B &b, L l, OpTy, V x, Type, T) -> Value {
    return MathOp::create(b, l, x[0]);
  });
}

/// `OpTy` as `FloatOp` on floats, else `IntOp`.
template <typename OpTy, typename FloatOp, typename IntOp>
void addArith(RewritePatternSet &p) {
  add<OpTy>(p, [](B &b, L l, OpTy, V x, Type t, T) -> Value {
    if (isF(t))
      return FloatOp::create(b, l, x[0], x[1]);
    return IntOp::create(b, l, x[0], x[1]);
  });
}

/// `OpTy` as a comparison: `f` on floats, `s` / `u` on signed / unsigned
/// integers.
template <typename OpTy>
void addCompare(RewritePatternSet &p, FP f, IP s, IP u) {
  add<OpTy>(p, [=](B &b, L l, OpTy, V x, Type, T) -> Value {
    return cmp(b, l, x[0], x[1], f, s, u);
  });
}

/// `OpTy` as the bitwise (or boolean) `IntOp`.
template <typename OpTy, typename IntOp> void addBitwise(RewritePatternSet &p) {
  add<OpTy>(p, [](B &b, L l, OpTy, V x, Type, T) -> Value {
    return IntOp::create(b, l, x[0], x[1]);
  });
}

/// Float math of one operand (the math dialect's ops).
void addMathFunctions(RewritePatternSet &p) {
  using namespace onnxir;
  addUnary<ExpOp, math::ExpOp>(p);
  addUnary<LogOp, math::LogOp>(p);
  addUnary<SqrtOp, math::SqrtOp>(p);
  addUnary<TanhOp, math::TanhOp>(p);
  addUnary<ErfOp, math::ErfOp>(p);
  addUnary<SinOp, math::SinOp>(p);
  addUnary<CosOp, math::CosOp>(p);
  addUnary<TanOp, math::TanOp>(p);
  addUnary<AsinOp, math::AsinOp>(p);
  addUnary<AcosOp, math::AcosOp>(p);
  addUnary<AtanOp, math::AtanOp>(p);
  addUnary<SinhOp, math::SinhOp>(p);
  addUnary<CoshOp, math::CoshOp>(p);
  addUnary<AsinhOp, math::AsinhOp>(p);
  addUnary<AcoshOp, math::AcoshOp>(p);
  addUnary<AtanhOp, math::AtanhOp>(p);
  addUnary<FloorOp, math::FloorOp>(p);
  addUnary<CeilOp, math::CeilOp>(p);
  addUnary<RoundOp, math::RoundEvenOp>(p);
}

/// Other one-operand ops: signs, predicates, casts.
void addUnaryOps(RewritePatternSet &p) {
  using namespace onnxir;
  add<AbsOp>(p, [](B &b, L l, AbsOp, V x, Type, T) -> Value {
    if (isF(x[0].getType()))
      return math::AbsFOp::create(b, l, x[0]);
    if (isUnsigned(x[0].getType()))
      return x[0];
    return math::AbsIOp::create(b, l, x[0]);
  });
  add<NegOp>(p, [](B &b, L l, NegOp, V x, Type t, T) -> Value {
    if (isF(t))
      return arith::NegFOp::create(b, l, x[0]);
    return arith::SubIOp::create(b, l, scalarConst(b, l, x[0].getType(), 0),
                                 x[0]);
  });
  add<ReciprocalOp>(p, [](B &b, L l, ReciprocalOp, V x, Type t, T) -> Value {
    return arith::DivFOp::create(b, l, scalarConst(b, l, t, 1), x[0]);
  });
  add<IdentityOp>(p, [](B &, L, IdentityOp, V x, Type, T) { return x[0]; });
  add<NotOp>(p, [](B &b, L l, NotOp, V x, Type t, T) -> Value {
    return arith::XOrIOp::create(b, l, x[0], scalarConst(b, l, t, 1));
  });
  add<CastOp>(p, [](B &b, L l, CastOp, V x, Type t, T in) {
    return castScalar(b, l, x[0], in[0], t);
  });
  add<CastLikeOp>(p, [](B &b, L l, CastLikeOp, V x, Type t, T in) {
    return castScalar(b, l, x[0], in[0], t);
  });
  add<SignOp>(p, [](B &b, L l, SignOp, V x, Type t, T) -> Value {
    Value zero = scalarConst(b, l, t, 0);
    Value pos = cmp(b, l, x[0], zero, FP::OGT, IP::sgt, IP::ugt);
    Value neg = cmp(b, l, x[0], zero, FP::OLT, IP::slt, IP::ult);
    Value r =
        arith::SelectOp::create(b, l, neg, scalarConst(b, l, t, -1), zero);
    return arith::SelectOp::create(b, l, pos, scalarConst(b, l, t, 1), r);
  });
  add<IsNaNOp>(p, [](B &b, L l, IsNaNOp, V x, Type, T) -> Value {
    return arith::CmpFOp::create(b, l, FP::UNO, x[0], x[0]);
  });
  add<IsInfOp>(p, [](B &b, L l, IsInfOp op, V x, Type, T in) -> Value {
    double inf = std::numeric_limits<double>::infinity();
    Value r = scalarConst(b, l, b.getI1Type(), 0);
    if (op.getDetectPositive())
      r = arith::OrIOp::create(
          b, l, r,
          arith::CmpFOp::create(b, l, FP::OEQ, x[0],
                                scalarConst(b, l, in[0], inf)));
    if (op.getDetectNegative())
      r = arith::OrIOp::create(
          b, l, r,
          arith::CmpFOp::create(b, l, FP::OEQ, x[0],
                                scalarConst(b, l, in[0], -inf)));
    return r;
  });
}

/// The activations without attributes.
void addPlainActivations(RewritePatternSet &p) {
  using namespace onnxir;
  add<SigmoidOp>(p, [](B &b, L l, SigmoidOp, V x, Type t, T) -> Value {
    Value one = scalarConst(b, l, t, 1);
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x[0]));
    return arith::DivFOp::create(b, l, one,
                                 arith::AddFOp::create(b, l, one, e));
  });
  add<SoftplusOp>(p, [](B &b, L l, SoftplusOp, V x, Type, T) -> Value {
    return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x[0]));
  });
  add<ReluOp>(p, [](B &b, L l, ReluOp, V x, Type t, T) -> Value {
    Value zero = scalarConst(b, l, t, 0);
    if (isF(t))
      return arith::MaximumFOp::create(b, l, x[0], zero);
    return arith::MaxSIOp::create(b, l, x[0], zero);
  });
  add<HardSwishOp>(p, [](B &b, L l, HardSwishOp, V x, Type t, T) -> Value {
    Value y = arith::AddFOp::create(
        b, l, arith::MulFOp::create(b, l, scalarConst(b, l, t, 1.0 / 6), x[0]),
        scalarConst(b, l, t, 0.5));
    y = arith::MinimumFOp::create(b, l, y, scalarConst(b, l, t, 1));
    y = arith::MaximumFOp::create(b, l, y, scalarConst(b, l, t, 0));
    return arith::MulFOp::create(b, l, x[0], y);
  });
  add<SoftsignOp>(p, [](B &b, L l, SoftsignOp, V x, Type t, T) -> Value {
    Value d = arith::AddFOp::create(b, l, scalarConst(b, l, t, 1),
                                    math::AbsFOp::create(b, l, x[0]));
    return arith::DivFOp::create(b, l, x[0], d);
  });
  add<PReluOp>(p, [](B &b, L l, PReluOp, V x, Type t, T) -> Value {
    Value neg =
        cmp(b, l, x[0], scalarConst(b, l, t, 0), FP::OLT, IP::slt, IP::ult);
    Value scaled = isF(t) ? Value(arith::MulFOp::create(b, l, x[0], x[1]))
                          : Value(arith::MulIOp::create(b, l, x[0], x[1]));
    return arith::SelectOp::create(b, l, neg, scaled, x[0]);
  });
}

/// A float attribute's value as a scalar constant of `t`.
Value attrConst(OpBuilder &b, Location l, Type t, const llvm::APFloat &v) {
  return scalarConst(b, l, t, v.convertToFloat());
}

/// The activations with alpha, beta, gamma, lambd or bias attributes.
void addParamActivations(RewritePatternSet &p) {
  using namespace onnxir;
  add<LeakyReluOp>(p, [](B &b, L l, LeakyReluOp op, V x, Type t, T) -> Value {
    Value alpha = attrConst(b, l, t, op.getAlpha());
    Value neg =
        cmp(b, l, x[0], scalarConst(b, l, t, 0), FP::OLT, IP::slt, IP::ult);
    return arith::SelectOp::create(
        b, l, neg, arith::MulFOp::create(b, l, alpha, x[0]), x[0]);
  });
  add<EluOp>(p, [](B &b, L l, EluOp op, V x, Type t, T) -> Value {
    Value alpha = attrConst(b, l, t, op.getAlpha());
    Value em1 = math::ExpM1Op::create(b, l, x[0]);
    Value neg =
        arith::CmpFOp::create(b, l, FP::OLT, x[0], scalarConst(b, l, t, 0));
    return arith::SelectOp::create(
        b, l, neg, arith::MulFOp::create(b, l, alpha, em1), x[0]);
  });
  add<CeluOp>(p, [](B &b, L l, CeluOp op, V x, Type t, T) -> Value {
    Value alpha = attrConst(b, l, t, op.getAlpha());
    Value zero = scalarConst(b, l, t, 0);
    Value em1 =
        math::ExpM1Op::create(b, l, arith::DivFOp::create(b, l, x[0], alpha));
    Value negPart = arith::MinimumFOp::create(
        b, l, zero, arith::MulFOp::create(b, l, alpha, em1));
    return arith::AddFOp::create(
        b, l, arith::MaximumFOp::create(b, l, zero, x[0]), negPart);
  });
  add<SeluOp>(p, [](B &b, L l, SeluOp op, V x, Type t, T) -> Value {
    Value alpha = attrConst(b, l, t, op.getAlpha());
    Value gamma = attrConst(b, l, t, op.getGamma());
    Value neg =
        arith::CmpFOp::create(b, l, FP::OLE, x[0], scalarConst(b, l, t, 0));
    Value e =
        arith::MulFOp::create(b, l, alpha, math::ExpM1Op::create(b, l, x[0]));
    return arith::MulFOp::create(b, l, gamma,
                                 arith::SelectOp::create(b, l, neg, e, x[0]));
  });
  add<HardSigmoidOp>(
      p, [](B &b, L l, HardSigmoidOp op, V x, Type t, T) -> Value {
        Value alpha = attrConst(b, l, t, op.getAlpha());
        Value beta = attrConst(b, l, t, op.getBeta());
        Value y = arith::AddFOp::create(
            b, l, arith::MulFOp::create(b, l, alpha, x[0]), beta);
        y = arith::MinimumFOp::create(b, l, y, scalarConst(b, l, t, 1));
        return arith::MaximumFOp::create(b, l, y, scalarConst(b, l, t, 0));
      });
  add<ThresholdedReluOp>(
      p, [](B &b, L l, ThresholdedReluOp op, V x, Type t, T) -> Value {
        Value alpha = attrConst(b, l, t, op.getAlpha());
        Value keep = arith::CmpFOp::create(b, l, FP::OGT, x[0], alpha);
        return arith::SelectOp::create(b, l, keep, x[0],
                                       scalarConst(b, l, t, 0));
      });
  add<ShrinkOp>(p, [](B &b, L l, ShrinkOp op, V x, Type t, T) -> Value {
    double lambd = op.getLambd().convertToFloat();
    double bias = op.getBias().convertToFloat();
    Value lo = cmp(b, l, x[0], scalarConst(b, l, t, -lambd), FP::OLT, IP::slt,
                   IP::ult);
    Value hi =
        cmp(b, l, x[0], scalarConst(b, l, t, lambd), FP::OGT, IP::sgt, IP::ugt);
    Value biasV = scalarConst(b, l, t, bias);
    Value plus = isF(t) ? Value(arith::AddFOp::create(b, l, x[0], biasV))
                        : Value(arith::AddIOp::create(b, l, x[0], biasV));
    Value minus = isF(t) ? Value(arith::SubFOp::create(b, l, x[0], biasV))
                         : Value(arith::SubIOp::create(b, l, x[0], biasV));
    Value r = arith::SelectOp::create(b, l, hi, minus, scalarConst(b, l, t, 0));
    return arith::SelectOp::create(b, l, lo, plus, r);
  });
}

/// Mod: fmod for floats; for integers x % 0 = 0, and (unless fmod) the
/// result takes the divisor's sign as Python's modulo does.
Value modBody(OpBuilder &b, Location l, onnxir::ModOp op, ArrayRef<Value> x,
              Type t) {
  if (isF(t))
    return arith::RemFOp::create(b, l, x[0], x[1]);
  // Unsigned: no signs to reconcile; x % 0 = 0 as below.
  if (isUnsigned(t))
    return arith::RemUIOp::create(b, l, x[0], safeDivisor(b, l, x[1], false));
  // x % 0 = 0 (numpy) and x % -1 = 0: a divisor of 1 gives both without
  // trapping.
  Value r = arith::RemSIOp::create(b, l, x[0], safeDivisor(b, l, x[1], true));
  if (op.getFmod())
    return r;
  // Python's modulo: the result takes the divisor's sign.
  Value zero = scalarConst(b, l, t, 0);
  Value nz = arith::CmpIOp::create(b, l, IP::ne, r, zero);
  Value rNeg = arith::CmpIOp::create(b, l, IP::slt, r, zero);
  Value dNeg = arith::CmpIOp::create(b, l, IP::slt, x[1], zero);
  Value fix =
      arith::AndIOp::create(b, l, nz, arith::XOrIOp::create(b, l, rNeg, dNeg));
  return arith::SelectOp::create(b, l, fix,
                                 arith::AddIOp::create(b, l, r, x[1]), r);
}

/// Div: integers follow numpy (x / 0 = 0; INT_MIN / -1 wraps).
Value divBody(OpBuilder &b, Location l, ArrayRef<Value> x, Type t) {
  if (isF(t))
    return arith::DivFOp::create(b, l, x[0], x[1]);
  if (isUnsigned(t))
    return arith::DivUIOp::create(b, l, x[0], safeDivisor(b, l, x[1], false));
  // numpy: x / 0 = 0; INT_MIN / -1 wraps to INT_MIN (= 0 - x).
  Value q = arith::DivSIOp::create(b, l, x[0], safeDivisor(b, l, x[1], true));
  Value zero = scalarConst(b, l, t, 0);
  Value minusOne =
      arith::CmpIOp::create(b, l, IP::eq, x[1], scalarConst(b, l, t, -1));
  q = arith::SelectOp::create(b, l, minusOne,
                              arith::SubIOp::create(b, l, zero, x[0]), q);
  Value byZero = arith::CmpIOp::create(b, l, IP::eq, x[1], zero);
  return arith::SelectOp::create(b, l, byZero, zero, q);
}

/// Pow: integer bases are computed in f64 (exact for the results that fit).
Value powBody(OpBuilder &b, Location l, ArrayRef<Value> x, Type t,
              ArrayRef<Type> in) {
  if (isF(t)) {
    Value e = castScalar(b, l, x[1], in[1], t);
    return math::PowFOp::create(b, l, x[0], e);
  }
  Type f64 = b.getF64Type();
  Value base = castScalar(b, l, x[0], in[0], f64);
  Value e = castScalar(b, l, x[1], in[1], f64);
  Value p = math::PowFOp::create(b, l, base, e);
  return castScalar(b, l, math::RoundEvenOp::create(b, l, p), f64, t);
}

/// BitShift (unsigned only, the ONNX type list). A shift by the bit width
/// or more gives 0, as numpy's shifts do, instead of arith's poison.
Value bitShiftBody(OpBuilder &b, Location l, onnxir::BitShiftOp op,
                   ArrayRef<Value> x, Type t) {
  unsigned w = t.getIntOrFloatBitWidth();
  Value r = op.getDirection() == "RIGHT"
                ? Value(arith::ShRUIOp::create(b, l, x[0], x[1]))
                : Value(arith::ShLIOp::create(b, l, x[0], x[1]));
  Value inRange =
      arith::CmpIOp::create(b, l, IP::ult, x[1], scalarConst(b, l, t, w));
  return arith::SelectOp::create(b, l, inRange, r, scalarConst(b, l, t, 0));
}

/// Binary (and variadic) arithmetic.
void addArithmetic(RewritePatternSet &p) {
  using namespace onnxir;
  addArith<AddOp, arith::AddFOp, arith::AddIOp>(p);
  addArith<SumOp, arith::AddFOp, arith::AddIOp>(p);
  addArith<MeanOp, arith::AddFOp, arith::AddIOp>(p);
  addArith<SubOp, arith::SubFOp, arith::SubIOp>(p);
  addArith<MulOp, arith::MulFOp, arith::MulIOp>(p);
  add<ModOp>(p, [](B &b, L l, ModOp op, V x, Type t, T) {
    return modBody(b, l, op, x, t);
  });
  add<DivOp>(
      p, [](B &b, L l, DivOp, V x, Type t, T) { return divBody(b, l, x, t); });
  add<PowOp>(p, [](B &b, L l, PowOp, V x, Type t, T in) {
    return powBody(b, l, x, t, in);
  });
  add<MaxOp>(p, [](B &b, L l, MaxOp, V x, Type t, T) -> Value {
    if (isF(t))
      return arith::MaximumFOp::create(b, l, x[0], x[1]);
    if (isUnsigned(t))
      return arith::MaxUIOp::create(b, l, x[0], x[1]);
    return arith::MaxSIOp::create(b, l, x[0], x[1]);
  });
  add<MinOp>(p, [](B &b, L l, MinOp, V x, Type t, T) -> Value {
    if (isF(t))
      return arith::MinimumFOp::create(b, l, x[0], x[1]);
    if (isUnsigned(t))
      return arith::MinUIOp::create(b, l, x[0], x[1]);
    return arith::MinSIOp::create(b, l, x[0], x[1]);
  });
  add<BitShiftOp>(p, [](B &b, L l, BitShiftOp op, V x, Type t, T) {
    return bitShiftBody(b, l, op, x, t);
  });
}

/// Comparisons, logic and Where.
void addLogic(RewritePatternSet &p) {
  using namespace onnxir;
  addCompare<EqualOp>(p, FP::OEQ, IP::eq, IP::eq);
  addCompare<LessOp>(p, FP::OLT, IP::slt, IP::ult);
  addCompare<LessOrEqualOp>(p, FP::OLE, IP::sle, IP::ule);
  addCompare<GreaterOp>(p, FP::OGT, IP::sgt, IP::ugt);
  addCompare<GreaterOrEqualOp>(p, FP::OGE, IP::sge, IP::uge);
  addBitwise<AndOp, arith::AndIOp>(p);
  addBitwise<OrOp, arith::OrIOp>(p);
  addBitwise<XorOp, arith::XOrIOp>(p);
  add<WhereOp>(p, [](B &b, L l, WhereOp, V x, Type, T) -> Value {
    return arith::SelectOp::create(b, l, x[0], x[1], x[2]);
  });
}

} // namespace

void seqc::populateOnnxElementwiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  addMathFunctions(patterns);
  addUnaryOps(patterns);
  addPlainActivations(patterns);
  addParamActivations(patterns);
  addArithmetic(patterns);
  addLogic(patterns);
}
