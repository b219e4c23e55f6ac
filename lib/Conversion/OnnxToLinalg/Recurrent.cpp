//===- Recurrent.cpp - ONNX RNN, GRU and LSTM to linalg and scf -*- C++ -*-===//
//
// The recurrent ONNX ops as one scf.for over the time steps per direction.
// The input projection X·Wᵀ + biases of every step is one matmul before the
// loop; each step multiplies the previous hidden state by Rᵀ and applies the
// gates in one linalg.generic (two matmuls and two generics for GRU's
// default linear_before_reset = 0, whose reset gate scales the state before
// the product). `sequence_lens` masks the steps past an entry's length
// (states kept, Y zero); the reverse direction then reads its projected
// input and writes its output through a per-entry time reversal.
// Layout 1 (batch first) is transposed to layout 0 at the boundary.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "seqc/Conversion/Passes.h"
#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::onnx_to_linalg;

namespace {

enum class Kind { RNN, GRU, LSTM };

/// One activation function of the `activations` attribute, with its alpha
/// and beta (the spec's defaults where the attributes give none).
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

bool usesAlpha(StringRef n) {
  return llvm::is_contained({"affine", "leakyrelu", "thresholdedrelu",
                             "scaledtanh", "hardsigmoid", "elu"},
                            n.lower());
}
bool usesBeta(StringRef n) {
  return llvm::is_contained({"affine", "scaledtanh", "hardsigmoid"}, n.lower());
}

float defaultAlpha(StringRef n) {
  std::string s = n.lower();
  if (s == "leakyrelu")
    return 0.01f;
  if (s == "hardsigmoid")
    return 0.2f;
  return 1.0f;
}
float defaultBeta(StringRef n) {
  return n.lower() == "hardsigmoid" ? 0.5f : 0.0f;
}

/// f(x) of an activation; null for an unknown name.
Value applyActivation(OpBuilder &b, Location l, const Activation &a, Value x) {
  Type t = x.getType();
  auto c = [&](double v) { return scalarConst(b, l, t, v); };
  auto mul = [&](Value p, Value q) -> Value {
    return arith::MulFOp::create(b, l, p, q);
  };
  auto add = [&](Value p, Value q) -> Value {
    return arith::AddFOp::create(b, l, p, q);
  };
  auto lt0 = [&]() -> Value {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, c(0));
  };
  std::string n = StringRef(a.name).lower();
  if (n == "tanh")
    return math::TanhOp::create(b, l, x);
  if (n == "sigmoid") {
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
    return arith::DivFOp::create(b, l, c(1), add(c(1), e));
  }
  if (n == "relu")
    return arith::MaximumFOp::create(b, l, x, c(0));
  if (n == "affine")
    return add(mul(c(a.alpha), x), c(a.beta));
  if (n == "leakyrelu")
    return arith::SelectOp::create(b, l, lt0(), mul(c(a.alpha), x), x);
  if (n == "thresholdedrelu") {
    Value gt =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, c(a.alpha));
    return arith::SelectOp::create(b, l, gt, x, c(0));
  }
  if (n == "scaledtanh")
    return mul(c(a.alpha), math::TanhOp::create(b, l, mul(c(a.beta), x)));
  if (n == "hardsigmoid") {
    Value y = add(mul(c(a.alpha), x), c(a.beta));
    return arith::MaximumFOp::create(b, l, c(0),
                                     arith::MinimumFOp::create(b, l, c(1), y));
  }
  if (n == "elu") {
    Value em1 = arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x), c(1));
    return arith::SelectOp::create(b, l, lt0(), mul(c(a.alpha), em1), x);
  }
  if (n == "softsign")
    return arith::DivFOp::create(b, l, x,
                                 add(c(1), math::AbsFOp::create(b, l, x)));
  if (n == "softplus")
    return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x));
  return nullptr;
}

bool knownActivation(StringRef n) {
  return llvm::is_contained({"tanh", "sigmoid", "relu", "affine", "leakyrelu",
                             "thresholdedrelu", "scaledtanh", "hardsigmoid",
                             "elu", "softsign", "softplus"},
                            n.lower());
}

/// The attributes RNN, GRU and LSTM share, as their accessors give them,
/// and GRU's linear_before_reset and LSTM's input_forget (false for the
/// others).
struct RecurrentAttrs {
  StringRef direction;
  std::optional<int64_t> hiddenSize;
  bool batchFirst = false;
  FloatAttr clip;
  ArrayAttr activations, alphas, betas;
  bool linearBeforeReset = false, inputForget = false;
};

template <typename OpTy> RecurrentAttrs recurrentAttrs(OpTy op) {
  RecurrentAttrs a;
  a.direction = op.getDirection();
  if (std::optional<uint64_t> h = op.getHiddenSize())
    a.hiddenSize = static_cast<int64_t>(*h);
  a.batchFirst = op.getLayout() != 0;
  a.clip = op.getClipAttr();
  a.activations = op.getActivationsAttr();
  a.alphas = op.getActivationAlphaAttr();
  a.betas = op.getActivationBetaAttr();
  if constexpr (std::is_same_v<OpTy, onnxir::GRUOp>)
    a.linearBeforeReset = op.getLinearBeforeReset() != 0;
  if constexpr (std::is_same_v<OpTy, onnxir::LSTMOp>)
    a.inputForget = op.getInputForget() != 0;
  return a;
}

