//===- Common.cpp - Helpers of the onnx-to-linalg patterns ------*- C++ -*-===//

#include "Common.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <functional>
#include <limits>

using namespace mlir;
using namespace seqc::onnx_to_linalg;

AffineMap seqc::onnx_to_linalg::broadcastMap(MLIRContext *ctx,
                                             RankedTensorType operand,
                                             RankedTensorType result) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = result.getRank() - operand.getRank();
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    int64_t r = i + offset;
    if (operand.getDimSize(i) == 1 && result.getDimSize(r) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(r, ctx));
  }
  return AffineMap::get(result.getRank(), 0, exprs, ctx);
}

SmallVector<OpFoldResult> seqc::onnx_to_linalg::broadcastSizes(
    OpBuilder &b, Location loc, RankedTensorType result, ValueRange operands) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t r = 0; r < result.getRank(); ++r) {
    if (!result.isDynamicDim(r)) {
      sizes.push_back(b.getIndexAttr(result.getDimSize(r)));
      continue;
    }
    // A static size other than 1 decides; otherwise the largest of the
    // operands' run-time sizes (they are equal or 1).
    std::optional<int64_t> fixed;
    SmallVector<Value> dynamic;
    for (Value v : operands) {
      auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      if (!t)
        continue;
      int64_t i = r - (result.getRank() - t.getRank());
      if (i < 0 || t.getDimSize(i) == 1)
        continue;
      if (!t.isDynamicDim(i)) {
        fixed = t.getDimSize(i);
        break;
      }
      dynamic.push_back(tensor::DimOp::create(b, loc, v, i));
    }
    if (fixed) {
      sizes.push_back(b.getIndexAttr(*fixed));
      continue;
    }
    if (dynamic.empty()) {
      sizes.push_back(b.getIndexAttr(1));
      continue;
    }
    Value size = dynamic.front();
    for (Value d : llvm::drop_begin(dynamic))
      size = arith::MaxSIOp::create(b, loc, size, d);
    sizes.push_back(size);
  }
  return sizes;
}

Value seqc::onnx_to_linalg::expandDynamicBroadcast(
    OpBuilder &b, Location loc, Value operand, RankedTensorType result,
    ArrayRef<OpFoldResult> resultSizes, ValueRange operands) {
  auto t = llvm::cast<RankedTensorType>(operand.getType());
  int64_t off = result.getRank() - t.getRank();
  // Whether another operand may have a size other than 1 at result dim j.
  auto othersMayExceedOne = [&](int64_t j) {
    if (operands.empty())
      return true;
    for (Value other : operands) {
      if (other == operand)
        continue;
      auto ot = llvm::cast<RankedTensorType>(other.getType());
      int64_t k = j - (result.getRank() - ot.getRank());
      if (k >= 0 && (ot.isDynamicDim(k) || ot.getDimSize(k) != 1))
        return true;
    }
    return false;
  };
  SmallVector<OpFoldResult> targets;
  for (int64_t i = 0; i < t.getRank(); ++i)
    targets.push_back(result.getDimSize(off + i) == 1 ||
                              !othersMayExceedOne(off + i)
                          ? OpFoldResult()
                          : resultSizes[off + i]);
  return expandDynamicDims(b, loc, operand, targets);
}

