//===- Pooling.cpp - ONNX pooling ops to linalg -----------------*- C++ -*-===//
//
// MaxPool, AveragePool and LpPool in 1-D, 2-D and 3-D (pads, auto_pad,
// strides, dilations, ceil_mode, count_include_pad) and their Global forms.
// Each is one linalg.generic over (n, c, o_1..o_s | k_1..k_s) reading the
// padded input at o_i*s_i + k_i*d_i, with a window tensor of the kernel's
// shape giving the k loops their ranges. AveragePool divides by a count
// computed per output position from the window's overlap with the input
// (or with the padded input when count_include_pad is set). MaxPool's
// Indices output is a second result of the same generic (value, position
// of the first maximum). MaxUnpool scatters values back to those positions.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

enum class PoolKind { Max, Average, Lp };

/// The integers of an I64ArrayAttr, or `n` copies of `dflt` when it is
/// absent or empty.
SmallVector<int64_t> intsOr(ArrayAttr a, size_t n, int64_t dflt) {
  SmallVector<int64_t> out;
  if (a)
    for (Attribute e : a)
      out.push_back(llvm::cast<IntegerAttr>(e).getInt());
  if (out.empty())
    out.assign(n, dflt);
  return out;
}

/// A pool op's attributes as its accessors give them (those it does not
/// have keep these defaults).
struct PoolAttrs {
  ArrayAttr kernel, strides, dilations, pads;
  StringRef autoPad = "NOTSET";
  bool ceilMode = false, countIncludePad = false, colMajor = false;
  int64_t p = 2;
};

PoolAttrs poolAttrs(onnxir::MaxPoolOp op) {
  PoolAttrs a;
  a.kernel = op.getKernelShapeAttr();
  a.strides = op.getStridesAttr();
  a.dilations = op.getDilationsAttr();
  a.pads = op.getPadsAttr();
  a.autoPad = op.getAutoPad();
  a.ceilMode = op.getCeilMode();
  a.colMajor = op.getStorageOrder() != 0;
  return a;
}

PoolAttrs poolAttrs(onnxir::AveragePoolOp op) {
  PoolAttrs a;
  a.kernel = op.getKernelShapeAttr();
  a.strides = op.getStridesAttr();
  a.pads = op.getPadsAttr();
  a.autoPad = op.getAutoPad();
  a.ceilMode = op.getCeilMode();
  a.countIncludePad = op.getCountIncludePad();
  return a;
}

PoolAttrs poolAttrs(onnxir::LpPoolOp op) {
  PoolAttrs a;
  a.kernel = op.getKernelShapeAttr();
  a.strides = op.getStridesAttr();
  a.pads = op.getPadsAttr();
  a.autoPad = op.getAutoPad();
  a.p = op.getP();
  return a;
}

PoolAttrs poolAttrs(onnxir::GlobalMaxPoolOp) { return {}; }
PoolAttrs poolAttrs(onnxir::GlobalAveragePoolOp) { return {}; }
PoolAttrs poolAttrs(onnxir::GlobalLpPoolOp op) {
  PoolAttrs a;
  a.p = op.getP();
  return a;
}

/// What the match decided: the types, the window's attributes (auto_pad
/// resolved for the static dims) and the options.
struct PoolPlan {
  PoolKind kind;
  bool global;
  Value x;
  RankedTensorType xt, rt;
  /// The Indices result's type when it is used (else null).
  RankedTensorType it;
  int64_t s;
  Type elem;
  SmallVector<int64_t> kernel, strides, dil, pads;
  bool ceilMode = false, countPad = false, colMajor = false;
  std::string autoPad = "NOTSET";
  int64_t p = 2;

  bool same() const {
    return autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  }
  /// Max pools pad with the type's lowest value (-inf, INT_MIN, or 0 for
  /// unsigned integers), the others with 0.
  Value padValue(OpBuilder &b, Location loc) const {
    return kind == PoolKind::Max ? lowest(b, loc, elem)
                                 : scalarConst(b, loc, elem, 0.0);
  }
};