/// The activations of every direction, `perDir` each: the attribute's, or
/// the op's defaults. Alpha and beta values are consumed in order by the
/// activations that take them. Fails (with a diagnostic) on a name seqc does
/// not know or a list of the wrong length.
FailureOr<SmallVector<Activation>> readActivations(Operation *op,
                                                   const RecurrentAttrs &attrs,
                                                   Kind kind, int64_t numDirs) {
  SmallVector<StringRef> defaults;
  if (kind == Kind::RNN)
    defaults = {"Tanh"};
  else if (kind == Kind::GRU)
    defaults = {"Sigmoid", "Tanh"};
  else
    defaults = {"Sigmoid", "Tanh", "Tanh"};
  size_t perDir = defaults.size();
  SmallVector<std::string> names;
  if (ArrayAttr arr = attrs.activations) {
    for (Attribute a : arr)
      names.push_back(llvm::cast<StringAttr>(a).str());
    // One direction's list given for both: repeated. Exporters also write
    // longer lists than a one-way op reads (ONNX's own RNN tests); the
    // leading ones apply, as in onnxruntime.
    if (names.size() == perDir && numDirs == 2)
      names.append(SmallVector<std::string>(names));
    if (names.size() > perDir * numDirs)
      names.resize(perDir * numDirs);
  } else {
    for (int64_t d = 0; d < numDirs; ++d)
      for (StringRef s : defaults)
        names.push_back(s.str());
  }
  if (names.size() != perDir * numDirs) {
    op->emitError() << "'" << op->getName() << "' expects " << perDir * numDirs
                    << " activations, got " << names.size();
    return failure();
  }
  SmallVector<float> alphas, betas;
  if (ArrayAttr arr = attrs.alphas)
    for (Attribute a : arr)
      alphas.push_back(llvm::cast<FloatAttr>(a).getValueAsDouble());
  if (ArrayAttr arr = attrs.betas)
    for (Attribute a : arr)
      betas.push_back(llvm::cast<FloatAttr>(a).getValueAsDouble());
  size_t ai = 0, bi = 0;
  SmallVector<Activation> acts;
  for (const std::string &n : names) {
    if (!knownActivation(n)) {
      op->emitError() << "'" << op->getName() << "' activation '" << n
                      << "' is not supported";
      return failure();
    }
    Activation a{n, defaultAlpha(n), defaultBeta(n)};
    if (usesAlpha(n) && ai < alphas.size())
      a.alpha = alphas[ai++];
    if (usesBeta(n) && bi < betas.size())
      a.beta = betas[bi++];
    acts.push_back(a);
  }
  return acts;
}

Value transposeTensor(OpBuilder &b, Location l, Value v,
                      ArrayRef<int64_t> perm) {
  auto t = llvm::cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  for (int64_t p : perm) {
    shape.push_back(t.getDimSize(p));
    sizes.push_back(tensor::getMixedSize(b, l, v, p));
  }
  Value init = tensor::EmptyOp::create(b, l, sizes, t.getElementType());
  return linalg::TransposeOp::create(b, l, v, init, perm).getResult()[0];
}

/// The rank-reduced slice src[at..., :, ...]: `fixed` maps a dim to the
/// index it is sliced at (size 1, dropped); `ranges` to an (offset, size)
/// kept; other dims are kept whole.
Value sliceOf(OpBuilder &b, Location l, Value src,
              ArrayRef<std::pair<int64_t, OpFoldResult>> fixed,
              ArrayRef<std::tuple<int64_t, int64_t, int64_t>> ranges = {}) {
  auto t = llvm::cast<RankedTensorType>(src.getType());
  SmallVector<OpFoldResult> offs, sizes, strides;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    strides.push_back(b.getIndexAttr(1));
    auto f = llvm::find_if(fixed, [&](auto &p) { return p.first == i; });
    if (f != fixed.end()) {
      offs.push_back(f->second);
      sizes.push_back(b.getIndexAttr(1));
      continue;
    }
    auto r =
        llvm::find_if(ranges, [&](auto &p) { return std::get<0>(p) == i; });
    if (r != ranges.end()) {
      offs.push_back(b.getIndexAttr(std::get<1>(*r)));
      sizes.push_back(b.getIndexAttr(std::get<2>(*r)));
      shape.push_back(std::get<2>(*r));
      continue;
    }
    offs.push_back(b.getIndexAttr(0));
    sizes.push_back(tensor::getMixedSize(b, l, src, i));
    shape.push_back(t.getDimSize(i));
  }
  auto rt = RankedTensorType::get(shape, t.getElementType());
  return tensor::ExtractSliceOp::create(b, l, rt, src, offs, sizes, strides);
}

/// `slice` written into dest[..., at, ...] along `dim` (size 1 there).
Value insertAt(OpBuilder &b, Location l, Value slice, Value dest, int64_t dim,
               OpFoldResult at) {
  auto t = llvm::cast<RankedTensorType>(dest.getType());
  SmallVector<OpFoldResult> offs, sizes, strides;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    strides.push_back(b.getIndexAttr(1));
    offs.push_back(i == dim ? at : b.getIndexAttr(0));
    sizes.push_back(i == dim ? b.getIndexAttr(1)
                             : tensor::getMixedSize(b, l, dest, i));
  }
  return tensor::InsertSliceOp::create(b, l, slice, dest, offs, sizes, strides);
}

/// A tensor of `type` to write into, never merged with another by CSE (as
/// identical tensor.empty ops are): the loop's states and the buffers the
/// loop body writes stay distinct, so the states bufferize in place.
Value freshTensor(OpBuilder &b, Location l, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, l, sizes[i]));
  return bufferization::AllocTensorOp::create(b, l, type, dynamic);
}

