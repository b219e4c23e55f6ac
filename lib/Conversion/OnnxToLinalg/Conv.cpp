//===- Conv.cpp - ONNX Conv and ConvTranspose to linalg ---------*- C++ -*-===//
//
// N-d grouped convolution (1-D, 2-D, 3-D; pads, auto_pad, strides,
// dilations, groups, bias) as one linalg.generic over
//   (n, g, m, o_1..o_s | c, k_1..k_s)
// reading X' = pad(X) viewed as (N, G, C/G, D...) at o_i*s_i + k_i*d_i and
// W viewed as (G, M/G, C/G, K...). Depthwise convolutions (G = C) and
// pointwise ones are the same op with different shapes; the long-sequence
// ones are raised to seq.long_conv before this runs. The weights' and
// channels' sizes may be dynamic.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <functional>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

LogicalResult seqc::onnx_to_linalg::readConvParams(Operation *op,
                                                   RankedTensorType xt,
                                                   RankedTensorType wt,
                                                   ConvParams &p) {
  int64_t s = xt.getRank() - 2;
  p.groups = intAttr(op, "group", 1);
  if (wt.getRank() != s + 2 || p.groups <= 0)
    return failure();
  // Channel counts may be dynamic (read at run time; the groups divide
  // them, as a valid model's do).
  int64_t c = xt.getDimSize(1), m = wt.getDimSize(0);
  if ((!ShapedType::isDynamic(c) && c % p.groups) ||
      (!ShapedType::isDynamic(m) && m % p.groups) ||
      (!ShapedType::isDynamic(c) && !wt.isDynamicDim(1) &&
       wt.getDimSize(1) != c / p.groups))
    return failure();
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  p.strides = intsAttr(op, "strides", s, 1);
  p.dilations = intsAttr(op, "dilations", s, 1);
  p.pads = intsAttr(op, "pads", 2 * s, 0);
  if (p.strides.size() != size_t(s) || p.dilations.size() != size_t(s) ||
      p.pads.size() != size_t(2 * s))
    return failure();
  // SAME padding is resolved at compile time from the kernel sizes.
  std::string autoPad = strAttr(op, "auto_pad", "NOTSET");
  if ((autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") &&
      llvm::any_of(kernel, ShapedType::isDynamic))
    return failure();
  return resolveAutoPad(autoPad, xt, kernel, p.strides, p.dilations, p.pads);
}

Value seqc::onnx_to_linalg::buildConv(OpBuilder &rw, Location loc, Value x,
                                      Value w, Value b, RankedTensorType rt,
                                      const ConvParams &p) {
  MLIRContext *ctx = rw.getContext();
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  auto wt = llvm::cast<RankedTensorType>(w.getType());
  int64_t s = xt.getRank() - 2;
  int64_t groups = p.groups;
  auto perGroup = [&](int64_t n) {
    return ShapedType::isDynamic(n) ? n : n / groups;
  };
  int64_t cg = perGroup(xt.getDimSize(1)), mg = perGroup(wt.getDimSize(0));
  // A size of w as a static attribute or a run-time dim.
  auto sizeOf = [&](Value v, int64_t dim, int64_t known) -> OpFoldResult {
    if (!ShapedType::isDynamic(known))
      return rw.getIndexAttr(known);
    return tensor::getMixedSize(rw, loc, v, dim);
  };
  // Dim `dim` of `v` divided by the groups (`known` when static).
  auto groupSize = [&](Value v, int64_t dim, int64_t known) -> OpFoldResult {
    if (!ShapedType::isDynamic(known))
      return rw.getIndexAttr(known);
    return Value(arith::DivUIOp::create(
        rw, loc, tensor::DimOp::create(rw, loc, v, dim),
        arith::ConstantIndexOp::create(rw, loc, groups)));
  };
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  ArrayRef<int64_t> strides = p.strides, dil = p.dilations, pads = p.pads;
  Type elem = xt.getElementType();
  bool isFloat = llvm::isa<FloatType>(elem);
  Value zero = scalarConst(rw, loc, elem, 0);
  // 1. Zero padding.
  Value padded = x;
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
    SmallVector<OpFoldResult> lo(2, rw.getIndexAttr(0)), hi(2, rw.getIndexAttr(0));
    for (int64_t i = 0; i < s; ++i) {
      lo.push_back(rw.getIndexAttr(pads[i]));
      hi.push_back(rw.getIndexAttr(pads[s + i]));
    }
    SmallVector<int64_t> shape(xt.getShape());
    for (int64_t i = 0; i < s; ++i)
      if (shape[2 + i] != ShapedType::kDynamic)
        shape[2 + i] += pads[i] + pads[s + i];
    padded = tensor::PadOp::create(rw, loc,
                                   RankedTensorType::get(shape, elem), x, lo,
                                   hi, zero);
  }
  // 2. Group views: X' (N, G, Cg, D...), W' (G, Mg, Cg, K...).
  auto pt = llvm::cast<RankedTensorType>(padded.getType());
  SmallVector<ReassociationIndices> xGroups = {{0}, {1, 2}};
  SmallVector<int64_t> xShape = {pt.getDimSize(0), groups, cg};
  SmallVector<OpFoldResult> xSizes = {tensor::getMixedSize(rw, loc, padded, 0),
                                      rw.getIndexAttr(groups),
                                      groupSize(padded, 1, cg)};
  for (int64_t i = 0; i < s; ++i) {
    xGroups.push_back({3 + i});
    xShape.push_back(pt.getDimSize(2 + i));
    xSizes.push_back(tensor::getMixedSize(rw, loc, padded, 2 + i));
  }
  Value xv = tensor::ExpandShapeOp::create(
      rw, loc, RankedTensorType::get(xShape, elem), padded, xGroups, xSizes);
  SmallVector<ReassociationIndices> wGroups = {{0, 1}, {2}};
  // W's channels per group are its own dim 1 (static even when C is not).
  SmallVector<int64_t> wShape = {groups, mg, wt.getDimSize(1)};
  SmallVector<OpFoldResult> wSizes = {rw.getIndexAttr(groups),
                                      groupSize(w, 0, mg),
                                      sizeOf(w, 1, wt.getDimSize(1))};
  for (int64_t i = 0; i < s; ++i) {
    wGroups.push_back({3 + i});
    wShape.push_back(kernel[i]);
    wSizes.push_back(sizeOf(w, 2 + i, kernel[i]));
  }
  Value wv = tensor::ExpandShapeOp::create(
      rw, loc, RankedTensorType::get(wShape, elem), w, wGroups, wSizes);

  // 3. Output (N, G, Mg, O...), initialized with the bias.
  SmallVector<int64_t> yShape = {rt.getDimSize(0), groups, mg};
  SmallVector<OpFoldResult> ySizes = {tensor::getMixedSize(rw, loc, x, 0),
                                      rw.getIndexAttr(groups),
                                      groupSize(w, 0, mg)};
  for (int64_t i = 0; i < s; ++i) {
    yShape.push_back(rt.getDimSize(2 + i));
    if (!rt.isDynamicDim(2 + i)) {
      ySizes.push_back(rw.getIndexAttr(rt.getDimSize(2 + i)));
      continue;
    }
    // span = (k - 1) * dilation + 1, k read from w when dynamic.
    Value span;
    if (ShapedType::isDynamic(kernel[i])) {
      Value k = tensor::DimOp::create(rw, loc, w, 2 + i);
      span = arith::AddIOp::create(
          rw, loc,
          arith::MulIOp::create(
              rw, loc,
              arith::SubIOp::create(rw, loc, k,
                                    arith::ConstantIndexOp::create(rw, loc, 1)),
              arith::ConstantIndexOp::create(rw, loc, dil[i])),
          arith::ConstantIndexOp::create(rw, loc, 1));
    } else {
      span = arith::ConstantIndexOp::create(rw, loc,
                                            (kernel[i] - 1) * dil[i] + 1);
    }
    Value in = tensor::DimOp::create(rw, loc, padded, 2 + i);
    Value n = arith::SubIOp::create(rw, loc, in, span);
    n = arith::DivSIOp::create(
        rw, loc, n, arith::ConstantIndexOp::create(rw, loc, strides[i]));
    ySizes.push_back(Value(arith::AddIOp::create(
        rw, loc, n, arith::ConstantIndexOp::create(rw, loc, 1))));
  }
  auto yType = RankedTensorType::get(yShape, elem);
  Value init = emptyTensor(rw, loc, yType, ySizes);
  int64_t nPar = 3 + s, nLoops = nPar + 1 + s;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  if (b && !isNone(b)) {
    // The bias's own size (it may be static where M is not).
    auto bt = llvm::dyn_cast<RankedTensorType>(b.getType());
    int64_t bm = bt && bt.getRank() == 1 ? perGroup(bt.getDimSize(0)) : mg;
    Value bv = tensor::ExpandShapeOp::create(
        rw, loc, RankedTensorType::get({groups, bm}, elem), b,
        SmallVector<ReassociationIndices>{{0, 1}},
        SmallVector<OpFoldResult>{rw.getIndexAttr(groups),
                                  groupSize(b, 0, bm)});
    SmallVector<utils::IteratorType> par(nPar, utils::IteratorType::parallel);
    init = linalg::GenericOp::create(
               rw, loc, TypeRange{yType}, ValueRange{bv}, ValueRange{init},
               {AffineMap::get(nPar, 0, {d(1), d(2)}, ctx),
                rw.getMultiDimIdentityMap(nPar)},
               par,
               [](OpBuilder &nb, Location l, ValueRange a) {
                 linalg::YieldOp::create(nb, l, a[0]);
               })
               .getResult(0);
  } else {
    init = linalg::FillOp::create(rw, loc, zero, init).getResult(0);
  }
  // 4. The convolution.
  SmallVector<AffineExpr> xe = {d(0), d(1), d(nPar)}, we = {d(1), d(2), d(nPar)},
                          ye;
  for (int64_t i = 0; i < nPar; ++i)
    ye.push_back(d(i));
  for (int64_t i = 0; i < s; ++i) {
    xe.push_back(d(3 + i) * strides[i] + d(nPar + 1 + i) * dil[i]);
    we.push_back(d(nPar + 1 + i));
  }
  SmallVector<utils::IteratorType> iters(nPar, utils::IteratorType::parallel);
  iters.append(1 + s, utils::IteratorType::reduction);
  Value y = linalg::GenericOp::create(
                rw, loc, TypeRange{yType}, ValueRange{xv, wv}, ValueRange{init},
                {AffineMap::get(nLoops, 0, xe, ctx),
                 AffineMap::get(nLoops, 0, we, ctx),
                 AffineMap::get(nLoops, 0, ye, ctx)},
                iters,
                [&](OpBuilder &nb, Location l, ValueRange a) {
                  // Integers (ConvInteger, QLinearConv) wrap.
                  Value prod =
                      isFloat ? Value(arith::MulFOp::create(nb, l, a[0], a[1]))
                              : Value(arith::MulIOp::create(nb, l, a[0], a[1]));
                  linalg::YieldOp::create(
                      nb, l,
                      isFloat ? Value(arith::AddFOp::create(nb, l, a[2], prod))
                              : Value(arith::AddIOp::create(nb, l, a[2], prod)));
                })
                .getResult(0);
  // 5. Back to (N, M, O...).
  SmallVector<ReassociationIndices> yGroups = {{0}, {1, 2}};
  for (int64_t i = 0; i < s; ++i)
    yGroups.push_back({3 + i});
  Value out = tensor::CollapseShapeOp::create(rw, loc, y, yGroups);
  return castIfNeeded(rw, loc, out, rt);
}