/// Checks the pool's types and attributes and plans it.
LogicalResult matchPool(Operation *op, PatternRewriter &rw, PoolKind kind,
                        bool global, const PoolAttrs &attrs, PoolPlan &plan) {
  plan.kind = kind;
  plan.global = global;
  plan.x = op->getOperand(0);
  auto xt = llvm::dyn_cast<RankedTensorType>(plan.x.getType());
  auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  // MaxPool also takes integers (int8, uint8); the others average.
  if (!xt || !rt || xt.getRank() < 3 ||
      (!llvm::isa<FloatType>(xt.getElementType()) &&
       !(kind == PoolKind::Max && llvm::isa<IntegerType>(xt.getElementType()))))
    return rw.notifyMatchFailure(op, "needs ranked float tensors");
  bool withIndices = op->getNumResults() > 1 && !op->getResult(1).use_empty();
  auto it = withIndices
                ? llvm::dyn_cast<RankedTensorType>(op->getResult(1).getType())
                : RankedTensorType();
  if (withIndices && (kind != PoolKind::Max || !it ||
                      !it.getElementType().isSignlessInteger(64) ||
                      !llvm::isa<FloatType>(xt.getElementType())))
    return rw.notifyMatchFailure(op, "Indices needs a float MaxPool, i64");
  plan.xt = xt;
  plan.rt = rt;
  plan.it = it;
  int64_t s = plan.s = xt.getRank() - 2;
  plan.elem = xt.getElementType();
  plan.p = attrs.p;
  plan.colMajor = attrs.colMajor;
  if (global) {
    for (int64_t i = 0; i < s; ++i)
      plan.kernel.push_back(xt.getDimSize(2 + i));
    plan.strides.assign(s, 1);
    plan.dil.assign(s, 1);
    plan.pads.assign(2 * s, 0);
    return success();
  }
  plan.kernel = intsOr(attrs.kernel, 0, 0);
  plan.strides = intsOr(attrs.strides, s, 1);
  plan.dil = intsOr(attrs.dilations, s, 1);
  plan.pads = intsOr(attrs.pads, 2 * s, 0);
  plan.ceilMode = attrs.ceilMode;
  plan.countPad = attrs.countIncludePad;
  if (plan.kernel.size() != size_t(s) || plan.strides.size() != size_t(s) ||
      plan.dil.size() != size_t(s) || plan.pads.size() != size_t(2 * s))
    return rw.notifyMatchFailure(op, "attribute sizes do not match rank");
  plan.autoPad = attrs.autoPad.str();
  // SAME pads of dynamic dims are computed at run time (the placeholder
  // size 1 resolves only the static ones here).
  SmallVector<int64_t> known(xt.getShape());
  for (int64_t &d : known)
    if (ShapedType::isDynamic(d))
      d = 1;
  if (failed(resolveAutoPad(plan.autoPad,
                            RankedTensorType::get(known, plan.elem),
                            plan.kernel, plan.strides, plan.dil, plan.pads)))
    return rw.notifyMatchFailure(op, "bad auto_pad");
  return success();
}

/// The output's sizes, and the pads where they are only known at run time.
struct PoolGeometry {
  SmallVector<int64_t> outShape;
  SmallVector<OpFoldResult> outSizes;
  /// The static dims' ceil_mode extra end pad: windows that run past the
  /// padded input read a further pad (those elements count nowhere).
  SmallVector<int64_t> extra;
  /// Run-time begin and end pads (end: without the ceil_mode extra) of the
  /// dynamic spatial dims, and their ceil_mode extra; null where static.
  SmallVector<Value> dynLo, dynHi, dynExtra;