Value seqc::onnx_to_linalg::expandDynamicDims(OpBuilder &b, Location loc,
                                              Value operand,
                                              ArrayRef<OpFoldResult> targets) {
  auto t = llvm::cast<RankedTensorType>(operand.getType());
  SmallVector<OpFoldResult> resultSizes(targets);
  int64_t off = 0;
  Value one = indexConst(b, loc, 1);
  Value cond;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (!t.isDynamicDim(i) || !targets[i])
      continue;
    Value size = tensor::DimOp::create(b, loc, operand, i);
    Value out = getValueOrCreateConstantIndexOp(b, loc, resultSizes[off + i]);
    Value c = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, one),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, out, one));
    cond = cond ? arith::OrIOp::create(b, loc, cond, c).getResult() : c;
  }
  if (!cond)
    return operand;
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &tb, Location l) {
        // The dynamic dims take the result's sizes, reading index 0 where
        // the operand has size 1.
        SmallVector<Value> dynSizes, srcSizes;
        for (int64_t i = 0; i < t.getRank(); ++i)
          srcSizes.push_back(t.isDynamicDim(i) ? Value(tensor::DimOp::create(
                                                     tb, l, operand, i))
                                               : Value());
        for (int64_t i = 0; i < t.getRank(); ++i) {
          if (!t.isDynamicDim(i))
            continue;
          dynSizes.push_back(targets[i] ? getValueOrCreateConstantIndexOp(
                                              tb, l, resultSizes[off + i])
                                        : srcSizes[i]);
        }
        Value init = tensor::EmptyOp::create(tb, l, t, dynSizes);
        SmallVector<utils::IteratorType> iters(t.getRank(),
                                               utils::IteratorType::parallel);
        auto g = linalg::GenericOp::create(
            tb, l, TypeRange{t}, ValueRange{}, ValueRange{init},
            {tb.getMultiDimIdentityMap(t.getRank())}, iters,
            [&](OpBuilder &nb, Location nl, ValueRange) {
              SmallVector<Value> at;
              Value zero = indexConst(nb, nl, 0), one1 = indexConst(nb, nl, 1);
              for (int64_t i = 0; i < t.getRank(); ++i) {
                Value ix = linalg::IndexOp::create(nb, nl, i);
                if (t.isDynamicDim(i) && targets[i]) {
                  Value isOne = arith::CmpIOp::create(
                      nb, nl, arith::CmpIPredicate::eq, srcSizes[i], one1);
                  ix = arith::SelectOp::create(nb, nl, isOne, zero, ix);
                }
                at.push_back(ix);
              }
              linalg::YieldOp::create(
                  nb, nl,
                  tensor::ExtractOp::create(nb, nl, operand, at).getResult());
            });
        scf::YieldOp::create(tb, l, g.getResult(0));
      },
      [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, operand); });
  return ifOp.getResult(0);
}

Value seqc::onnx_to_linalg::emptyTensor(OpBuilder &b, Location loc,
                                        RankedTensorType type,
                                        ArrayRef<OpFoldResult> sizes) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  empty = castIfNeeded(b, loc, empty, type);
  return empty;
}

Value seqc::onnx_to_linalg::castIfNeeded(OpBuilder &b, Location loc, Value v,
                                         Type type) {
  return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v);
}

std::optional<SmallVector<int64_t>>
seqc::onnx_to_linalg::constantInts(Value v) {
  Attribute attr;
  if (auto c = v.getDefiningOp<onnxir::ConstantOp>())
    attr = c.getValueAttr();
  else if (auto c = v.getDefiningOp<arith::ConstantOp>())
    attr = c.getValue();
  auto dense = llvm::dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (const APInt &x : dense.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

bool seqc::onnx_to_linalg::isNone(Value v) {
  return !v || llvm::isa<NoneType>(v.getType());
}

Value seqc::onnx_to_linalg::scalarConst(OpBuilder &b, Location loc, Type type,
                                        double v) {
  if (llvm::isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(v)));
}

Value seqc::onnx_to_linalg::lowest(OpBuilder &b, Location loc, Type type) {
  if (llvm::isa<FloatType>(type))
    return scalarConst(b, loc, type, -std::numeric_limits<double>::infinity());
  unsigned w = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, type.isUnsignedInteger()
                                 ? APInt::getZero(w)
                                 : APInt::getSignedMinValue(w)));
}

Value seqc::onnx_to_linalg::highest(OpBuilder &b, Location loc, Type type) {
  if (llvm::isa<FloatType>(type))
    return scalarConst(b, loc, type, std::numeric_limits<double>::infinity());
  unsigned w = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, type.isUnsignedInteger()
                                 ? APInt::getMaxValue(w)
                                 : APInt::getSignedMaxValue(w)));
}

int64_t seqc::onnx_to_linalg::normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

int64_t seqc::onnx_to_linalg::intAttr(Operation *op, StringRef name,
                                      int64_t dflt) {
  if (auto a = op->getAttrOfType<IntegerAttr>(name))
    return a.getInt();
  return dflt;
}

float seqc::onnx_to_linalg::floatAttr(Operation *op, StringRef name,
                                      float dflt) {
  if (auto a = op->getAttrOfType<FloatAttr>(name))
    return a.getValueAsDouble();
  return dflt;
}

/// Reduces `x` over the dims in `reduced` (sorted) into a tensor without
/// them, starting from `init`.
Value seqc::onnx_to_linalg::reduceDims(OpBuilder &b, Location loc, Value x,
                                       ArrayRef<int64_t> reduced, Value init,
                                       Combiner combine) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    bool red = llvm::is_contained(reduced, i);
    iters.push_back(red ? utils::IteratorType::reduction
                        : utils::IteratorType::parallel);
    if (red)
      continue;
    shape.push_back(t.getDimSize(i));
    sizes.push_back(tensor::getMixedSize(b, loc, x, i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  auto outType = RankedTensorType::get(shape, t.getElementType());
  Value acc =
      linalg::FillOp::create(b, loc, init, emptyTensor(b, loc, outType, sizes))
          .getResult(0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{x}, ValueRange{acc},
             {b.getMultiDimIdentityMap(t.getRank()),
              AffineMap::get(t.getRank(), 0, outExprs, ctx)},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, combine(nb, l, a[1], a[0]));
             })
      .getResult(0);
}

