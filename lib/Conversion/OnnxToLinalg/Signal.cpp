//===- Signal.cpp - ONNX window functions and mel filters -------*- C++ -*-===//
//
// HannWindow, HammingWindow, BlackmanWindow and MelWeightMatrix: generators
// whose sizes are scalar inputs read at run time. Each is one linalg.generic
// over the result computing every element from its indices in f64 (the
// result is then rounded to the output type).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

/// `v` (float or signless integer) as f64.
Value toF64(OpBuilder &b, Location l, Value v) {
  Type f64 = b.getF64Type();
  if (v.getType() == f64)
    return v;
  if (llvm::isa<FloatType>(v.getType()))
    return arith::ExtFOp::create(b, l, f64, v);
  return arith::SIToFPOp::create(b, l, f64, v);
}

/// An f64 `v` as `elem` (float: rounded; integer: truncated toward zero).
Value fromF64(OpBuilder &b, Location l, Value v, Type elem) {
  if (elem == v.getType())
    return v;
  if (llvm::isa<FloatType>(elem))
    return arith::TruncFOp::create(b, l, elem, v);
  return arith::FPToSIOp::create(b, l, elem, v);
}

/// The single element of a rank-0 or one-element tensor.
Value scalarOf(OpBuilder &b, Location l, Value t) {
  auto tt = llvm::cast<RankedTensorType>(t.getType());
  SmallVector<Value> at(tt.getRank(), indexConst(b, l, 0));
  return tensor::ExtractOp::create(b, l, t, at);
}

bool isScalarLike(Value v) {
  auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
  return t && (t.getRank() == 0 || (t.getRank() == 1 && t.getDimSize(0) == 1));
}

bool isNumeric(Type t) {
  return llvm::isa<FloatType>(t) || t.isSignlessInteger();
}

/// The coefficients a_k of window op OpT.
template <typename OpT> SmallVector<double> windowCoefficients() {
  if constexpr (std::is_same_v<OpT, onnxir::HannWindowOp>)
    return {0.5, -0.5};
  else if constexpr (std::is_same_v<OpT, onnxir::HammingWindowOp>)
    return {25.0 / 46.0, -21.0 / 46.0};
  else
    return {0.42, -0.5, 0.08};
}

/// The generalized cosine window of size `sizeT` as `rt`: y[n] = sum_k a_k
/// cos(2 pi k n / N) with N = size (periodic) or size - 1 (symmetric).
Value cosineWindow(OpBuilder &rw, Location loc, Value sizeT,
                   RankedTensorType rt, ArrayRef<double> coeffs,
                   bool periodic) {
  Value n = scalarIndex(rw, loc, sizeT);
  n = arith::MaxSIOp::create(rw, loc, n, indexConst(rw, loc, 0));
  Value denom = arith::SIToFPOp::create(
      rw, loc, rw.getF64Type(),
      arith::IndexCastOp::create(rw, loc, rw.getI64Type(), n));
  if (!periodic)
    denom = arith::SubFOp::create(rw, loc, denom,
                                  scalarConst(rw, loc, rw.getF64Type(), 1));
  SmallVector<OpFoldResult> sizes = {
      rt.isDynamicDim(0) ? OpFoldResult(n)
                         : OpFoldResult(rw.getIndexAttr(rt.getDimSize(0)))};
  Type elem = rt.getElementType();
  auto g = linalg::GenericOp::create(
      rw, loc, TypeRange{rt}, ValueRange{},
      ValueRange{emptyTensor(rw, loc, rt, sizes)},
      {rw.getMultiDimIdentityMap(1)}, {utils::IteratorType::parallel},
      [&](OpBuilder &b, Location l, ValueRange) {
        Type f64 = b.getF64Type();
        Value i = arith::SIToFPOp::create(
            b, l, f64,
            arith::IndexCastOp::create(b, l, b.getI64Type(),
                                       linalg::IndexOp::create(b, l, 0)));
        // 2 pi n / N; a symmetric window of size 1 divides 0 by 0: 1.
        Value phase = arith::DivFOp::create(
            b, l,
            arith::MulFOp::create(b, l, i, scalarConst(b, l, f64, 2 * M_PI)),
            denom);
        Value y = scalarConst(b, l, f64, coeffs[0]);
        for (size_t k = 1; k < coeffs.size(); ++k) {
          Value arg = arith::MulFOp::create(b, l, phase,
                                            scalarConst(b, l, f64, double(k)));
          y = arith::AddFOp::create(
              b, l, y,
              arith::MulFOp::create(b, l, scalarConst(b, l, f64, coeffs[k]),
                                    math::CosOp::create(b, l, arg)));
        }
        Value isNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                            phase, phase);
        y = arith::SelectOp::create(b, l, isNan, scalarConst(b, l, f64, 1), y);
        linalg::YieldOp::create(b, l, fromF64(b, l, y, elem));
      });
  return g.getResult(0);
}