  /// The begin pad of spatial dim i.
  Value lo(OpBuilder &b, Location l, const PoolPlan &plan, int64_t i) const {
    return dynLo[i] ? dynLo[i] : indexConst(b, l, plan.pads[i]);
  }
  /// The end pad of spatial dim i (without the ceil_mode extra).
  Value hi(OpBuilder &b, Location l, const PoolPlan &plan, int64_t i) const {
    return dynHi[i] ? dynHi[i] : indexConst(b, l, plan.pads[plan.s + i]);
  }
};

/// The output size of dynamic spatial dim i (the static computation of
/// poolGeometry at run time), recording its pads in `g`.
Value dynamicPoolSize(ImplicitLocOpBuilder &b, const PoolPlan &plan, int64_t i,
                      PoolGeometry &g) {
  int64_t s = plan.s;
  int64_t span = (plan.kernel[i] - 1) * plan.dil[i] + 1;
  auto c = [&](int64_t v) { return indexConst(b, b.getLoc(), v); };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, x, y);
  };
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubIOp::create(b, x, y);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, x, y);
  };
  Value inV = tensor::DimOp::create(b, plan.x, 2 + i);
  Value st = c(plan.strides[i]), one = c(1), zero = c(0);
  Value lo = c(plan.pads[i]), hi = c(plan.pads[s + i]);
  if (plan.same()) {
    Value out = arith::CeilDivSIOp::create(b, inV, st);
    Value total = sub(add(mul(sub(out, one), st), c(span)), inV);
    total = arith::MaxSIOp::create(b, total, zero);
    Value small = arith::DivSIOp::create(b, total, c(2));
    Value big = sub(total, small);
    lo = plan.autoPad == "SAME_UPPER" ? small : big;
    hi = plan.autoPad == "SAME_UPPER" ? big : small;
  }
  Value avail = sub(add(add(inV, lo), hi), c(span));
  Value n;
  if (plan.ceilMode) {
    n = add(arith::CeilDivSIOp::create(b, avail, st), one);
    // The last window must start inside the input or its left pad.
    Value past = arith::CmpIOp::create(b, arith::CmpIPredicate::sge,
                                       mul(sub(n, one), st), add(inV, lo));
    n = arith::SelectOp::create(b, past, sub(n, one), n);
    g.dynExtra[i] = arith::MaxSIOp::create(
        b, sub(add(mul(sub(n, one), st), c(span)), add(add(inV, lo), hi)),
        zero);
  } else {
    n = add(arith::DivSIOp::create(b, avail, st), one);
  }
  g.dynLo[i] = lo;
  g.dynHi[i] = hi;
  return n;
}