/// a (M x K) times b (K x N).
Value matmul(OpBuilder &b, Location l, Value x, Value y) {
  auto xt = llvm::cast<RankedTensorType>(x.getType());
  auto yt = llvm::cast<RankedTensorType>(y.getType());
  auto rt = RankedTensorType::get({xt.getDimSize(0), yt.getDimSize(1)},
                                  xt.getElementType());
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, l, x, 0),
                                     tensor::getMixedSize(b, l, y, 1)};
  Value init = freshTensor(b, l, rt, sizes);
  init = linalg::FillOp::create(b, l, scalarConst(b, l, rt.getElementType(), 0),
                                init)
             .getResult(0);
  return linalg::MatmulOp::create(b, l, TypeRange{rt}, ValueRange{x, y},
                                  ValueRange{init})
      .getResult(0);
}

/// Inputs and maps of a linalg.generic over (batch, hidden).
struct GenericInputs {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  unsigned add(Value v, AffineMap m) {
    values.push_back(v);
    maps.push_back(m);
    return values.size() - 1;
  }
};

/// A sequence length clamped to [0, T], as an index.
Value clampedLength(OpBuilder &b, Location l, Value len, Value steps) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), len);
  i = arith::MaxSIOp::create(b, l, i, indexConst(b, l, 0));
  return arith::MinSIOp::create(b, l, i, steps);
}

/// out[s, b, :] = in[len_b - 1 - s, b, :] for s < len_b; past the length,
/// zero (`zeroPast`) or in[s, b, :]. `in` is (T, B, N), or (T*B, N) with
/// row s*B + b (`batch` is B).
Value reverseWithin(OpBuilder &b, Location l, Value in, Value lens, Value steps,
                    Value batch, bool zeroPast) {
  auto t = llvm::cast<RankedTensorType>(in.getType());
  int64_t rank = t.getRank();
  Value init = emptyTensor(b, l, t, tensor::getMixedSizes(b, l, in));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, l, TypeRange{t}, ValueRange{}, ValueRange{init},
             {b.getMultiDimIdentityMap(rank)}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               Value s, bi, j = linalg::IndexOp::create(nb, nl, rank - 1);
               if (rank == 3) {
                 s = linalg::IndexOp::create(nb, nl, 0);
                 bi = linalg::IndexOp::create(nb, nl, 1);
               } else {
                 Value row = linalg::IndexOp::create(nb, nl, 0);
                 s = arith::DivUIOp::create(nb, nl, row, batch);
                 bi = arith::RemUIOp::create(nb, nl, row, batch);
               }
               Value len = clampedLength(
                   nb, nl, tensor::ExtractOp::create(nb, nl, lens, bi), steps);
               Value valid = arith::CmpIOp::create(
                   nb, nl, arith::CmpIPredicate::slt, s, len);
               Value rev = arith::SubIOp::create(
                   nb, nl,
                   arith::SubIOp::create(nb, nl, len, indexConst(nb, nl, 1)),
                   s);
               Value at = arith::SelectOp::create(nb, nl, valid, rev, s);
               SmallVector<Value> idx = {at, bi, j};
               if (rank == 2)
                 idx = {
                     arith::AddIOp::create(
                         nb, nl, arith::MulIOp::create(nb, nl, at, batch), bi),
                     j};
               Value v = tensor::ExtractOp::create(nb, nl, in, idx);
               if (zeroPast)
                 v = arith::SelectOp::create(
                     nb, nl, valid, v,
                     scalarConst(nb, nl, t.getElementType(), 0));
               linalg::YieldOp::create(nb, nl, v);
             })
      .getResult(0);
}

/// What the match read and decided: the operands (c0 and peep null but
/// for LSTM), the shapes W and R are cast to, and the attributes.
struct RecurrentPlan {
  Kind kind;
  Value x, w, r, bias, lens, h0, c0, peep;
  RankedTensorType xt;
  int64_t gates, numDirs, hidden, perDir;
  std::string direction;
  SmallVector<int64_t> wShape, rShape;
  SmallVector<Activation> acts;
  bool batchFirst = false, linearBeforeReset = false, inputForget = false;
  std::optional<float> clip;
};

/// Whether `t` fits `shape` (dynamic dims on either side fit anything).
bool fits(RankedTensorType t, ArrayRef<int64_t> shape) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (!t.isDynamicDim(i) && !ShapedType::isDynamic(shape[i]) &&
        t.getDimSize(i) != shape[i])
      return false;
  return true;
}