/// HannWindow, HammingWindow and BlackmanWindow (OpT) through
/// cosineWindow.
template <typename OpT> struct WindowToLinalg : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rw) const override {
    auto rt = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
    Value sizeT = op->getOperand(0);
    if (!rt || rt.getRank() != 1 || !isScalarLike(sizeT) ||
        !isNumeric(rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs a scalar size, 1-D result");
    rw.replaceOp(op, cosineWindow(rw, op.getLoc(), sizeT, rt,
                                  windowCoefficients<OpT>(),
                                  op.getPeriodic() != 0));
    return success();
  }
};

/// `i` (an index) as f64.
Value indexToF64(OpBuilder &b, Location l, Value i) {
  return arith::SIToFPOp::create(
      b, l, b.getF64Type(),
      arith::IndexCastOp::create(b, l, b.getI64Type(), i));
}

/// The mel-scale points of a MelWeightMatrix, read from its scalar
/// operands: point k is at mel loMel + k * step, mapped to a DFT bin with
/// dftPlus1 and rate.
struct MelPoints {
  Value numMel, rows; // the result's columns and rows
  Value rate, loMel, step, dftPlus1;

  /// Reads the operands of `op`.
  static MelPoints read(OpBuilder &rw, Location loc,
                        onnxir::MelWeightMatrixOp op) {
    Type f64 = rw.getF64Type();
    MelPoints p;
    p.numMel = scalarIndex(rw, loc, op->getOperand(0));
    Value dftLen = scalarIndex(rw, loc, op->getOperand(1));
    p.rate = toF64(rw, loc, scalarOf(rw, loc, op->getOperand(2)));
    Value lo = toF64(rw, loc, scalarOf(rw, loc, op->getOperand(3)));
    Value hi = toF64(rw, loc, scalarOf(rw, loc, op->getOperand(4)));
    Value zero = indexConst(rw, loc, 0);
    p.numMel = arith::MaxSIOp::create(rw, loc, p.numMel, zero);
    p.rows = arith::AddIOp::create(
        rw, loc,
        arith::DivSIOp::create(rw, loc,
                               arith::MaxSIOp::create(rw, loc, dftLen, zero),
                               indexConst(rw, loc, 2)),
        indexConst(rw, loc, 1));
    auto c = [&](double v) { return scalarConst(rw, loc, f64, v); };
    // mel(f) = 2595 log10(1 + f / 700).
    auto mel = [&](Value f) -> Value {
      Value r = arith::AddFOp::create(
          rw, loc, c(1), arith::DivFOp::create(rw, loc, f, c(700)));
      return arith::MulFOp::create(rw, loc, c(2595),
                                   math::Log10Op::create(rw, loc, r));
    };
    p.loMel = mel(lo);
    Value hiMel = mel(hi);
    p.step = arith::DivFOp::create(
        rw, loc, arith::SubFOp::create(rw, loc, hiMel, p.loMel),
        indexToF64(
            rw, loc,
            arith::AddIOp::create(rw, loc, p.numMel, indexConst(rw, loc, 2))));
    p.dftPlus1 = indexToF64(
        rw, loc,
        arith::AddIOp::create(rw, loc, dftLen, indexConst(rw, loc, 1)));
    return p;
  }

  /// The DFT bin (i64) of point k.
  Value bin(OpBuilder &b, Location l, Value k) const {
    auto c = [&](double v) { return scalarConst(b, l, b.getF64Type(), v); };
    Value m = arith::AddFOp::create(
        b, l, arith::MulFOp::create(b, l, indexToF64(b, l, k), step), loMel);
    Value hz = arith::MulFOp::create(
        b, l, c(700),
        arith::SubFOp::create(
            b, l,
            math::PowFOp::create(b, l, c(10),
                                 arith::DivFOp::create(b, l, m, c(2595))),
            c(1)));
    Value q = math::FloorOp::create(
        b, l,
        arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, dftPlus1, hz),
                              rate));
    return arith::FPToSIOp::create(b, l, b.getI64Type(), q);
  }

  /// The weight (f64) of bin j (i64) in column i (an index).
  Value weight(OpBuilder &b, Location l, Value j, Value i) const {
    Type f64 = b.getF64Type();
    auto c = [&](double v) { return scalarConst(b, l, f64, v); };
    auto point = [&](int64_t off) {
      return bin(b, l, arith::AddIOp::create(b, l, i, indexConst(b, l, off)));
    };
    Value lower = point(0), center = point(1), upper = point(2);
    using P = arith::CmpIPredicate;
    auto cmp = [&](P p, Value x, Value y) -> Value {
      return arith::CmpIOp::create(b, l, p, x, y);
    };
    auto ratio = [&](Value num, Value den) -> Value {
      // A zero `den` (an f64 division: no trap) is selected away.
      Value dn = arith::SIToFPOp::create(b, l, f64, den);
      return arith::DivFOp::create(b, l,
                                   arith::SIToFPOp::create(b, l, f64, num), dn);
    };
    Value zeroI = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
    Value lowToCenter = arith::SubIOp::create(b, l, center, lower);
    Value centerToHigh = arith::SubIOp::create(b, l, upper, center);
    // Rising edge.
    Value onPeak = cmp(P::eq, j, center);
    Value inRise = arith::AndIOp::create(b, l, cmp(P::sge, j, lower),
                                         cmp(P::sle, j, center));
    Value rise = ratio(arith::SubIOp::create(b, l, j, lower), lowToCenter);
    Value flat = cmp(P::eq, lowToCenter, zeroI);
    Value v = arith::SelectOp::create(
        b, l, flat, arith::SelectOp::create(b, l, onPeak, c(1), c(0)),
        arith::SelectOp::create(b, l, inRise, rise, c(0)));
    // Falling edge.
    Value inFall = arith::AndIOp::create(
        b, l, cmp(P::sgt, centerToHigh, zeroI),
        arith::AndIOp::create(b, l, cmp(P::sge, j, center),
                              cmp(P::slt, j, upper)));
    Value fall = ratio(arith::SubIOp::create(b, l, upper, j), centerToHigh);
    return arith::SelectOp::create(b, l, inFall, fall, v);
  }
};