/// The output geometry: (N, C) as x's, each spatial dim from its window
/// (1 for Global pools).
PoolGeometry poolGeometry(PatternRewriter &rw, Location loc,
                          const PoolPlan &plan) {
  int64_t s = plan.s;
  const RankedTensorType &xt = plan.xt;
  PoolGeometry g;
  g.dynLo.resize(s);
  g.dynHi.resize(s);
  g.dynExtra.resize(s);
  g.extra.assign(s, 0);
  g.outShape = {xt.getDimSize(0), xt.getDimSize(1)};
  g.outSizes = {tensor::getMixedSize(rw, loc, plan.x, 0),
                tensor::getMixedSize(rw, loc, plan.x, 1)};
  ImplicitLocOpBuilder b(loc, rw);
  for (int64_t i = 0; i < s; ++i) {
    int64_t in = xt.getDimSize(2 + i);
    if (plan.global) {
      g.outShape.push_back(1);
      g.outSizes.push_back(rw.getIndexAttr(1));
      continue;
    }
    if (in == ShapedType::kDynamic) {
      g.outSizes.push_back(dynamicPoolSize(b, plan, i, g));
      g.outShape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t stride = plan.strides[i], lo = plan.pads[i], hi = plan.pads[s + i];
    int64_t span = (plan.kernel[i] - 1) * plan.dil[i] + 1;
    int64_t avail = in + lo + hi - span;
    int64_t out =
        plan.ceilMode ? (avail + stride - 1) / stride + 1 : avail / stride + 1;
    // The last window must start inside the input or its left padding.
    if (plan.ceilMode && (out - 1) * stride >= in + lo)
      --out;
    g.extra[i] =
        std::max<int64_t>(0, (out - 1) * stride + span - (in + lo + hi));
    g.outShape.push_back(out);
    g.outSizes.push_back(rw.getIndexAttr(out));
  }
  return g;
}

/// x padded with the pool's pad value (pads, and the ceil_mode extra), or x
/// itself when nothing is padded.
Value padPoolInput(PatternRewriter &rw, Location loc, const PoolPlan &plan,
                   const PoolGeometry &g) {
  int64_t s = plan.s;
  ArrayRef<int64_t> pads = plan.pads;
  if (llvm::none_of(pads, [](int64_t p) { return p != 0; }) &&
      llvm::none_of(g.extra, [](int64_t p) { return p != 0; }) &&
      llvm::none_of(g.dynLo, [](Value v) { return bool(v); }))
    return plan.x;
  SmallVector<OpFoldResult> lo(2, rw.getIndexAttr(0)),
      hi(2, rw.getIndexAttr(0));
  SmallVector<int64_t> shape(plan.xt.getShape());
  for (int64_t i = 0; i < s; ++i) {
    if (g.dynLo[i]) {
      lo.push_back(g.dynLo[i]);
      hi.push_back(g.dynExtra[i] ? Value(arith::AddIOp::create(
                                       rw, loc, g.dynHi[i], g.dynExtra[i]))
                                 : g.dynHi[i]);
      continue;
    }
    lo.push_back(rw.getIndexAttr(pads[i]));
    hi.push_back(rw.getIndexAttr(pads[s + i] + g.extra[i]));
    if (shape[2 + i] != ShapedType::kDynamic)
      shape[2 + i] += pads[i] + pads[s + i] + g.extra[i];
  }
  return tensor::PadOp::create(rw, loc, RankedTensorType::get(shape, plan.elem),
                               plan.x, lo, hi, plan.padValue(rw, loc));
}

/// MaxPool's body with Indices: the running maximum and the flat position
/// in x (N, C, spatial row-major, or column-major for storage_order 1) of
/// the first maximum of the window. `a` = (x, window, value, index).
void yieldMaxWithIndex(OpBuilder &b, Location l, ValueRange a,
                       const PoolPlan &plan, const PoolGeometry &g,
                       ArrayRef<Value> xDims) {
  int64_t s = plan.s;
  Value better =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, a[0], a[2]);
  // Spatial coordinates in x of this window element.
  SmallVector<Value> pos;
  for (int64_t i = 0; i < s; ++i) {
    Value o = linalg::IndexOp::create(b, l, 2 + i);
    Value kk = linalg::IndexOp::create(b, l, 2 + s + i);
    Value c = arith::AddIOp::create(
        b, l, arith::MulIOp::create(b, l, o, indexConst(b, l, plan.strides[i])),
        arith::MulIOp::create(b, l, kk, indexConst(b, l, plan.dil[i])));
    pos.push_back(arith::SubIOp::create(b, l, c, g.lo(b, l, plan, i)));
  }
  Value flat = arith::AddIOp::create(
      b, l,
      arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 0), xDims[1]),
      linalg::IndexOp::create(b, l, 1));
  SmallVector<int64_t> order;
  for (int64_t i = 0; i < s; ++i)
    order.push_back(plan.colMajor ? s - 1 - i : i);
  for (int64_t i : order)
    flat = arith::AddIOp::create(
        b, l, arith::MulIOp::create(b, l, flat, xDims[2 + i]), pos[i]);
  Value fi = arith::IndexCastOp::create(b, l, a[3].getType(), flat);
  linalg::YieldOp::create(
      b, l,
      ValueRange{arith::SelectOp::create(b, l, better, a[0], a[2]),
                 arith::SelectOp::create(b, l, better, fi, a[3])});
}