/// Checks the op's types and attributes and plans it.
LogicalResult matchRecurrent(Operation *op, PatternRewriter &rw, Kind kind,
                             const RecurrentAttrs &attrs, RecurrentPlan &p) {
  p.kind = kind;
  p.x = op->getOperand(0);
  p.w = op->getOperand(1);
  p.r = op->getOperand(2);
  p.bias = op->getOperand(3);
  p.lens = op->getOperand(4);
  p.h0 = op->getOperand(5);
  p.c0 = kind == Kind::LSTM ? op->getOperand(6) : Value();
  p.peep = kind == Kind::LSTM ? op->getOperand(7) : Value();
  auto xt = llvm::dyn_cast<RankedTensorType>(p.x.getType());
  auto wt = llvm::dyn_cast<RankedTensorType>(p.w.getType());
  auto rtt = llvm::dyn_cast<RankedTensorType>(p.r.getType());
  if (!xt || !wt || !rtt || xt.getRank() != 3 || wt.getRank() != 3 ||
      rtt.getRank() != 3 || !llvm::isa<FloatType>(xt.getElementType()))
    return rw.notifyMatchFailure(op, "needs float X, W, R of rank 3");
  p.xt = xt;
  p.gates = kind == Kind::RNN ? 1 : kind == Kind::GRU ? 3 : 4;
  p.direction = attrs.direction.str();
  p.numDirs = p.direction == "bidirectional" ? 2 : 1;
  // The hidden size: the attribute's, else R's; W and R may have dynamic
  // dims otherwise (they are cast to the sizes these imply).
  p.hidden = attrs.hiddenSize.value_or(rtt.getDimSize(2));
  if (ShapedType::isDynamic(p.hidden) || p.hidden <= 0)
    return rw.notifyMatchFailure(op, "needs hidden_size or a static R");
  p.wShape = {p.numDirs, p.gates * p.hidden, xt.getDimSize(2)};
  p.rShape = {p.numDirs, p.gates * p.hidden, p.hidden};
  if (!fits(wt, p.wShape) || !fits(rtt, p.rShape))
    return rw.notifyMatchFailure(op, "W and R do not match hidden_size and "
                                     "direction");
  if (p.direction != "forward" && p.direction != "reverse" &&
      p.direction != "bidirectional")
    return rw.notifyMatchFailure(op, "unknown direction");
  for (Value res : op->getResults())
    if (!res.use_empty() && !llvm::isa<RankedTensorType>(res.getType()))
      return rw.notifyMatchFailure(op, "output used but not a ranked tensor");
  FailureOr<SmallVector<Activation>> acts =
      readActivations(op, attrs, kind, p.numDirs);
  if (failed(acts))
    return failure();
  p.acts = std::move(*acts);
  p.perDir = p.acts.size() / p.numDirs;
  p.batchFirst = attrs.batchFirst;
  if (p.wShape[2] == ShapedType::kDynamic)
    p.wShape[2] = wt.getDimSize(2);
  if (attrs.clip)
    p.clip = attrs.clip.getValueAsDouble();
  p.linearBeforeReset = kind == Kind::GRU && attrs.linearBeforeReset;
  p.inputForget = kind == Kind::LSTM && attrs.inputForget;
  return success();
}

/// The values every direction shares: the time-major operands, the sizes
/// and the zero state.
struct RecurrentSetup {
  Value x, w, r, h0, c0;
  OpFoldResult steps, batch;
  Value stepsV;
  int64_t T, B, H, GH;
  Type elem;
  RankedTensorType stateType, seqType;
  Value zeroState;
  bool masked;
};

/// W and R cast to the planned shapes; X (T, B, I) and the initial states
/// (D, B, H) time-major (layout 1 transposed).
RecurrentSetup setUpRecurrent(PatternRewriter &rw, Location loc,
                              const RecurrentPlan &p) {
  RecurrentSetup s;
  auto wt = llvm::cast<RankedTensorType>(p.w.getType());
  auto rtt = llvm::cast<RankedTensorType>(p.r.getType());
  s.w = castIfNeeded(rw, loc, p.w,
                     RankedTensorType::get(p.wShape, wt.getElementType()));
  s.r = castIfNeeded(rw, loc, p.r,
                     RankedTensorType::get(p.rShape, rtt.getElementType()));
  s.elem = p.xt.getElementType();
  s.x = p.x;
  RankedTensorType xt = p.xt;
  if (p.batchFirst) {
    s.x = transposeTensor(rw, loc, s.x, {1, 0, 2});
    xt = llvm::cast<RankedTensorType>(s.x.getType());
  }
  auto toTimeMajorState = [&](Value st) -> Value {
    if (isNone(st))
      return Value();
    return p.batchFirst ? transposeTensor(rw, loc, st, {1, 0, 2}) : st;
  };
  s.h0 = toTimeMajorState(p.h0);
  s.c0 = p.c0;
  if (s.c0)
    s.c0 = toTimeMajorState(s.c0);
  s.masked = !isNone(p.lens);
  s.steps = tensor::getMixedSize(rw, loc, s.x, 0);
  s.batch = tensor::getMixedSize(rw, loc, s.x, 1);
  s.stepsV = getValueOrCreateConstantIndexOp(rw, loc, s.steps);
  s.T = xt.getDimSize(0);
  s.B = xt.getDimSize(1);
  s.H = p.hidden;
  s.GH = p.gates * p.hidden;
  s.stateType = RankedTensorType::get({s.B, s.H}, s.elem);
  s.seqType = RankedTensorType::get({s.T, s.B, s.H}, s.elem);
  s.zeroState =
      linalg::FillOp::create(
          rw, loc, scalarConst(rw, loc, s.elem, 0),
          freshTensor(rw, loc, s.stateType, {s.batch, rw.getIndexAttr(s.H)}))
          .getResult(0);
  return s;
}

