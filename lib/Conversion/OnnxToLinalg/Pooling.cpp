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

struct PoolToLinalg : RewritePattern {
  PoolToLinalg(MLIRContext *ctx, StringRef name, PoolKind kind, bool global)
      : RewritePattern(name, 1, ctx), kind(kind), global(global) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rw) const override {
    Location loc = op->getLoc();
    MLIRContext *ctx = rw.getContext();
    Value x = op->getOperand(0);
    auto xt = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    // MaxPool also takes integers (int8, uint8); the others average.
    if (!xt || !rt || xt.getRank() < 3 ||
        (!llvm::isa<FloatType>(xt.getElementType()) &&
         !(kind == PoolKind::Max &&
           llvm::isa<IntegerType>(xt.getElementType()))))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    bool withIndices = op->getNumResults() > 1 && !op->getResult(1).use_empty();
    auto it = withIndices
                  ? llvm::dyn_cast<RankedTensorType>(op->getResult(1).getType())
                  : RankedTensorType();
    if (withIndices && (kind != PoolKind::Max || !it ||
                        !it.getElementType().isSignlessInteger(64) ||
                        !llvm::isa<FloatType>(xt.getElementType())))
      return rw.notifyMatchFailure(op, "Indices needs a float MaxPool, i64");
    int64_t s = xt.getRank() - 2;
    Type elem = xt.getElementType();
    SmallVector<int64_t> kernel, strides, dil, pads;
    bool ceilMode = false, countPad = false;
    std::string autoPad = "NOTSET";
    if (global) {
      for (int64_t i = 0; i < s; ++i)
        kernel.push_back(xt.getDimSize(2 + i));
      strides.assign(s, 1);
      dil.assign(s, 1);
      pads.assign(2 * s, 0);
    } else {
      kernel = intsAttr(op, "kernel_shape", 0, 0);
      strides = intsAttr(op, "strides", s, 1);
      dil = intsAttr(op, "dilations", s, 1);
      pads = intsAttr(op, "pads", 2 * s, 0);
      ceilMode = intAttr(op, "ceil_mode", 0);
      countPad = intAttr(op, "count_include_pad", 0);
      if (kernel.size() != size_t(s) || strides.size() != size_t(s) ||
          dil.size() != size_t(s) || pads.size() != size_t(2 * s))
        return rw.notifyMatchFailure(op, "attribute sizes do not match rank");
      autoPad = strAttr(op, "auto_pad", "NOTSET");
      // SAME pads of dynamic dims are computed at run time below (the
      // placeholder size 1 resolves only the static ones here).
      SmallVector<int64_t> known(xt.getShape());
      for (int64_t &d : known)
        if (ShapedType::isDynamic(d))
          d = 1;
      if (failed(resolveAutoPad(autoPad, RankedTensorType::get(known, elem),
                                kernel, strides, dil, pads)))
        return rw.notifyMatchFailure(op, "bad auto_pad");
    }
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    // Run-time begin and end pads (end: without the ceil_mode extra) of the
    // dynamic spatial dims, and their ceil_mode extra; null where static.
    SmallVector<Value> dynLo(s), dynHi(s), dynExtra(s);
    auto loOf = [&](OpBuilder &b, Location l, int64_t i) -> Value {
      return dynLo[i] ? dynLo[i] : indexConst(b, l, pads[i]);
    };
    auto hiOf = [&](OpBuilder &b, Location l, int64_t i) -> Value {
      return dynHi[i] ? dynHi[i] : indexConst(b, l, pads[s + i]);
    };
    // Output sizes; ceil_mode windows may run past the padded input, which
    // is padded further (those elements count nowhere).
    SmallVector<int64_t> outShape = {xt.getDimSize(0), xt.getDimSize(1)};
    SmallVector<OpFoldResult> outSizes = {tensor::getMixedSize(rw, loc, x, 0),
                                          tensor::getMixedSize(rw, loc, x, 1)};
    SmallVector<int64_t> extra(s, 0);
    for (int64_t i = 0; i < s; ++i) {
      int64_t in = xt.getDimSize(2 + i);
      if (global) {
        outShape.push_back(1);
        outSizes.push_back(rw.getIndexAttr(1));
        continue;
      }
      if (in == ShapedType::kDynamic) {
        // The static computation below, at run time.
        int64_t span = (kernel[i] - 1) * dil[i] + 1;
        auto c = [&](int64_t v) { return indexConst(rw, loc, v); };
        auto add = [&](Value a, Value b) -> Value {
          return arith::AddIOp::create(rw, loc, a, b);
        };
        auto sub = [&](Value a, Value b) -> Value {
          return arith::SubIOp::create(rw, loc, a, b);
        };
        auto mul = [&](Value a, Value b) -> Value {
          return arith::MulIOp::create(rw, loc, a, b);
        };
        Value inV = tensor::DimOp::create(rw, loc, x, 2 + i);
        Value st = c(strides[i]), one = c(1), zero = c(0);
        Value lo = c(pads[i]), hi = c(pads[s + i]);
        if (same) {
          Value out = arith::CeilDivSIOp::create(rw, loc, inV, st);
          Value total = sub(add(mul(sub(out, one), st), c(span)), inV);
          total = arith::MaxSIOp::create(rw, loc, total, zero);
          Value small = arith::DivSIOp::create(rw, loc, total, c(2));
          Value big = sub(total, small);
          lo = autoPad == "SAME_UPPER" ? small : big;
          hi = autoPad == "SAME_UPPER" ? big : small;
        }
        Value avail = sub(add(add(inV, lo), hi), c(span));
        Value n;
        if (ceilMode) {
          n = add(arith::CeilDivSIOp::create(rw, loc, avail, st), one);
          // The last window must start inside the input or its left pad.
          Value past = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::sge,
                                             mul(sub(n, one), st), add(inV, lo));
          n = arith::SelectOp::create(rw, loc, past, sub(n, one), n);
          dynExtra[i] = arith::MaxSIOp::create(
              rw, loc,
              sub(add(mul(sub(n, one), st), c(span)), add(add(inV, lo), hi)),
              zero);
        } else {
          n = add(arith::DivSIOp::create(rw, loc, avail, st), one);
        }
        dynLo[i] = lo;
        dynHi[i] = hi;
        outShape.push_back(ShapedType::kDynamic);
        outSizes.push_back(n);
        continue;
      }
      int64_t span = (kernel[i] - 1) * dil[i] + 1;
      int64_t avail = in + pads[i] + pads[s + i] - span;
      int64_t out = ceilMode ? (avail + strides[i] - 1) / strides[i] + 1
                             : avail / strides[i] + 1;
      // The last window must start inside the input or its left padding.
      if (ceilMode && (out - 1) * strides[i] >= in + pads[i])
        --out;
      extra[i] = std::max<int64_t>(
          0, (out - 1) * strides[i] + span - (in + pads[i] + pads[s + i]));
      outShape.push_back(out);
      outSizes.push_back(rw.getIndexAttr(out));
    }
    // Max pools pad with the type's lowest value (-inf, INT_MIN, or 0 for
    // unsigned integers).
    auto padValue = [&](OpBuilder &b) {
      return kind == PoolKind::Max ? lowest(b, loc, elem)
                                   : scalarConst(b, loc, elem, 0.0);
    };
    Value padded = x;
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; }) ||
        llvm::any_of(extra, [](int64_t p) { return p != 0; }) ||
        llvm::any_of(dynLo, [](Value v) { return bool(v); })) {
      SmallVector<OpFoldResult> lo(2, rw.getIndexAttr(0)),
          hi(2, rw.getIndexAttr(0));
      SmallVector<int64_t> shape(xt.getShape());
      for (int64_t i = 0; i < s; ++i) {
        if (dynLo[i]) {
          lo.push_back(dynLo[i]);
          hi.push_back(dynExtra[i] ? Value(arith::AddIOp::create(
                                         rw, loc, dynHi[i], dynExtra[i]))
                                   : dynHi[i]);
          continue;
        }
        lo.push_back(rw.getIndexAttr(pads[i]));
        hi.push_back(rw.getIndexAttr(pads[s + i] + extra[i]));
        if (shape[2 + i] != ShapedType::kDynamic)
          shape[2 + i] += pads[i] + pads[s + i] + extra[i];
      }
      padded = tensor::PadOp::create(rw, loc, RankedTensorType::get(shape, elem),
                                     x, lo, hi, padValue(rw));
    }
    // The window: its shape gives the k loops their ranges.
    SmallVector<int64_t> winShape;
    SmallVector<OpFoldResult> winSizes;
    for (int64_t i = 0; i < s; ++i) {
      winShape.push_back(kernel[i]);
      winSizes.push_back(global ? tensor::getMixedSize(rw, loc, x, 2 + i)
                                : OpFoldResult(rw.getIndexAttr(kernel[i])));
    }
    Value window = tensor::EmptyOp::create(rw, loc, winSizes, elem);
    auto outType = RankedTensorType::get(outShape, elem);
    Value init = linalg::FillOp::create(rw, loc, padValue(rw),
                                        emptyTensor(rw, loc, outType, outSizes))
                     .getResult(0);
    int64_t nLoops = 2 + 2 * s;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe = {d(0), d(1)}, we, oe = {d(0), d(1)};
    for (int64_t i = 0; i < s; ++i) {
      xe.push_back(d(2 + i) * strides[i] + d(2 + s + i) * dil[i]);
      we.push_back(d(2 + s + i));
      oe.push_back(d(2 + i));
    }
    SmallVector<utils::IteratorType> iters(2 + s,
                                           utils::IteratorType::parallel);
    iters.append(s, utils::IteratorType::reduction);
    int64_t p = intAttr(op, "p", 2);
    PoolKind k = kind;
    SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, xe, ctx),
                                   AffineMap::get(nLoops, 0, we, ctx),
                                   AffineMap::get(nLoops, 0, oe, ctx)};
    SmallVector<Type> outTypes = {outType};
    SmallVector<Value> inits = {init};
    // Indices: the flat position in x (N, C, spatial row-major, or
    // column-major for storage_order 1) of the first maximum of the window.
    SmallVector<Value> xDims;
    bool colMajor = intAttr(op, "storage_order", 0) != 0;
    if (withIndices) {
      auto idxType = RankedTensorType::get(outShape, it.getElementType());
      maps.push_back(maps.back());
      outTypes.push_back(idxType);
      inits.push_back(
          linalg::FillOp::create(rw, loc,
                                 scalarConst(rw, loc, it.getElementType(), 0),
                                 emptyTensor(rw, loc, idxType, outSizes))
              .getResult(0));
      for (int64_t i = 0; i < 2 + s; ++i)
        xDims.push_back(tensor::DimOp::create(rw, loc, x, i));
    }
    auto generic = linalg::GenericOp::create(
        rw, loc, outTypes, ValueRange{padded, window}, inits, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value v;
          if (k == PoolKind::Max && withIndices) {
            Value better = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OGT, a[0], a[2]);
            // Spatial coordinates in x of this window element.
            SmallVector<Value> pos;
            for (int64_t i = 0; i < s; ++i) {
              Value o = linalg::IndexOp::create(b, l, 2 + i);
              Value kk = linalg::IndexOp::create(b, l, 2 + s + i);
              Value c = arith::AddIOp::create(
                  b, l,
                  arith::MulIOp::create(b, l, o, indexConst(b, l, strides[i])),
                  arith::MulIOp::create(b, l, kk, indexConst(b, l, dil[i])));
              pos.push_back(
                  arith::SubIOp::create(b, l, c, loOf(b, l, i)));
            }
            Value flat = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 0),
                                      xDims[1]),
                linalg::IndexOp::create(b, l, 1));
            SmallVector<int64_t> order;
            for (int64_t i = 0; i < s; ++i)
              order.push_back(colMajor ? s - 1 - i : i);
            for (int64_t i : order)
              flat = arith::AddIOp::create(
                  b, l, arith::MulIOp::create(b, l, flat, xDims[2 + i]),
                  pos[i]);
            Value fi = arith::IndexCastOp::create(b, l, a[3].getType(), flat);
            linalg::YieldOp::create(
                b, l,
                ValueRange{arith::SelectOp::create(b, l, better, a[0], a[2]),
                           arith::SelectOp::create(b, l, better, fi, a[3])});
            return;
          }
          if (k == PoolKind::Max && elem.isUnsignedInteger()) {
            v = arith::MaxUIOp::create(b, l, a[2], a[0]);
          } else if (k == PoolKind::Max && !llvm::isa<FloatType>(elem)) {
            v = arith::MaxSIOp::create(b, l, a[2], a[0]);
          } else if (k == PoolKind::Max) {
            v = arith::MaximumFOp::create(b, l, a[2], a[0]);
          } else if (k == PoolKind::Average) {
            v = arith::AddFOp::create(b, l, a[2], a[0]);
          } else {
            Value m = math::AbsFOp::create(b, l, a[0]);
            Value e =
                math::PowFOp::create(b, l, m, scalarConst(b, l, elem, p));
            v = arith::AddFOp::create(b, l, a[2], e);
          }
          linalg::YieldOp::create(b, l, v);
        });
    Value y = generic.getResult(0);
    if (kind == PoolKind::Lp) {
      y = mapTensor(rw, loc, y, [&](OpBuilder &b, Location l, Value v) {
        return Value(math::PowFOp::create(b, l, v,
                                          scalarConst(b, l, elem, 1.0 / p)));
      });
    } else if (kind == PoolKind::Average) {
      // Divide by the number of window elements inside [lo, hi) of the
      // padded coordinates: the input, or the input and its pads.
      SmallVector<Value> dims;
      for (int64_t i = 0; i < s; ++i)
        dims.push_back(tensor::DimOp::create(rw, loc, x, 2 + i));
      y = mapTensor(rw, loc, y, [&](OpBuilder &b, Location l, Value v) {
        Value count = indexConst(b, l, 1);
        for (int64_t i = 0; i < s; ++i) {
          Value lo = countPad ? indexConst(b, l, 0) : loOf(b, l, i);
          Value hi = arith::AddIOp::create(
              b, l, dims[i],
              countPad ? Value(arith::AddIOp::create(b, l, loOf(b, l, i),
                                                     hiOf(b, l, i)))
                       : loOf(b, l, i));
          Value start = arith::MulIOp::create(
              b, l, linalg::IndexOp::create(b, l, 2 + i),
              indexConst(b, l, strides[i]));
          Value kernelLen = global ? dims[i] : indexConst(b, l, kernel[i]);
          // k in [0, K) with lo <= start + k*d < hi.
          Value dl = indexConst(b, l, dil[i]);
          Value kMin = arith::CeilDivSIOp::create(
              b, l, arith::SubIOp::create(b, l, lo, start), dl);
          kMin = arith::MaxSIOp::create(b, l, kMin, indexConst(b, l, 0));
          Value kMax = arith::FloorDivSIOp::create(
              b, l,
              arith::SubIOp::create(
                  b, l, arith::SubIOp::create(b, l, hi, indexConst(b, l, 1)),
                  start),
              dl);
          kMax = arith::MinSIOp::create(
              b, l, kMax,
              arith::SubIOp::create(b, l, kernelLen, indexConst(b, l, 1)));
          Value n = arith::SubIOp::create(
              b, l, arith::AddIOp::create(b, l, kMax, indexConst(b, l, 1)),
              kMin);
          n = arith::MaxSIOp::create(b, l, n, indexConst(b, l, 1));
          count = arith::MulIOp::create(b, l, count, n);
        }
        Value cf = arith::SIToFPOp::create(
            b, l, elem, arith::IndexCastOp::create(b, l, b.getI64Type(), count));
        return Value(arith::DivFOp::create(b, l, v, cf));
      });
    }
    rw.replaceAllUsesWith(op->getResult(0), castIfNeeded(rw, loc, y, rt));
    if (withIndices)
      rw.replaceAllUsesWith(op->getResult(1),
                            castIfNeeded(rw, loc, generic.getResult(1), it));
    rw.eraseOp(op);
    return success();
  }

  PoolKind kind;
  bool global;
};

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
    SmallVector<int64_t> kernel = intsAttr(op, "kernel_shape", 0, 0);
    SmallVector<int64_t> strides = intsAttr(op, "strides", s, 1);
    SmallVector<int64_t> pads = intsAttr(op, "pads", 2 * s, 0);
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
    Value out =
        linalg::FillOp::create(rw, loc, scalarConst(rw, loc, elem, 0),
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
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                      coord[d], dims[d]));
          }
          inside = arith::AndIOp::create(
              b, l, inside,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rest,
                                    zero));
          auto ifOp = scf::IfOp::create(
              b, l, inside,
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(
                    tb, tl,
                    Value(tensor::InsertOp::create(tb, tl, v, it[0], coord)));
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, it[0]);
              });
          scf::YieldOp::create(b, l, ifOp.getResults());
        });
    rw.replaceOp(op, loop.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxPoolingToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  auto add = [&](StringRef name, PoolKind kind, bool global) {
    patterns.add(std::make_unique<PoolToLinalg>(ctx, name, kind, global));
  };
  add("onnx.MaxPool", PoolKind::Max, false);
  add("onnx.AveragePool", PoolKind::Average, false);
  add("onnx.LpPool", PoolKind::Lp, false);
  add("onnx.GlobalMaxPool", PoolKind::Max, true);
  add("onnx.GlobalAveragePool", PoolKind::Average, true);
  add("onnx.GlobalLpPool", PoolKind::Lp, true);
  patterns.add<MaxUnpoolToLinalg>(ctx);
}