/// Elementwise f(x, r) where r has x's shape without the `reduced` dims.
Value seqc::onnx_to_linalg::withReduced(
    OpBuilder &b, Location loc, Value x, Value r, ArrayRef<int64_t> reduced,
    function_ref<Value(OpBuilder &, Location, Value, Value)> f) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> rExprs;
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (!llvm::is_contained(reduced, i))
      rExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<utils::IteratorType> iters(t.getRank(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, t, tensor::getMixedSizes(b, loc, x));
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{x, r}, ValueRange{init},
             {b.getMultiDimIdentityMap(t.getRank()),
              AffineMap::get(t.getRank(), 0, rExprs, ctx),
              b.getMultiDimIdentityMap(t.getRank())},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, f(nb, l, a[0], a[1]));
             })
      .getResult(0);
}

/// Elementwise map of a single tensor.
Value seqc::onnx_to_linalg::mapTensor(
    OpBuilder &b, Location loc, Value x,
    function_ref<Value(OpBuilder &, Location, Value)> f) {
  auto t = llvm::cast<RankedTensorType>(x.getType());
  SmallVector<utils::IteratorType> iters(t.getRank(),
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, t, tensor::getMixedSizes(b, loc, x));
  AffineMap id = b.getMultiDimIdentityMap(t.getRank());
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, ValueRange{x}, ValueRange{init}, {id, id},
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, f(nb, l, a[0]));
             })
      .getResult(0);
}

/// Restores reduced dims as size-1 dims to reach `type` (keepdims=1).
Value seqc::onnx_to_linalg::keepDims(OpBuilder &b, Location loc, Value r,
                                     RankedTensorType type,
                                     ArrayRef<int64_t> reduced) {
  if (r.getType() == type)
    return r;
  auto rt = llvm::cast<RankedTensorType>(r.getType());
  if (rt.getRank() == 0) {
    // Every dim was reduced: all of them come back as size 1.
    SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
    return tensor::ExpandShapeOp::create(
        b, loc, type, r, ArrayRef<ReassociationIndices>{}, ones);
  }
  SmallVector<ReassociationIndices> groups;
  int64_t out = 0;
  for (int64_t i = 0; i < rt.getRank(); ++i) {
    ReassociationIndices g;
    while (llvm::is_contained(reduced, out) && out < type.getRank())
      g.push_back(out++);
    g.push_back(out++);
    groups.push_back(g);
  }
  while (out < type.getRank())
    groups.back().push_back(out++);
  SmallVector<OpFoldResult> sizes;
  int64_t src = 0;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (llvm::is_contained(reduced, i))
      sizes.push_back(b.getIndexAttr(1));
    else
      sizes.push_back(tensor::getMixedSize(b, loc, r, src++));
  }
  return tensor::ExpandShapeOp::create(b, loc, type, r, groups, sizes);
}

std::optional<SmallVector<int64_t>>
seqc::onnx_to_linalg::axesFromShapes(RankedTensorType in, RankedTensorType out,
                                     bool keepDims) {
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> a = in.getShape(), r = out.getShape();
  SmallVector<int64_t> axes;
  if (keepDims) {
    if (a.size() != r.size())
      return std::nullopt;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] == r[i])
        continue;
      if (r[i] != 1)
        return std::nullopt;
      axes.push_back(i);
    }
    return axes;
  }
  // Dropped dims: every way of matching `r` as a subsequence of `a` must
  // drop the same dims up to size-1 ones (dropping those changes nothing).
  std::optional<SmallVector<int64_t>> found;
  bool ambiguous = false;
  SmallVector<int64_t> cur;
  std::function<void(size_t, size_t)> walk = [&](size_t i, size_t j) {
    if (ambiguous)
      return;
    if (i == a.size()) {
      if (j != r.size())
        return;
      if (!found) {
        found = cur;
        return;
      }
      // Equivalent when the only differences are size-1 dims.
      SmallVector<int64_t> x, y;
      for (int64_t d : *found)
        if (a[d] != 1)
          x.push_back(d);
      for (int64_t d : cur)
        if (a[d] != 1)
          y.push_back(d);
      if (x != y)
        ambiguous = true;
      return;
    }
    if (j < r.size() && a[i] == r[j])
      walk(i + 1, j + 1);
    cur.push_back(i);
    walk(i + 1, j);
    cur.pop_back();
  };
  walk(0, 0);
  if (ambiguous)
    return std::nullopt;
  return found;
}