/// X·Wᵀ of every step of direction `dAt` plus Wb + Rb (GRU's Rb_h stays
/// inside the reset gate when linear_before_reset, and is returned in
/// `rbH`), kept as (T*B, GH), step t in rows t*B .. t*B+B-1 (expanding two
/// dynamic dims back is avoided: upstream's strided-metadata expansion
/// cannot take it). `batchV` is set to B as an index value.
Value projectInput(PatternRewriter &rw, Location loc, const RecurrentPlan &p,
                   const RecurrentSetup &s, OpFoldResult dAt, Value wT,
                   Value &rbH, Value &batchV) {
  MLIRContext *ctx = rw.getContext();
  int64_t GH = s.GH, H = s.H;
  Value flat = tensor::CollapseShapeOp::create(
      rw, loc, s.x, SmallVector<ReassociationIndices>{{0, 1}, {2}});
  Value proj = matmul(rw, loc, flat, wT);
  auto projType = llvm::cast<RankedTensorType>(proj.getType());
  batchV = getValueOrCreateConstantIndexOp(rw, loc, s.batch);
  if (isNone(p.bias))
    return proj;
  Value bd = sliceOf(rw, loc, p.bias, {{0, dAt}});
  Value wb = sliceOf(rw, loc, bd, {}, {{0, 0, GH}});
  Value rb = sliceOf(rw, loc, bd, {}, {{0, GH, GH}});
  bool linearBeforeReset = p.linearBeforeReset;
  if (linearBeforeReset)
    rbH = sliceOf(rw, loc, bd, {}, {{0, GH + 2 * H, H}});
  AffineMap vecMap = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
  AffineMap id2 = rw.getMultiDimIdentityMap(2);
  SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             rw, loc, TypeRange{projType}, ValueRange{proj, wb, rb},
             ValueRange{emptyTensor(rw, loc, projType,
                                    tensor::getMixedSizes(rw, loc, proj))},
             {id2, vecMap, vecMap, id2}, iters,
             [&](OpBuilder &b, Location l, ValueRange a) {
               Value v = arith::AddFOp::create(b, l, a[0], a[1]);
               Value withR = arith::AddFOp::create(b, l, v, a[2]);
               if (linearBeforeReset) {
                 Value j = linalg::IndexOp::create(b, l, 1);
                 Value isH =
                     arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, j,
                                           indexConst(b, l, 2 * H));
                 withR = arith::SelectOp::create(b, l, isH, v, withR);
               }
               linalg::YieldOp::create(b, l, withR);
             })
      .getResult(0);
}

/// One time step's context: the loop's step index, the previous states
/// and the direction's weights, with the helpers the gate generics share.
class StepBuilder {
public:
  StepBuilder(OpBuilder &b, Location l, const RecurrentPlan &p,
              const RecurrentSetup &s, ArrayRef<Activation> act, Value step,
              Value hPrev, Value cPrev)
      : b(b), l(l), p(p), s(s), act(act), step(step), hPrev(hPrev),
        cPrev(cPrev), elem(s.elem), H(s.H), masked(s.masked) {
    MLIRContext *ctx = b.getContext();
    AffineExpr bd = getAffineDimExpr(0, ctx), hd = getAffineDimExpr(1, ctx);
    id = AffineMap::get(2, 0, {bd, hd}, ctx);
    rowMap = AffineMap::get(2, 0, {hd}, ctx);
    batchMap = AffineMap::get(2, 0, {bd}, ctx);
    // The last generic's outputs: {h, [y], [c]}; y only with lengths (else
    // y = h).
    lastOuts = 1 + (masked ? 1 : 0) + (cPrev ? 1 : 0);
  }

  /// One time step: {new h, the value written to Y, [new c]}.
  SmallVector<Value> build(Value xw, Value rT, Value rbH, Value peep) {
    if (p.kind == Kind::RNN)
      return rnn(xw, rT);
    if (p.kind == Kind::GRU)
      return p.linearBeforeReset ? gruLinear(xw, rT, rbH) : gru(xw, rT);
    return lstm(xw, rT, peep);
  }

private:
  using Body =
      function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

  /// Gate g of a (B, G*H) tensor, or of a (G*H) vector.
  Value gateOf(Value v, int64_t g) {
    auto t = llvm::cast<RankedTensorType>(v.getType());
    return sliceOf(b, l, v, {}, {{t.getRank() - 1, g * H, H}});
  }

  Value clipped(OpBuilder &nb, Location nl, Value v) const {
    if (!p.clip)
      return v;
    Value hi = scalarConst(nb, nl, elem, *p.clip);
    Value lo = scalarConst(nb, nl, elem, -*p.clip);
    return arith::MaximumFOp::create(nb, nl, lo,
                                     arith::MinimumFOp::create(nb, nl, hi, v));
  }

  static Value addF(OpBuilder &nb, Location nl, Value x, Value y) {
    return arith::AddFOp::create(nb, nl, x, y);
  }
  static Value mulF(OpBuilder &nb, Location nl, Value x, Value y) {
    return arith::MulFOp::create(nb, nl, x, y);
  }

  /// Activation `a` of the clipped pre-activation.
  Value gate(OpBuilder &nb, Location nl, const Activation &a, Value pre) const {
    return applyActivation(nb, nl, a, clipped(nb, nl, pre));
  }

  /// (1 - z) * hh + z * hp: GRU's new state.
  Value blend(OpBuilder &nb, Location nl, Value z, Value hh, Value hp) const {
    Value omz = arith::SubFOp::create(nb, nl, scalarConst(nb, nl, elem, 1), z);
    return addF(nb, nl, mulF(nb, nl, omz, hh), mulF(nb, nl, z, hp));
  }