namespace {

struct ConvToLinalg : OpRewritePattern<onnxir::ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvOp op,
                                PatternRewriter &rw) const override {
    auto xt = llvm::dyn_cast<RankedTensorType>(op.getX().getType());
    auto wt = llvm::dyn_cast<RankedTensorType>(op.getW().getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!xt || !wt || !rt || xt.getRank() < 3 ||
        !llvm::isa<FloatType>(xt.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    ConvParams p;
    if (failed(readConvParams(op, xt, wt, p)))
      return rw.notifyMatchFailure(
          op, "needs weights of x's rank, consistent groups and attributes, "
              "static weights and dims for SAME padding");
    Value b = op.getB();
    if (!isNone(b)) {
      auto bt = llvm::dyn_cast<RankedTensorType>(b.getType());
      if (!bt || bt.getRank() != 1)
        return rw.notifyMatchFailure(op, "needs a 1-D bias");
    }
    rw.replaceOp(op, buildConv(rw, op.getLoc(), op.getX(), op.getW(),
                               op.getB(), rt, p));
    return success();
  }
};

/// ConvTranspose (1-D, 2-D, 3-D; strides, dilations, pads or auto_pad or
/// output_shape, output_padding, groups, bias) in gather form: a generic
/// over the output whose body loops (scf.for) over the group's input
/// channels and the kernel taps, reading x[n, c, i] with
/// o = i * stride + k * dilation - pad_begin wherever that i is integral and
/// in range. The output sizes are the result type's (ONNX shape inference
/// fills them in) or computed from the attributes.
struct ConvTransposeToLinalg : OpRewritePattern<onnxir::ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::ConvTransposeOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    Value x = op->getOperand(0), w = op->getOperand(1),
          bias = op->getOperand(2);
    auto xt = llvm::dyn_cast<RankedTensorType>(x.getType());
    auto wt = llvm::dyn_cast<RankedTensorType>(w.getType());
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!xt || !wt || !rt || xt.getRank() < 3 ||
        wt.getRank() != xt.getRank() ||
        !llvm::isa<FloatType>(xt.getElementType()))
      return rw.notifyMatchFailure(op, "needs ranked float tensors");
    int64_t sp = xt.getRank() - 2;
    int64_t group = intAttr(op, "group", 1);
    SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
    SmallVector<int64_t> strides = intsAttr(op, "strides", sp, 1);
    SmallVector<int64_t> dil = intsAttr(op, "dilations", sp, 1);
    SmallVector<int64_t> outPad = intsAttr(op, "output_padding", sp, 0);
    SmallVector<int64_t> pads = intsAttr(op, "pads", 2 * sp, 0);
    SmallVector<int64_t> outShape = intsAttr(op, "output_shape", 0, 0);
    std::string autoPad = strAttr(op, "auto_pad", "NOTSET");
    // The weights' sizes may be dynamic (read at run time; the groups
    // divide the input channels, as a valid model's do).
    int64_t cIn = wt.getDimSize(0), cogOut = wt.getDimSize(1);
    if (group <= 0 || (!ShapedType::isDynamic(cIn) && cIn % group != 0))
      return rw.notifyMatchFailure(op, "bad group");
    auto wDim = [&](OpBuilder &b, Location l, int64_t d) -> Value {
      return tensor::DimOp::create(b, l, w, d);
    };
    // Spatial output sizes and the leading pads.
    SmallVector<int64_t> padBegin(sp, 0);
    SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(rw, loc, x, 0)};
    if (!ShapedType::isDynamic(cogOut))
      sizes.push_back(rw.getIndexAttr(cogOut * group));
    else
      sizes.push_back(Value(arith::MulIOp::create(
          rw, loc, wDim(rw, loc, 1), indexConst(rw, loc, group))));
    for (int64_t i = 0; i < sp; ++i) {
      int64_t in = xt.getDimSize(2 + i);
      bool fromShape = !outShape.empty() || autoPad == "SAME_UPPER" ||
                       autoPad == "SAME_LOWER";
      if (ShapedType::isDynamic(kernel[i])) {
        if (fromShape)
          return rw.notifyMatchFailure(
              op, "output_shape or SAME with dynamic weights");
        if (autoPad == "VALID")
          pads[i] = pads[sp + i] = 0;
        padBegin[i] = pads[i];
        if (!rt.isDynamicDim(2 + i)) {
          sizes.push_back(rw.getIndexAttr(rt.getDimSize(2 + i)));
          continue;
        }
        // (in - 1) * stride + output_padding + (k - 1) * dilation + 1 - pads.
        Value k = wDim(rw, loc, 2 + i);
        Value full = arith::AddIOp::create(
            rw, loc,
            arith::MulIOp::create(
                rw, loc, arith::SubIOp::create(rw, loc, k, indexConst(rw, loc, 1)),
                indexConst(rw, loc, dil[i])),
            indexConst(rw, loc, 1));
        Value d = tensor::DimOp::create(rw, loc, x, 2 + i);
        Value o = arith::AddIOp::create(
            rw, loc,
            arith::MulIOp::create(
                rw, loc, arith::SubIOp::create(rw, loc, d, indexConst(rw, loc, 1)),
                indexConst(rw, loc, strides[i])),
            arith::AddIOp::create(
                rw, loc, full,
                indexConst(rw, loc, outPad[i] - pads[i] - pads[sp + i])));
        sizes.push_back(o);
        continue;
      }
      int64_t full = (kernel[i] - 1) * dil[i] + 1;
      if (fromShape) {
        if (ShapedType::isDynamic(in))
          return rw.notifyMatchFailure(op, "output_shape with dynamic input");
        int64_t out = !outShape.empty()
                          ? outShape[outShape.size() - sp + i]
                          : in * strides[i];
        int64_t total = strides[i] * (in - 1) + outPad[i] + full - out;
        total = std::max<int64_t>(total, 0);
        padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
        sizes.push_back(rw.getIndexAttr(out));
        continue;
      }
      if (autoPad == "VALID")
        pads[i] = pads[sp + i] = 0;
      padBegin[i] = pads[i];
      int64_t extra = outPad[i] + full - pads[i] - pads[sp + i];
      if (!rt.isDynamicDim(2 + i)) {
        sizes.push_back(rw.getIndexAttr(rt.getDimSize(2 + i)));
        continue;
      }
      Value d = tensor::DimOp::create(rw, loc, x, 2 + i);
      Value o = arith::AddIOp::create(
          rw, loc,
          arith::MulIOp::create(
              rw, loc,
              arith::SubIOp::create(rw, loc, d, indexConst(rw, loc, 1)),
              indexConst(rw, loc, strides[i])),
          indexConst(rw, loc, extra));
      sizes.push_back(o);
    }
    Type elem = xt.getElementType();
    bool hasBias = !isNone(bias);
    int64_t r = rt.getRank();
    SmallVector<utils::IteratorType> iters(r, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, sizes)},
        {rw.getMultiDimIdentityMap(r)}, iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> o;
          for (int64_t i = 0; i < r; ++i)
            o.push_back(linalg::IndexOp::create(b, l, i));
          Value cogV = ShapedType::isDynamic(cogOut) ? wDim(b, l, 1)
                                                     : indexConst(b, l, cogOut);
          Value cigV =
              ShapedType::isDynamic(cIn)
                  ? Value(arith::DivUIOp::create(b, l, wDim(b, l, 0),
                                                 indexConst(b, l, group)))
                  : indexConst(b, l, cIn / group);
          Value grp = arith::DivUIOp::create(b, l, o[1], cogV);
          Value ocl = arith::RemUIOp::create(b, l, o[1], cogV);
          Value cBase = arith::MulIOp::create(b, l, grp, cigV);
          Value zero = indexConst(b, l, 0), one = indexConst(b, l, 1);
          Value init = hasBias ? Value(tensor::ExtractOp::create(
                                     b, l, bias, ValueRange{o[1]}))
                               : scalarConst(b, l, elem, 0);
          // Loops: input channel of the group, then each kernel dim.
          std::function<Value(OpBuilder &, Location, int64_t,
                              SmallVector<Value> &, Value)>
              loops = [&](OpBuilder &lb, Location ll, int64_t depth,
                          SmallVector<Value> &ivs, Value acc) -> Value {
            if (depth == 1 + sp) {
              // ivs = {c, k_1..k_s}
              Value valid;
              SmallVector<Value> xAt = {o[0], arith::AddIOp::create(
                                                   lb, ll, cBase, ivs[0])};
              SmallVector<Value> wAt = {xAt[1], ocl};
              for (int64_t i = 0; i < sp; ++i) {
                Value num = arith::SubIOp::create(
                    lb, ll,
                    arith::AddIOp::create(lb, ll, o[2 + i],
                                          indexConst(lb, ll, padBegin[i])),
                    arith::MulIOp::create(lb, ll, ivs[1 + i],
                                          indexConst(lb, ll, dil[i])));
                Value sV = indexConst(lb, ll, strides[i]);
                Value q = arith::DivSIOp::create(lb, ll, num, sV);
                Value exact = arith::CmpIOp::create(
                    lb, ll, arith::CmpIPredicate::eq,
                    arith::RemSIOp::create(lb, ll, num, sV), zero);
                Value dim = tensor::DimOp::create(lb, ll, x, 2 + i);
                Value inR = arith::AndIOp::create(
                    lb, ll,
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::sge,
                                          num, zero),
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt, q,
                                          dim));
                Value ok = arith::AndIOp::create(lb, ll, exact, inR);
                valid = valid ? Value(arith::AndIOp::create(lb, ll, valid, ok))
                              : ok;
                xAt.push_back(arith::SelectOp::create(lb, ll, ok, q, zero));
                wAt.push_back(ivs[1 + i]);
              }
              Value xv = tensor::ExtractOp::create(lb, ll, x, xAt);
              Value wv = tensor::ExtractOp::create(lb, ll, w, wAt);
              Value p = arith::MulFOp::create(lb, ll, xv, wv);
              Value sum = arith::AddFOp::create(lb, ll, acc, p);
              return arith::SelectOp::create(lb, ll, valid, sum, acc);
            }
            Value ub;
            if (depth == 0)
              ub = cigV;
            else if (ShapedType::isDynamic(kernel[depth - 1]))
              ub = wDim(lb, ll, 1 + depth);
            else
              ub = indexConst(lb, ll, kernel[depth - 1]);
            auto f = scf::ForOp::create(
                lb, ll, zero, ub, one, ValueRange{acc},
                [&](OpBuilder &fb, Location fl, Value iv, ValueRange it) {
                  ivs.push_back(iv);
                  Value res = loops(fb, fl, depth + 1, ivs, it[0]);
                  ivs.pop_back();
                  scf::YieldOp::create(fb, fl, res);
                });
            return f.getResult(0);
          };
          SmallVector<Value> ivs;
          linalg::YieldOp::create(b, l, loops(b, l, 0, ivs, init));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxConvToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvToLinalg, ConvTransposeToLinalg>(patterns.getContext());
}