/// The pool's accumulation of window element x into acc: the maximum, the
/// sum, or the sum of |x|^p.
Value poolCombine(OpBuilder &b, Location l, const PoolPlan &plan, Value x,
                  Value acc) {
  Type elem = plan.elem;
  if (plan.kind == PoolKind::Max && elem.isUnsignedInteger())
    return arith::MaxUIOp::create(b, l, acc, x);
  if (plan.kind == PoolKind::Max && !llvm::isa<FloatType>(elem))
    return arith::MaxSIOp::create(b, l, acc, x);
  if (plan.kind == PoolKind::Max)
    return arith::MaximumFOp::create(b, l, acc, x);
  if (plan.kind == PoolKind::Average)
    return arith::AddFOp::create(b, l, acc, x);
  Value m = math::AbsFOp::create(b, l, x);
  Value e = math::PowFOp::create(b, l, m, scalarConst(b, l, elem, plan.p));
  return arith::AddFOp::create(b, l, acc, e);
}

/// The generic over (n, c, o_1..o_s | k_1..k_s) reading the padded input at
/// o_i*s_i + k_i*d_i: the pooled values, and MaxPool's Indices as a second
/// result when they are used.
linalg::GenericOp buildPoolGeneric(PatternRewriter &rw, Location loc,
                                   const PoolPlan &plan, const PoolGeometry &g,
                                   Value padded) {
  MLIRContext *ctx = rw.getContext();
  int64_t s = plan.s;
  bool withIndices = bool(plan.it);
  // The window: its shape gives the k loops their ranges.
  SmallVector<int64_t> winShape;
  SmallVector<OpFoldResult> winSizes;
  for (int64_t i = 0; i < s; ++i) {
    winShape.push_back(plan.kernel[i]);
    winSizes.push_back(plan.global
                           ? tensor::getMixedSize(rw, loc, plan.x, 2 + i)
                           : OpFoldResult(rw.getIndexAttr(plan.kernel[i])));
  }
  Value window = tensor::EmptyOp::create(rw, loc, winSizes, plan.elem);
  auto outType = RankedTensorType::get(g.outShape, plan.elem);
  Value init = linalg::FillOp::create(rw, loc, plan.padValue(rw, loc),
                                      emptyTensor(rw, loc, outType, g.outSizes))
                   .getResult(0);
  int64_t nLoops = 2 + 2 * s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xe = {d(0), d(1)}, we, oe = {d(0), d(1)};
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(2 + i) * plan.strides[i] + d(2 + s + i) * plan.dil[i]);
    we.push_back(d(2 + s + i));
    oe.push_back(d(2 + i));
  }
  SmallVector<utils::IteratorType> iters(2 + s, utils::IteratorType::parallel);
  iters.append(s, utils::IteratorType::reduction);
  SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, xe, ctx),
                                 AffineMap::get(nLoops, 0, we, ctx),
                                 AffineMap::get(nLoops, 0, oe, ctx)};
  SmallVector<Type> outTypes = {outType};
  SmallVector<Value> inits = {init};
  SmallVector<Value> xDims;
  if (withIndices) {
    Type idxElem = plan.it.getElementType();
    auto idxType = RankedTensorType::get(g.outShape, idxElem);
    maps.push_back(maps.back());
    outTypes.push_back(idxType);
    inits.push_back(
        linalg::FillOp::create(rw, loc, scalarConst(rw, loc, idxElem, 0),
                               emptyTensor(rw, loc, idxType, g.outSizes))
            .getResult(0));
    for (int64_t i = 0; i < 2 + s; ++i)
      xDims.push_back(tensor::DimOp::create(rw, loc, plan.x, i));
  }
  return linalg::GenericOp::create(
      rw, loc, outTypes, ValueRange{padded, window}, inits, maps, iters,
      [&](OpBuilder &b, Location l, ValueRange a) {
        if (plan.kind == PoolKind::Max && withIndices)
          return yieldMaxWithIndex(b, l, a, plan, g, xDims);
        linalg::YieldOp::create(b, l, poolCombine(b, l, plan, a[0], a[2]));
      });
}