SmallVector<int64_t> seqc::onnx_to_linalg::intsAttr(Operation *op,
                                                    StringRef name, size_t n,
                                                    int64_t dflt) {
  SmallVector<int64_t> out;
  if (auto arr = op->getAttrOfType<ArrayAttr>(name))
    for (Attribute a : arr)
      out.push_back(llvm::cast<IntegerAttr>(a).getInt());
  if (out.empty())
    out.assign(n, dflt);
  return out;
}

std::string seqc::onnx_to_linalg::strAttr(Operation *op, StringRef name,
                                          StringRef dflt) {
  if (auto a = op->getAttrOfType<StringAttr>(name))
    return a.str();
  return dflt.str();
}

Value seqc::onnx_to_linalg::indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value seqc::onnx_to_linalg::axesMask(OpBuilder &b, Location loc, Value axes,
                                     int64_t rank) {
  Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
  Value rankV = indexConst(b, loc, rank);
  Value n = tensor::DimOp::create(b, loc, axes, 0);
  auto loop = scf::ForOp::create(
      b, loc, zero, n, one, ValueRange{zero},
      [&](OpBuilder &nb, Location l, Value i, ValueRange it) {
        Value a = arith::IndexCastOp::create(
            nb, l, nb.getIndexType(),
            tensor::ExtractOp::create(nb, l, axes, ValueRange{i}));
        Value neg =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, a, zero);
        a = arith::SelectOp::create(nb, l, neg,
                                    arith::AddIOp::create(nb, l, a, rankV), a);
        scf::YieldOp::create(
            nb, l,
            Value(arith::OrIOp::create(nb, l, it[0],
                                       arith::ShLIOp::create(nb, l, one, a))));
      });
  return loop.getResult(0);
}

Value seqc::onnx_to_linalg::scalarIndex(OpBuilder &b, Location loc, Value t) {
  auto tt = llvm::cast<RankedTensorType>(t.getType());
  SmallVector<Value> at(tt.getRank(), indexConst(b, loc, 0));
  Value v = tensor::ExtractOp::create(b, loc, t, at);
  if (llvm::isa<FloatType>(v.getType()))
    v = arith::FPToSIOp::create(b, loc, b.getI64Type(), v);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

SmallVector<int64_t> seqc::onnx_to_linalg::intsOf(ArrayAttr a) {
  SmallVector<int64_t> out;
  if (a)
    for (Attribute v : a)
      out.push_back(llvm::cast<IntegerAttr>(v).getInt());
  return out;
}

Value seqc::onnx_to_linalg::wrappedIndex(OpBuilder &b, Location l, Value v,
                                         Value dim) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
  Value zero = indexConst(b, l, 0);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, dim),
                              i);
  Value last = arith::SubIOp::create(b, l, dim, indexConst(b, l, 1));
  return arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, i, last),
                                zero);
}

Value seqc::onnx_to_linalg::generateFromIndices(
    OpBuilder &b, Location l, RankedTensorType rt, ArrayRef<OpFoldResult> sizes,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> element) {
  int64_t r = rt.getRank();
  SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, l, TypeRange{rt}, ValueRange{},
             ValueRange{emptyTensor(b, l, rt, sizes)},
             {b.getMultiDimIdentityMap(r)}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> at;
               for (int64_t i = 0; i < r; ++i)
                 at.push_back(linalg::IndexOp::create(nb, nl, i));
               linalg::YieldOp::create(nb, nl, element(nb, nl, at));
             })
      .getResult(0);
}

LogicalResult seqc::onnx_to_linalg::resolveAutoPad(
    StringRef autoPad, RankedTensorType x, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
    SmallVectorImpl<int64_t> &pads) {
  int64_t s = x.getRank() - 2;
  if (autoPad == "VALID") {
    pads.assign(2 * s, 0);
    return success();
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return success();
  for (int64_t i = 0; i < s; ++i) {
    int64_t in = x.getDimSize(2 + i);
    if (in == ShapedType::kDynamic)
      return failure();
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
    int64_t small = total / 2, big = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : big;
    pads[s + i] = autoPad == "SAME_UPPER" ? big : small;
  }
  return success();
}