  /// A generic over (batch, hidden) writing `numOuts` state-shaped
  /// tensors; `body` sees the inputs, then the outputs, and returns the
  /// new outputs.
  SmallVector<Value> run(GenericInputs &in, unsigned numOuts, Body body) {
    SmallVector<Value> outs;
    for (unsigned i = 0; i < numOuts; ++i)
      outs.push_back(
          freshTensor(b, l, s.stateType, {s.batch, b.getIndexAttr(H)}));
    SmallVector<AffineMap> maps(in.maps);
    SmallVector<Type> types(outs.size(), s.stateType);
    maps.append(outs.size(), id);
    SmallVector<utils::IteratorType> iters(2, utils::IteratorType::parallel);
    auto g = linalg::GenericOp::create(
        b, l, types, in.values, outs, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          linalg::YieldOp::create(nb, nl, body(nb, nl, a));
        });
    return SmallVector<Value>(g.getResults());
  }

  /// The last generic's outputs {h, [y], [c]}: past an entry's length the
  /// states are kept and Y gets zero.
  SmallVector<Value> finish(OpBuilder &nb, Location nl, ValueRange a,
                            unsigned lenI, unsigned hPrevI, Value h, Value c,
                            unsigned cPrevI) const {
    SmallVector<Value> out;
    if (!masked) {
      out = {h};
    } else {
      Value len = clampedLength(nb, nl, a[lenI], s.stepsV);
      Value valid =
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, step, len);
      out = {arith::SelectOp::create(nb, nl, valid, h, a[hPrevI]),
             arith::SelectOp::create(nb, nl, valid, h,
                                     scalarConst(nb, nl, elem, 0))};
      if (c)
        c = arith::SelectOp::create(nb, nl, valid, c, a[cPrevI]);
    }
    if (c)
      out.push_back(c);
    return out;
  }

  /// {h, y, [c]} from the last generic's outputs (y = h without lengths).
  SmallVector<Value> results(SmallVector<Value> r) const {
    if (!masked)
      r.insert(r.begin() + 1, r[0]);
    return r;
  }

  /// The index of the lengths among `in`'s inputs (0 when unmasked).
  unsigned addLens(GenericInputs &in) {
    return masked ? in.add(p.lens, batchMap) : 0;
  }

  SmallVector<Value> rnn(Value xw, Value rT) {
    Value hr = matmul(b, l, hPrev, rT);
    GenericInputs in;
    unsigned hi = in.add(hPrev, id);
    unsigned xi = in.add(xw, id), ri = in.add(hr, id);
    unsigned li = addLens(in);
    return results(
        run(in, lastOuts, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value h = gate(nb, nl, act[0], addF(nb, nl, a[xi], a[ri]));
          return finish(nb, nl, a, li, hi, h, Value(), 0);
        }));
  }

  /// GRU (gates z, r, h) with linear_before_reset: one product with R.
  SmallVector<Value> gruLinear(Value xw, Value rT, Value rbH) {
    Value hr = matmul(b, l, hPrev, rT);
    GenericInputs in;
    unsigned hi = in.add(hPrev, id);
    unsigned xz = in.add(gateOf(xw, 0), id), xr = in.add(gateOf(xw, 1), id),
             xh = in.add(gateOf(xw, 2), id);
    unsigned rz = in.add(gateOf(hr, 0), id), rr = in.add(gateOf(hr, 1), id),
             rh = in.add(gateOf(hr, 2), id);
    unsigned rbi = rbH ? in.add(rbH, rowMap) : 0;
    unsigned li = addLens(in);
    return results(
        run(in, lastOuts, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value z = gate(nb, nl, act[0], addF(nb, nl, a[xz], a[rz]));
          Value rg = gate(nb, nl, act[0], addF(nb, nl, a[xr], a[rr]));
          Value lin = rbH ? addF(nb, nl, a[rh], a[rbi]) : a[rh];
          Value hh =
              gate(nb, nl, act[1], addF(nb, nl, a[xh], mulF(nb, nl, rg, lin)));
          Value h = blend(nb, nl, z, hh, a[hi]);
          return finish(nb, nl, a, li, hi, h, Value(), 0);
        }));
  }

  /// GRU with linear_before_reset = 0: (r ⊙ h_prev)·R_hᵀ, so z and r
  /// first, then the product with R_h, then the new state.
  SmallVector<Value> gru(Value xw, Value rT) {
    Value hr = matmul(b, l, hPrev, sliceOf(b, l, rT, {}, {{1, 0, 2 * H}}));
    GenericInputs in1;
    unsigned hi1 = in1.add(hPrev, id);
    unsigned xz = in1.add(gateOf(xw, 0), id), xr = in1.add(gateOf(xw, 1), id);
    unsigned rz = in1.add(gateOf(hr, 0), id), rr = in1.add(gateOf(hr, 1), id);
    SmallVector<Value> zr =
        run(in1, 2, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value z = gate(nb, nl, act[0], addF(nb, nl, a[xz], a[rz]));
          Value rg = gate(nb, nl, act[0], addF(nb, nl, a[xr], a[rr]));
          return SmallVector<Value>{z, mulF(nb, nl, rg, a[hi1])};
        });
    Value rh = matmul(b, l, zr[1], sliceOf(b, l, rT, {}, {{1, 2 * H, H}}));
    GenericInputs in2;
    unsigned hi = in2.add(hPrev, id), rhi = in2.add(rh, id),
             zi = in2.add(zr[0], id), xh = in2.add(gateOf(xw, 2), id);
    unsigned li = addLens(in2);
    return results(
        run(in2, lastOuts, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value hh = gate(nb, nl, act[1], addF(nb, nl, a[xh], a[rhi]));
          Value h = blend(nb, nl, a[zi], hh, a[hi]);
          return finish(nb, nl, a, li, hi, h, Value(), 0);
        }));
  }

  /// LSTM, gates i, o, f, c; peepholes P = (p_i, p_o, p_f).
  SmallVector<Value> lstm(Value xw, Value rT, Value peep) {
    Value hr = matmul(b, l, hPrev, rT);
    GenericInputs in;
    unsigned hi = in.add(hPrev, id), ci = in.add(cPrev, id);
    unsigned xi = in.add(gateOf(xw, 0), id), xo = in.add(gateOf(xw, 1), id),
             xf = in.add(gateOf(xw, 2), id), xc = in.add(gateOf(xw, 3), id);
    unsigned ri = in.add(gateOf(hr, 0), id), ro = in.add(gateOf(hr, 1), id),
             rf = in.add(gateOf(hr, 2), id), rc = in.add(gateOf(hr, 3), id);
    unsigned pi = 0, po = 0, pf = 0;
    if (peep) {
      pi = in.add(gateOf(peep, 0), rowMap);
      po = in.add(gateOf(peep, 1), rowMap);
      pf = in.add(gateOf(peep, 2), rowMap);
    }
    unsigned li = addLens(in);
    return results(
        run(in, lastOuts, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value cp = a[ci];
          auto pre = [&](unsigned xk, unsigned rk, unsigned pk, Value c) {
            Value v = addF(nb, nl, a[xk], a[rk]);
            if (peep)
              v = addF(nb, nl, v, mulF(nb, nl, a[pk], c));
            return v;
          };
          Value ig = gate(nb, nl, act[0], pre(xi, ri, pi, cp));
          Value fg = p.inputForget
                         ? Value(arith::SubFOp::create(
                               nb, nl, scalarConst(nb, nl, elem, 1), ig))
                         : gate(nb, nl, act[0], pre(xf, rf, pf, cp));
          Value cc = gate(nb, nl, act[1], addF(nb, nl, a[xc], a[rc]));
          Value c = addF(nb, nl, mulF(nb, nl, fg, cp), mulF(nb, nl, ig, cc));
          Value og = gate(nb, nl, act[0], pre(xo, ro, po, c));
          Value h = mulF(nb, nl, og, applyActivation(nb, nl, act[2], c));
          return finish(nb, nl, a, li, hi, h, c, ci);
        }));
  }

  OpBuilder &b;
  Location l;
  const RecurrentPlan &p;
  const RecurrentSetup &s;
  ArrayRef<Activation> act;
  Value step, hPrev, cPrev;
  Type elem;
  int64_t H;
  bool masked;
  AffineMap id, rowMap, batchMap;
  unsigned lastOuts;
};