/// AveragePool's divisor at the current output position: the number of
/// window elements inside [lo, hi) of the padded coordinates (the input, or
/// with count_include_pad the input and its pads).
Value averageCount(OpBuilder &b, Location l, const PoolPlan &plan,
                   const PoolGeometry &g, ArrayRef<Value> dims) {
  Value count = indexConst(b, l, 1);
  for (int64_t i = 0; i < plan.s; ++i) {
    Value lo = plan.countPad ? indexConst(b, l, 0) : g.lo(b, l, plan, i);
    Value hi = arith::AddIOp::create(
        b, l, dims[i],
        plan.countPad ? Value(arith::AddIOp::create(b, l, g.lo(b, l, plan, i),
                                                    g.hi(b, l, plan, i)))
                      : g.lo(b, l, plan, i));
    Value start =
        arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 2 + i),
                              indexConst(b, l, plan.strides[i]));
    Value kernelLen = plan.global ? dims[i] : indexConst(b, l, plan.kernel[i]);
    // k in [0, K) with lo <= start + k*d < hi.
    Value dl = indexConst(b, l, plan.dil[i]);
    Value kMin = arith::CeilDivSIOp::create(
        b, l, arith::SubIOp::create(b, l, lo, start), dl);
    kMin = arith::MaxSIOp::create(b, l, kMin, indexConst(b, l, 0));
    Value kMax = arith::FloorDivSIOp::create(
        b, l,
        arith::SubIOp::create(
            b, l, arith::SubIOp::create(b, l, hi, indexConst(b, l, 1)), start),
        dl);
    kMax = arith::MinSIOp::create(
        b, l, kMax,
        arith::SubIOp::create(b, l, kernelLen, indexConst(b, l, 1)));
    Value n = arith::SubIOp::create(
        b, l, arith::AddIOp::create(b, l, kMax, indexConst(b, l, 1)), kMin);
    n = arith::MaxSIOp::create(b, l, n, indexConst(b, l, 1));
    count = arith::MulIOp::create(b, l, count, n);
  }
  return count;
}

/// The pooled values finished: LpPool's p-th root, AveragePool's division
/// by the count; MaxPool's as they are.
Value finishPool(PatternRewriter &rw, Location loc, const PoolPlan &plan,
                 const PoolGeometry &g, Value y) {
  Type elem = plan.elem;
  if (plan.kind == PoolKind::Lp)
    return mapTensor(rw, loc, y, [&](OpBuilder &b, Location l, Value v) {
      return Value(
          math::PowFOp::create(b, l, v, scalarConst(b, l, elem, 1.0 / plan.p)));
    });
  if (plan.kind != PoolKind::Average)
    return y;
  SmallVector<Value> dims;
  for (int64_t i = 0; i < plan.s; ++i)
    dims.push_back(tensor::DimOp::create(rw, loc, plan.x, 2 + i));
  return mapTensor(rw, loc, y, [&](OpBuilder &b, Location l, Value v) {
    Value count = averageCount(b, l, plan, g, dims);
    Value cf = arith::SIToFPOp::create(
        b, l, elem, arith::IndexCastOp::create(b, l, b.getI64Type(), count));
    return Value(arith::DivFOp::create(b, l, v, cf));
  });
}