/// MelWeightMatrix (num_spectrogram_bins = dft_length / 2 + 1 rows,
/// num_mel_bins columns): column i is the triangle rising from bin f[i] to
/// f[i+1] and falling to f[i+2], with f[k] the k-th of num_mel_bins + 2
/// points spaced evenly on the mel scale from lower to upper edge (step
/// (mel(upper) - mel(lower)) / (num_mel_bins + 2), as the ONNX reference),
/// mapped back to hertz and to a DFT bin floor((dft_length + 1) * hz /
/// sample_rate). Where the rising edge is empty the peak bin is 1; the
/// falling edge overwrites the rising one.
struct MelWeightMatrixToLinalg : OpRewritePattern<onnxir::MelWeightMatrixOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(onnxir::MelWeightMatrixOp op,
                                PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    auto rt = llvm::dyn_cast<RankedTensorType>(op.getType());
    if (!rt || rt.getRank() != 2 || !isNumeric(rt.getElementType()))
      return rw.notifyMatchFailure(op, "needs a 2-D numeric result");
    for (Value v : op->getOperands())
      if (!isScalarLike(v) ||
          !isNumeric(
              llvm::cast<RankedTensorType>(v.getType()).getElementType()))
        return rw.notifyMatchFailure(op, "needs scalar inputs");
    MelPoints p = MelPoints::read(rw, loc, op);
    SmallVector<OpFoldResult> sizes = {
        rt.isDynamicDim(0) ? OpFoldResult(p.rows)
                           : OpFoldResult(rw.getIndexAttr(rt.getDimSize(0))),
        rt.isDynamicDim(1) ? OpFoldResult(p.numMel)
                           : OpFoldResult(rw.getIndexAttr(rt.getDimSize(1)))};
    Type elem = rt.getElementType();
    auto g = linalg::GenericOp::create(
        rw, loc, TypeRange{rt}, ValueRange{},
        ValueRange{emptyTensor(rw, loc, rt, sizes)},
        {rw.getMultiDimIdentityMap(2)},
        {utils::IteratorType::parallel, utils::IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange) {
          Value j = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 0));
          Value i = linalg::IndexOp::create(b, l, 1);
          linalg::YieldOp::create(b, l,
                                  fromF64(b, l, p.weight(b, l, j, i), elem));
        });
    rw.replaceOp(op, g.getResult(0));
    return success();
  }
};

} // namespace

void seqc::populateOnnxSignalToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<WindowToLinalg<onnxir::HannWindowOp>,
           WindowToLinalg<onnxir::HammingWindowOp>,
           WindowToLinalg<onnxir::BlackmanWindowOp>, MelWeightMatrixToLinalg>(
          patterns.getContext());
}