/// One direction's outputs: Y (T, B, H) and the final states (B, H).
struct DirectionResult {
  Value y, h, c;
};

/// Direction d: the projected input, then one scf.for over the time steps
/// whose states live in two slots of a (2, B, H) buffer, read from slot
/// s % 2 and written to the other (the loop's iter_args are then only
/// updated by insert_slice and bufferize in place).
DirectionResult runDirection(PatternRewriter &rw, Location loc,
                             const RecurrentPlan &p, const RecurrentSetup &s,
                             int64_t d) {
  Kind kind = p.kind;
  bool reverse = p.direction == "reverse" || d == 1;
  bool masked = s.masked;
  ArrayRef<Activation> act =
      ArrayRef<Activation>(p.acts).slice(d * p.perDir, p.perDir);
  OpFoldResult dAt = rw.getIndexAttr(d);
  // Wᵀ (I, GH) and Rᵀ (H, GH).
  Value wT =
      transposeTensor(rw, loc, sliceOf(rw, loc, s.w, {{0, dAt}}), {1, 0});
  Value rT =
      transposeTensor(rw, loc, sliceOf(rw, loc, s.r, {{0, dAt}}), {1, 0});
  Value rbH;
  Value batchV;
  Value proj = projectInput(rw, loc, p, s, dAt, wT, rbH, batchV);
  if (reverse && masked)
    proj = reverseWithin(rw, loc, proj, p.lens, s.stepsV, batchV, false);
  Value hInit = s.h0 ? castIfNeeded(rw, loc, sliceOf(rw, loc, s.h0, {{0, dAt}}),
                                    s.stateType)
                     : s.zeroState;
  Value cInit = s.c0 ? castIfNeeded(rw, loc, sliceOf(rw, loc, s.c0, {{0, dAt}}),
                                    s.stateType)
                     : s.zeroState;
  Value pd = isNone(p.peep) ? Value() : sliceOf(rw, loc, p.peep, {{0, dAt}});
  Value yInit =
      freshTensor(rw, loc, s.seqType, {s.steps, s.batch, rw.getIndexAttr(s.H)});
  auto pairType = RankedTensorType::get({2, s.B, s.H}, s.elem);
  auto statePair = [&](Value init) {
    Value buf = freshTensor(
        rw, loc, pairType, {rw.getIndexAttr(2), s.batch, rw.getIndexAttr(s.H)});
    return insertAt(rw, loc, init, buf, 0, rw.getIndexAttr(0));
  };
  SmallVector<Value> iterInit = {statePair(hInit), yInit};
  if (kind == Kind::LSTM)
    iterInit.push_back(statePair(cInit));
  Value zero = indexConst(rw, loc, 0), one = indexConst(rw, loc, 1),
        two = indexConst(rw, loc, 2);
  Value stepsV = s.stepsV;
  auto loop = scf::ForOp::create(
      rw, loc, zero, stepsV, one, iterInit,
      [&](OpBuilder &b, Location l, Value st, ValueRange iter) {
        Value cur = arith::RemUIOp::create(b, l, st, two);
        Value nxt = arith::SubIOp::create(b, l, one, cur);
        Value hPrev = sliceOf(b, l, iter[0], {{0, cur}}), y = iter[1];
        Value cPrev =
            kind == Kind::LSTM ? sliceOf(b, l, iter[2], {{0, cur}}) : Value();
        // Reverse without lengths walks the steps backwards here; with
        // lengths, the projection was reversed per entry instead.
        Value t = st;
        if (reverse && !masked)
          t = arith::SubIOp::create(
              b, l, arith::SubIOp::create(b, l, stepsV, one), st);
        SmallVector<OpFoldResult> offs = {
            Value(arith::MulIOp::create(b, l, t, batchV)), b.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {s.batch, b.getIndexAttr(s.GH)};
        SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
        Value xw = tensor::ExtractSliceOp::create(
            b, l, RankedTensorType::get({s.B, s.GH}, s.elem), proj, offs, sizes,
            strides);
        SmallVector<Value> next = StepBuilder(b, l, p, s, act, st, hPrev, cPrev)
                                      .build(xw, rT, rbH, pd);
        // next = {h, y value, [c]}
        SmallVector<Value> yielded = {insertAt(b, l, next[0], iter[0], 0, nxt),
                                      insertAt(b, l, next[1], y, 0, t)};
        if (kind == Kind::LSTM)
          yielded.push_back(insertAt(b, l, next[2], iter[2], 0, nxt));
        scf::YieldOp::create(b, l, yielded);
      });
  // The final states sit in slot T % 2.
  Value last = arith::RemUIOp::create(rw, loc, stepsV, two);
  DirectionResult out;
  out.y = loop.getResult(1);
  if (reverse && masked)
    out.y = reverseWithin(rw, loc, out.y, p.lens, stepsV, batchV, true);
  out.h = sliceOf(rw, loc, loop.getResult(0), {{0, last}});
  if (kind == Kind::LSTM)
    out.c = sliceOf(rw, loc, loop.getResult(2), {{0, last}});
  return out;
}

/// The per-direction parts stacked along `dim` (a new dim of size D).
Value stackDirections(PatternRewriter &rw, Location loc, ArrayRef<Value> parts,
                      int64_t dim, ArrayRef<OpFoldResult> partSizes) {
  int64_t numDirs = parts.size();
  auto pt = llvm::cast<RankedTensorType>(parts[0].getType());
  SmallVector<int64_t> shape(pt.getShape());
  shape.insert(shape.begin() + dim, numDirs);
  SmallVector<OpFoldResult> sizes(partSizes);
  sizes.insert(sizes.begin() + dim, rw.getIndexAttr(numDirs));
  Value out = emptyTensor(
      rw, loc, RankedTensorType::get(shape, pt.getElementType()), sizes);
  for (int64_t d = 0; d < numDirs; ++d)
    out = insertAt(rw, loc, parts[d], out, dim, rw.getIndexAttr(d));
  return out;
}

/// RNN, GRU and LSTM (`OpTy`): match, the shared setup, one loop per
/// direction, then Y (T, D, B, H) and the final states (D, B, H) in the
/// op's layout.
template <typename OpTy> struct RecurrentToLinalg : OpRewritePattern<OpTy> {
  RecurrentToLinalg(MLIRContext *ctx, Kind kind)
      : OpRewritePattern<OpTy>(ctx), kind(kind) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    Location loc = op.getLoc();
    RecurrentPlan p;
    if (failed(matchRecurrent(op, rw, kind, recurrentAttrs(op), p)))
      return failure();
    RecurrentSetup s = setUpRecurrent(rw, loc, p);
    SmallVector<Value> ys, hs, cs;
    for (int64_t d = 0; d < p.numDirs; ++d) {
      DirectionResult r = runDirection(rw, loc, p, s, d);
      ys.push_back(r.y);
      hs.push_back(r.h);
      if (kind == Kind::LSTM)
        cs.push_back(r.c);
    }
    OpFoldResult hSize = rw.getIndexAttr(s.H);
    for (unsigned i = 0; i < op->getNumResults(); ++i) {
      Value res = op->getResult(i);
      if (res.use_empty())
        continue;
      Value v;
      if (i == 0) {
        v = stackDirections(rw, loc, ys, 1, {s.steps, s.batch, hSize});
        if (p.batchFirst)
          v = transposeTensor(rw, loc, v, {2, 0, 1, 3});
      } else {
        v = stackDirections(rw, loc, i == 1 ? hs : cs, 0, {s.batch, hSize});
        if (p.batchFirst)
          v = transposeTensor(rw, loc, v, {1, 0, 2});
      }
      rw.replaceAllUsesWith(res, castIfNeeded(rw, loc, v, res.getType()));
    }
    rw.eraseOp(op);
    return success();
  }

  Kind kind;
};

} // namespace

void seqc::populateOnnxRecurrentToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<RecurrentToLinalg<onnxir::RNNOp>>(ctx, Kind::RNN);
  patterns.add<RecurrentToLinalg<onnxir::GRUOp>>(ctx, Kind::GRU);
  patterns.add<RecurrentToLinalg<onnxir::LSTMOp>>(ctx, Kind::LSTM);
}