/// MaxPool, AveragePool, LpPool and their Global forms (`OpTy`): match,
/// plan, then the padded input, the pooling generic and its finish.
template <typename OpTy> struct PoolToLinalg : OpRewritePattern<OpTy> {
  PoolToLinalg(MLIRContext *ctx, PoolKind kind, bool global)
      : OpRewritePattern<OpTy>(ctx), kind(kind), global(global) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    PoolPlan plan;
    if (failed(matchPool(op, rw, kind, global, poolAttrs(op), plan)))
      return failure();
    PoolGeometry g = poolGeometry(rw, loc, plan);
    Value padded = padPoolInput(rw, loc, plan, g);
    linalg::GenericOp generic = buildPoolGeneric(rw, loc, plan, g, padded);
    Value y = finishPool(rw, loc, plan, g, generic.getResult(0));
    rw.replaceAllUsesWith(op->getResult(0), castIfNeeded(rw, loc, y, plan.rt));
    if (plan.it)
      rw.replaceAllUsesWith(
          op->getResult(1),
          castIfNeeded(rw, loc, generic.getResult(1), plan.it));
    rw.eraseOp(op);
    return success();
  }

  PoolKind kind;
  bool global;
};

/// MaxUnpool's loop body for flat element i of x: `out` with x[i] written
/// at the coordinates that indices[i] has as a flat position in the
/// `inferred` shape, unless they fall outside the output (`dims`).
Value unpoolElement(OpBuilder &b, Location l, Value x, Value idx, Value i,
                    Value out, Value zero, ArrayRef<Value> xDims,
                    ArrayRef<Value> inferred, ArrayRef<Value> dims) {
  int64_t r = xDims.size();
  SmallVector<Value> at(r);
  Value restX = i;
  for (int64_t d = r - 1; d >= 0; --d) {
    at[d] = arith::RemUIOp::create(b, l, restX, xDims[d]);
    restX = arith::DivUIOp::create(b, l, restX, xDims[d]);
  }
  Value v = tensor::ExtractOp::create(b, l, x, at);
  Value p = arith::IndexCastOp::create(
      b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, idx, at));
  // p's coordinates in the inferred shape.
  Value inside =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, p, zero);
  SmallVector<Value> coord(r);
  Value rest = p;
  for (int64_t d = r - 1; d >= 0; --d) {
    coord[d] = arith::RemSIOp::create(b, l, rest, inferred[d]);
    rest = arith::DivSIOp::create(b, l, rest, inferred[d]);
    inside = arith::AndIOp::create(
        b, l, inside,
        arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, coord[d],
                              dims[d]));
  }
  inside = arith::AndIOp::create(
      b, l, inside,
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rest, zero));
  auto ifOp = scf::IfOp::create(
      b, l, inside,
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(
            tb, tl, Value(tensor::InsertOp::create(tb, tl, v, out, coord)));
      },
      [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, out); });
  return ifOp.getResult(0);
}

/// MaxUnpool: a zero tensor of the output shape (the result's static dims,
/// else output_shape, else the inferred (in - 1) * stride - pads + kernel)
/// into which an scf.for writes each x[i] at the coordinates that
/// indices[i] has as a flat position in the inferred shape (so that an
/// output_shape larger than it pads at the end, as the ONNX tests expect);
/// coordinates outside the output are skipped.
struct MaxUnpoolToLinalg : OpRewritePattern<onnxir::MaxUnpoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::MaxUnpoolOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0), idx = op->getOperand(1);
    Value shapeT = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
    auto xt = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto ixt = llvm::dyn_cast<RankedTensorType>(idx.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!xt || !ixt || !rt || xt.getRank() < 3 ||
        rt.getRank() != xt.getRank() ||
        !ixt.getElementType().isSignlessInteger())
      return rw.notifyMatchFailure(op, "needs ranked (N, C, ...) tensors");
    int64_t r = xt.getRank(), s = r - 2;
    SmallVector<int64_t> kernel = intsOr(op.getKernelShapeAttr(), 0, 0);
    SmallVector<int64_t> strides = intsOr(op.getStridesAttr(), s, 1);
    SmallVector<int64_t> pads = intsOr(op.getPadsAttr(), 2 * s, 0);
    if (kernel.size() != size_t(s) || strides.size() != size_t(s) ||
        pads.size() != size_t(2 * s))
      return rw.notifyMatchFailure(op, "attribute sizes do not match rank");
    bool hasShape = shapeT && !isNone(shapeT);
    // `inferred`: the shape without output_shape, over which the indices
    // are flat; `dims`: the output's.
    SmallVector<OpFoldResult> sizes;
    SmallVector<Value> inferred, dims;
    for (int64_t i = 0; i < r; ++i) {
      Value dflt;
      if (i < 2) {
        dflt = tensor::DimOp::create(rw, loc, x, i);
      } else {
        int64_t k = i - 2;
        dflt = arith::MulIOp::create(
            rw, loc,
            arith::SubIOp::create(rw, loc, tensor::DimOp::create(rw, loc, x, i),
                                  indexConst(rw, loc, 1)),
            indexConst(rw, loc, strides[k]));
        dflt = arith::AddIOp::create(
            rw, loc, dflt,
            indexConst(rw, loc, kernel[k] - pads[k] - pads[s + k]));
      }
      // At least 1: a divisor below (the output takes it as it is).
      inferred.push_back(
          arith::MaxSIOp::create(rw, loc, dflt, indexConst(rw, loc, 1)));
      Value d = dflt;
      if (!rt.isDynamicDim(i)) {
        d = indexConst(rw, loc, rt.getDimSize(i));
      } else if (hasShape) {
        Value e = tensor::ExtractOp::create(rw, loc, shapeT,
                                            ValueRange{indexConst(rw, loc, i)});
        d = arith::IndexCastOp::create(rw, loc, rw.getIndexType(), e);
      }
      dims.push_back(d);
      sizes.push_back(rt.isDynamicDim(i) ? OpFoldResult(d)
                                         : rw.getIndexAttr(rt.getDimSize(i)));
    }
    Type elem = rt.getElementType();
    Value out = linalg::FillOp::create(rw, loc, scalarConst(rw, loc, elem, 0),
                                       emptyTensor(rw, loc, rt, sizes))
                    .getResult(0);
    // One loop over x's elements (flat, split into indices: collapsing
    // fully dynamic shapes trips an upstream memref folding).
    Value zero = indexConst(rw, loc, 0), one = indexConst(rw, loc, 1);
    SmallVector<Value> xDims;
    Value n = one;
    for (int64_t d = 0; d < r; ++d) {
      xDims.push_back(tensor::DimOp::create(rw, loc, x, d));
      n = arith::MulIOp::create(rw, loc, n, xDims.back());
    }
    auto loop = scf::ForOp::create(
        rw, loc, zero, n, one, ValueRange{out},
        [&](OpBuilder &b, Location l, Value i, ValueRange it) {
          scf::YieldOp::create(b, l,
                               unpoolElement(b, l, x, idx, i, it[0], zero,
                                             xDims, inferred, dims));
        });
    rw.replaceOp(op, loop.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxPoolingToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<PoolToLinalg<onnxir::MaxPoolOp>>(ctx, PoolKind::Max, false);
  patterns.add<PoolToLinalg<onnxir::AveragePoolOp>>(ctx, PoolKind::Average,
                                                    false);
  patterns.add<PoolToLinalg<onnxir::LpPoolOp>>(ctx, PoolKind::Lp, false);
  patterns.add<PoolToLinalg<onnxir::GlobalMaxPoolOp>>(ctx, PoolKind::Max, true);
  patterns.add<PoolToLinalg<onnxir::GlobalAveragePoolOp>>(
      ctx, PoolKind::Average, true);
  patterns.add<PoolToLinalg<onnxir::GlobalLpPoolOp>>(ctx, PoolKind::Lp, true);
  patterns.add<MaxUnpoolToLinalg>(ctx);
}
