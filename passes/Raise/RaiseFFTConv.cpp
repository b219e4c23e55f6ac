//===- RaiseFFTConv.cpp - FFT convolutions written with ONNX DFT -*- C++
//-*-===//
//
// Part of `seq-raise-onnx`: the FFT convolution of Hyena, H3 and S4,
//
//   y = irfft(rfft(u, n=N) * rfft(k, n=N), n=N)[..., :L],
//
// written out in ONNX (opset 17) with DFT ops and complex arithmetic on
// (re, im) pairs, becomes one causal seq.long_conv, so that algorithm
// selection sees the convolution (FFT, overlap-save or direct) instead of
// three transforms and a dozen elementwise ops.
//
// ONNX has no onesided inverse DFT, so the inverse is always a full-length
// complex inverse followed by taking the real part; a model that uses
// onesided forward transforms rebuilds the full spectrum from its
// Hermitian half first. Both spellings are recognized (see FFTConvToLongConv).
//
//===----------------------------------------------------------------------===//

#include "seqc/Utils/ConstantData.h"

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Dialect/Seq/IR/Seq.h"
#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace seqc;

namespace {

//===----------------------------------------------------------------------===//
// Reading constant operands
//===----------------------------------------------------------------------===//

bool isNone(Value v) { return llvm::isa<NoneType>(v.getType()); }

/// The data of `v` when it is a constant, seen through the reshapes that
/// keep row-major order (Unsqueeze, Squeeze, Reshape), or nullopt.
std::optional<std::vector<float>> constantThroughReshapes(Value v) {
  for (int step = 0; step < 4; ++step) {
    if (std::optional<std::vector<float>> d = readF32Constant(v))
      return d;
    Operation *def = v.getDefiningOp();
    if (!def ||
        !llvm::isa<onnxir::UnsqueezeOp, onnxir::SqueezeOp, onnxir::ReshapeOp>(
            def))
      return std::nullopt;
    v = def->getOperand(0);
  }
  return std::nullopt;
}

/// 0, 1, ..., n-1.
SmallVector<int64_t> iota(int64_t n) {
  SmallVector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = i;
  return v;
}

//===----------------------------------------------------------------------===//
// Slices, real and imaginary parts
//===----------------------------------------------------------------------===//

/// The input indices, in output order, that ONNX Slice (opset 13) reads on
/// an axis of static size `dim`: a negative start/end counts from the back;
/// then for step > 0 both are clamped to [0, dim], for step < 0 the start to
/// [0, dim-1] and the end to [-1, dim-1] (so `end = -1` after clamping
/// means "through index 0"), and the indices run from start towards end,
/// end excluded.
SmallVector<int64_t> sliceIndices(int64_t dim, int64_t start, int64_t end,
                                  int64_t step) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  // A step past the whole axis reads at most one element: clamp it so that
  // the index arithmetic below cannot overflow.
  int64_t most = std::max<int64_t>(dim, 1);
  step = std::clamp<int64_t>(step, -most, most);
  SmallVector<int64_t> idx;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    for (int64_t i = start; i < end; i += step)
      idx.push_back(i);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    for (int64_t i = start; i > end; i += step)
      idx.push_back(i);
  }
  return idx;
}

/// For an onnx.Slice with constant starts/ends/axes/steps that keeps every
/// axis but `axis` whole: the indices of its input it reads along `axis`, in
/// order (all of them when `axis` is not sliced). nullopt otherwise, or when
/// a sliced axis is not static.
std::optional<SmallVector<int64_t>> sliceAlong(onnxir::SliceOp op,
                                               int64_t axis) {
  auto t = llvm::dyn_cast<RankedTensorType>(op.getData().getType());
  if (!t || axis < 0 || axis >= t.getRank())
    return std::nullopt;
  int64_t rank = t.getRank();
  std::optional<SmallVector<int64_t>> starts = readIntConstant(op.getStarts());
  std::optional<SmallVector<int64_t>> ends = readIntConstant(op.getEnds());
  if (!starts || !ends || starts->size() != ends->size())
    return std::nullopt;
  SmallVector<int64_t> axes = iota(starts->size());
  SmallVector<int64_t> steps(starts->size(), 1);
  if (!isNone(op.getAxes())) {
    std::optional<SmallVector<int64_t>> a = readIntConstant(op.getAxes());
    if (!a || a->size() != starts->size())
      return std::nullopt;
    axes = *a;
  }
  if (!isNone(op.getSteps())) {
    std::optional<SmallVector<int64_t>> s = readIntConstant(op.getSteps());
    if (!s || s->size() != starts->size())
      return std::nullopt;
    steps = *s;
  }
  std::optional<SmallVector<int64_t>> along;
  for (size_t i = 0; i < axes.size(); ++i) {
    std::optional<int64_t> a = normalizeAxis(axes[i], rank);
    if (!a || steps[i] == 0)
      return std::nullopt;
    int64_t ax = *a;
    int64_t dim = t.getDimSize(ax);
    if (ShapedType::isDynamic(dim)) {
      // Only the conventional "whole axis" spelling is understood here.
      if (ax != axis && steps[i] == 1 && (*starts)[i] == 0 &&
          (*ends)[i] >= std::numeric_limits<int32_t>::max())
        continue;
      return std::nullopt;
    }
    SmallVector<int64_t> idx =
        sliceIndices(dim, (*starts)[i], (*ends)[i], steps[i]);
    if (ax == axis) {
      if (along)
        return std::nullopt;
      along = std::move(idx);
    } else if (idx != iota(dim)) {
      return std::nullopt;
    }
  }
  if (!along) {
    if (t.isDynamicDim(axis))
      return std::nullopt;
    along = iota(t.getDimSize(axis));
  }
  return along;
}

/// One component of a complex tensor carried as a trailing (re, im) pair:
/// `src[..., part]`, either keeping the trailing dim (Slice [p:p+1], Gather
/// with a one-element index vector) or dropping it (Gather with a scalar
/// index).
struct Part {
  Value src;
  int64_t part;
  bool keepsRank;
};

/// Matches `v` as the real (0) or imaginary (1) part of a [..., 2] tensor.
std::optional<Part> matchPart(Value v) {
  auto pairOf = [](Value src) -> int64_t {
    auto t = llvm::dyn_cast<RankedTensorType>(src.getType());
    if (!t || t.getRank() < 1 || t.getDimSize(t.getRank() - 1) != 2)
      return -1;
    return t.getRank() - 1;
  };
  if (auto slice = v.getDefiningOp<onnxir::SliceOp>()) {
    int64_t last = pairOf(slice.getData());
    if (last < 0)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> idx = sliceAlong(slice, last);
    if (!idx || idx->size() != 1)
      return std::nullopt;
    return Part{slice.getData(), (*idx)[0], true};
  }
  if (auto gather = v.getDefiningOp<onnxir::GatherOp>()) {
    int64_t last = pairOf(gather.getData());
    if (last < 0 || normalizeAxis(int64_t(gather.getAxis()), last + 1) != last)
      return std::nullopt;
    auto it = llvm::dyn_cast<RankedTensorType>(gather.getIndices().getType());
    std::optional<int64_t> index = readScalarInt(gather.getIndices());
    if (!it || !index || *index < -2 || *index > 1 ||
        !(it.getRank() == 0 || (it.getRank() == 1 && it.getDimSize(0) == 1)))
      return std::nullopt;
    return Part{gather.getData(), (*index + 2) % 2, it.getRank() == 1};
  }
  return std::nullopt;
}

/// `v` without an onnx.Unsqueeze that appends a trailing unit dim; sets
/// `peeled` when there was one.
Value peelTrailingUnsqueeze(Value v, bool &peeled) {
  peeled = false;
  auto un = v.getDefiningOp<onnxir::UnsqueezeOp>();
  if (!un)
    return v;
  auto out = llvm::dyn_cast<RankedTensorType>(un.getType());
  std::optional<SmallVector<int64_t>> axes = readIntConstant(un.getAxes());
  if (!out || !axes || axes->size() != 1 ||
      normalizeAxis((*axes)[0], out.getRank()) != out.getRank() - 1)
    return v;
  peeled = true;
  return un.getData();
}

/// A part of a complex tensor as it enters a Concat that rebuilds the pair:
/// either a rank-keeping Part, or a rank-dropping one unsqueezed back.
std::optional<Part> matchPairOperand(Value v) {
  bool unsqueezed;
  Value inner = peelTrailingUnsqueeze(v, unsqueezed);
  std::optional<Part> p = matchPart(inner);
  if (!p || p->keepsRank == unsqueezed)
    return std::nullopt;
  return p;
}

/// Whether `c` is a constant equal to (1, -1) along a trailing dim of 2
/// with unit dims before it, no higher in rank than `rank`: multiplying a
/// (re, im) tensor by it conjugates without broadcasting.
bool isConjugatingConstant(Value c, int64_t rank) {
  auto t = llvm::dyn_cast<RankedTensorType>(c.getType());
  if (!t || !t.hasStaticShape() || t.getRank() < 1 || t.getRank() > rank ||
      t.getNumElements() != 2 || t.getDimSize(t.getRank() - 1) != 2)
    return false;
  std::optional<std::vector<float>> d = readF32Constant(c);
  return d && d->size() == 2 && (*d)[0] == 1.0f && (*d)[1] == -1.0f;
}

/// Matches `v` = conj(u) spelled as Mul(u, (1, -1)) or as
/// Concat(re(u), Neg(im(u))) on the trailing axis; returns u.
std::optional<Value> matchConjugate(Value v) {
  auto vt = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!vt)
    return std::nullopt;
  if (auto mul = v.getDefiningOp<onnxir::MulOp>()) {
    // The other factor must already have the product's rank, so that the
    // frequency axis stays where it is.
    auto sameRank = [&](Value u) {
      auto ut = llvm::dyn_cast<RankedTensorType>(u.getType());
      return ut && ut.getRank() == vt.getRank();
    };
    if (sameRank(mul.getA()) && isConjugatingConstant(mul.getB(), vt.getRank()))
      return mul.getA();
    if (sameRank(mul.getB()) && isConjugatingConstant(mul.getA(), vt.getRank()))
      return mul.getB();
    return std::nullopt;
  }
  auto cat = v.getDefiningOp<onnxir::ConcatOp>();
  if (!cat || cat.getInputs().size() != 2 ||
      normalizeAxis(int64_t(cat.getAxis()), vt.getRank()) != vt.getRank() - 1)
    return std::nullopt;
  std::optional<Part> re = matchPairOperand(cat.getInputs()[0]);
  // The imaginary part: Neg before or after the Unsqueeze.
  Value im = cat.getInputs()[1];
  bool negated = false, unsqueezed = false;
  for (int step = 0; step < 2; ++step) {
    if (auto neg = im.getDefiningOp<onnxir::NegOp>()) {
      if (negated)
        return std::nullopt;
      negated = true;
      im = neg.getX();
      continue;
    }
    bool peeled;
    Value inner = peelTrailingUnsqueeze(im, peeled);
    if (peeled && !unsqueezed) {
      unsqueezed = true;
      im = inner;
    }
  }
  std::optional<Part> imPart = matchPart(im);
  if (!re || !imPart || !negated || re->part != 0 || imPart->part != 1 ||
      imPart->src != re->src || imPart->keepsRank == unsqueezed)
    return std::nullopt;
  return re->src;
}

//===----------------------------------------------------------------------===//
// Spectra and their product
//===----------------------------------------------------------------------===//

/// The time axis of an onnx.DFT (opset 17) on an input of rank `rank` (with
/// the trailing re/im dim): normalized like DFTToSeq does, so that raising
/// never changes which axis a model transforms.
std::optional<int64_t> dftAxis(onnxir::DFTOp op, int64_t rank) {
  return normalizeAxis(int64_t(op.getAxis()), rank - 1);
}

/// A forward DFT of a real signal [..., L, 1] along its last signal axis,
/// at length `n` (zero-padded or truncated by dft_length).
struct Spectrum {
  Value signal;
  RankedTensorType type;
  int64_t length; // L
  int64_t n;
  bool onesided;

  int64_t leadRank() const { return type.getRank() - 2; }
};

/// Matches `v` as a forward onnx.DFT of a real f32 signal along its last
/// signal axis, with a static length; `why` says what did not match.
FailureOr<Spectrum> matchForwardDFT(Value v, std::string &why) {
  auto dft = v.getDefiningOp<onnxir::DFTOp>();
  if (!dft) {
    why = "a factor of the product is not an onnx.DFT";
    return failure();
  }
  auto t = llvm::dyn_cast<RankedTensorType>(dft.getInput().getType());
  if (dft.getInverse() != 0 || !t || t.getRank() < 2 ||
      !t.getElementType().isF32() || t.getDimSize(t.getRank() - 1) != 1) {
    why = "a factor is not a forward DFT of a real f32 signal [..., L, 1]";
    return failure();
  }
  int64_t rank = t.getRank();
  if (dftAxis(dft, rank) != rank - 2) {
    why = "a forward DFT is not along the last signal axis";
    return failure();
  }
  if (t.isDynamicDim(rank - 2)) {
    why = "a forward DFT's signal length is not static";
    return failure();
  }
  Spectrum s{dft.getInput(), t, t.getDimSize(rank - 2), t.getDimSize(rank - 2),
             dft.getOnesided() != 0};
  if (!isNone(dft.getDftLength())) {
    std::optional<int64_t> n = readScalarInt(dft.getDftLength());
    if (!n || *n <= 0) {
      why = "a forward DFT's dft_length is not a positive constant";
      return failure();
    }
    s.n = *n;
  }
  return s;
}

/// The factors of a Mul of two parts, or nullopt.
std::optional<std::pair<Part, Part>> mulOfParts(Value v) {
  auto mul = v.getDefiningOp<onnxir::MulOp>();
  if (!mul)
    return std::nullopt;
  std::optional<Part> a = matchPart(mul.getA()), b = matchPart(mul.getB());
  if (!a || !b)
    return std::nullopt;
  return std::make_pair(*a, *b);
}

/// Matches `p` as the complex product A * B of two [..., 2] tensors in the
/// form torch's exporter emits for complex aten::mul:
///   re = Sub(Mul(Ar, Br), Mul(Ai, Bi)),  im = Add(Mul(Ar, Bi), Mul(Ai, Br)),
///   p  = Concat(re, im, axis = -1),
/// Mul and Add operands in either order, parts taken by Slice or Gather on
/// the trailing axis (a Gather's rank drop undone by an Unsqueeze of re and
/// im). Returns (A, B).
std::optional<std::pair<Value, Value>> matchComplexMul(Value p) {
  auto pt = llvm::dyn_cast<RankedTensorType>(p.getType());
  auto cat = p.getDefiningOp<onnxir::ConcatOp>();
  if (!pt || !cat || cat.getInputs().size() != 2 ||
      normalizeAxis(int64_t(cat.getAxis()), pt.getRank()) != pt.getRank() - 1)
    return std::nullopt;
  bool reUnsq, imUnsq;
  auto sub = peelTrailingUnsqueeze(cat.getInputs()[0], reUnsq)
                 .getDefiningOp<onnxir::SubOp>();
  auto add = peelTrailingUnsqueeze(cat.getInputs()[1], imUnsq)
                 .getDefiningOp<onnxir::AddOp>();
  if (!sub || !add || reUnsq != imUnsq)
    return std::nullopt;
  auto rr = mulOfParts(sub.getA()), ii = mulOfParts(sub.getB());
  auto x1 = mulOfParts(add.getA()), x2 = mulOfParts(add.getB());
  if (!rr || !ii || !x1 || !x2)
    return std::nullopt;
  // Every part keeps its rank exactly when re and im are not unsqueezed.
  for (const auto *m : {&*rr, &*ii, &*x1, &*x2})
    if (m->first.keepsRank == reUnsq || m->second.keepsRank == reUnsq)
      return std::nullopt;
  if (rr->first.part != 0 || rr->second.part != 0)
    return std::nullopt;
  Value a = rr->first.src, b = rr->second.src;
  // {x, y} == {u, v} as multisets of (source, part).
  auto same = [](std::pair<Part, Part> m, Value u, int64_t pu, Value w,
                 int64_t pw) {
    auto is = [](const Part &q, Value s, int64_t part) {
      return q.src == s && q.part == part;
    };
    return (is(m.first, u, pu) && is(m.second, w, pw)) ||
           (is(m.first, w, pw) && is(m.second, u, pu));
  };
  if (!same(*ii, a, 1, b, 1))
    return std::nullopt;
  if (!((same(*x1, a, 0, b, 1) && same(*x2, a, 1, b, 0)) ||
        (same(*x1, a, 1, b, 0) && same(*x2, a, 0, b, 1))))
    return std::nullopt;
  return std::make_pair(a, b);
}

/// Walks back from `m` to `p` through Slices along `freqAxis` and
/// conjugations; on success `idx` holds the indices of `p` along `freqAxis`
/// that `m` reads and `conjugations` how many conjugations were applied.
LogicalResult walkMirror(Value m, Value p, int64_t freqAxis,
                         SmallVector<int64_t> &idx, int &conjugations) {
  auto mt = llvm::dyn_cast<RankedTensorType>(m.getType());
  if (!mt || mt.isDynamicDim(freqAxis))
    return failure();
  idx = iota(mt.getDimSize(freqAxis));
  conjugations = 0;
  // A handful of steps covers every sensible spelling.
  for (int step = 0; step < 8; ++step) {
    if (m == p)
      return success();
    if (auto slice = m.getDefiningOp<onnxir::SliceOp>()) {
      std::optional<SmallVector<int64_t>> s = sliceAlong(slice, freqAxis);
      if (!s)
        return failure();
      for (int64_t &i : idx)
        i = (*s)[i];
      m = slice.getData();
      continue;
    }
    if (std::optional<Value> u = matchConjugate(m)) {
      ++conjugations;
      m = *u;
      continue;
    }
    return failure();
  }
  return failure();
}

//===----------------------------------------------------------------------===//
// Reshapes between ONNX layouts and long_conv's (B, C, L) / (C, K)
//===----------------------------------------------------------------------===//

/// For groups of which some are empty (`present[i]` false): the
/// reassociation from the present groups' dims (one each) to one dim per
/// group, each empty group's unit dim joining the next present group (the
/// previous one at the end).
SmallVector<ReassociationIndices> unitReassociation(ArrayRef<bool> present) {
  SmallVector<ReassociationIndices> re;
  ReassociationIndices pending;
  for (int64_t i = 0, e = present.size(); i < e; ++i) {
    pending.push_back(i);
    if (present[i]) {
      re.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty())
    re.back().append(pending.begin(), pending.end());
  return re;
}

RankedTensorType typeOf(ArrayRef<OpFoldResult> sizes, Type elem) {
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  return RankedTensorType::get(shape, elem);
}

/// `v` reshaped to one dim per group, group i merging the next
/// `groupSizes[i]` dims of `v` (a unit dim when 0).
Value regroup(OpBuilder &b, Location loc, Value v,
              ArrayRef<int64_t> groupSizes) {
  SmallVector<ReassociationIndices> collapse;
  SmallVector<bool> present;
  int64_t d = 0;
  bool merges = false;
  for (int64_t n : groupSizes) {
    present.push_back(n > 0);
    if (n == 0)
      continue;
    collapse.emplace_back();
    for (int64_t i = 0; i < n; ++i)
      collapse.back().push_back(d++);
    merges |= n > 1;
  }
  if (merges)
    v = tensor::CollapseShapeOp::create(b, loc, v, collapse);
  if (llvm::all_of(present, [](bool p) { return p; }))
    return v;
  SmallVector<OpFoldResult> sizes;
  int64_t src = 0;
  for (bool p : present)
    sizes.push_back(p ? tensor::getMixedSize(b, loc, v, src++)
                      : b.getIndexAttr(1));
  auto elem = llvm::cast<RankedTensorType>(v.getType()).getElementType();
  return tensor::ExpandShapeOp::create(b, loc, typeOf(sizes, elem), v,
                                       unitReassociation(present), sizes);
}

/// The inverse of regroup: dim i of `v` split into the dims `groups[i]`
/// (dropped when empty: then it is a unit dim).
Value ungroup(OpBuilder &b, Location loc, Value v,
              ArrayRef<SmallVector<OpFoldResult>> groups) {
  SmallVector<bool> present;
  for (const auto &g : groups)
    present.push_back(!g.empty());
  if (!llvm::all_of(present, [](bool p) { return p; }))
    v = tensor::CollapseShapeOp::create(b, loc, v, unitReassociation(present));
  SmallVector<ReassociationIndices> expand;
  SmallVector<OpFoldResult> sizes;
  bool splits = false;
  for (const auto &g : groups) {
    if (g.empty())
      continue;
    expand.emplace_back();
    for (OpFoldResult s : g) {
      expand.back().push_back(sizes.size());
      sizes.push_back(s);
    }
    splits |= g.size() > 1;
  }
  if (!splits)
    return v;
  auto elem = llvm::cast<RankedTensorType>(v.getType()).getElementType();
  return tensor::ExpandShapeOp::create(b, loc, typeOf(sizes, elem), v, expand,
                                       sizes);
}

//===----------------------------------------------------------------------===//
// Matching the convolution
//===----------------------------------------------------------------------===//

/// How a product of two spectra maps onto a depthwise convolution: `x`'s
/// leading dims are `nb` batch dims then `nc` channel dims; the kernel's
/// leading dims are unit dims then the same `nc` channel dims (numpy
/// broadcasting, aligned from the right), so every channel of x meets its
/// own kernel and nothing of x is broadcast.
struct ConvPlan {
  Spectrum x, k;
  int64_t nb, nc;
};

std::optional<ConvPlan> planDepthwise(const Spectrum &x, const Spectrum &k) {
  int64_t nx = x.leadRank(), nk = k.leadRank();
  if (nk > nx)
    return std::nullopt;
  ArrayRef<int64_t> xs = x.type.getShape(), ks = k.type.getShape();
  int64_t first = 0;
  while (first < nk && ks[first] == 1)
    ++first;
  for (int64_t j = first; j < nk; ++j)
    if (ShapedType::isDynamic(ks[j]) || xs[j + nx - nk] != ks[j])
      return std::nullopt;
  return ConvPlan{x, k, nx - (nk - first), nk - first};
}

/// The inverse DFT whose real part the pattern's root takes.
struct InverseDFT {
  Value input; // S
  Location loc;
  int64_t rank;      // of S [..., N, 2]
  int64_t n;         // N
  bool keepsPairDim; // whether the root keeps the trailing (re, im) dim

  int64_t freq() const { return rank - 2; }
};

/// Matches `root` as the real part of a full-length complex inverse
/// onnx.DFT of f32 [..., N, 2] along its last signal axis, N static.
FailureOr<InverseDFT> matchInverseDFT(Operation *root, PatternRewriter &rw) {
  std::optional<Part> re = matchPart(root->getResult(0));
  if (!re || re->part != 0)
    return rw.notifyMatchFailure(root, "not the real part of a [..., 2]");
  auto idft = re->src.getDefiningOp<onnxir::DFTOp>();
  if (!idft)
    return rw.notifyMatchFailure(root, "not the real part of an onnx.DFT");
  auto st = llvm::dyn_cast<RankedTensorType>(idft.getInput().getType());
  if (!st || st.getRank() < 2 || !st.getElementType().isF32() ||
      st.getDimSize(st.getRank() - 1) != 2)
    return rw.notifyMatchFailure(root, "inverse DFT input is not f32 [..., 2]");
  if (idft.getInverse() == 0 || idft.getOnesided() != 0)
    return rw.notifyMatchFailure(root, "not a full-length inverse DFT");
  int64_t rank = st.getRank(), freq = rank - 2;
  if (dftAxis(idft, rank) != freq)
    return rw.notifyMatchFailure(root,
                                 "inverse DFT not along the last signal axis");
  if (st.isDynamicDim(freq))
    return rw.notifyMatchFailure(root, "inverse DFT length is not static");
  int64_t n = st.getDimSize(freq);
  if (!isNone(idft.getDftLength()) && readScalarInt(idft.getDftLength()) != n)
    return rw.notifyMatchFailure(
        root, "inverse DFT's dft_length is not its input's length");
  return InverseDFT{idft.getInput(), idft.getLoc(), rank, n, re->keepsRank};
}

/// The ops that the long_conv replaces: the root, then maybe a Squeeze of
/// the trailing unit dim, then maybe a Slice [0:M) along time (each the only
/// user of the one before). `out` is the last one's result: it has length
/// `m` along time and a trailing unit dim when `keepsPairDim`.
struct ResultChain {
  SmallVector<Operation *> ops;
  Value out;
  bool keepsPairDim;
  int64_t m;
};

ResultChain matchResultChain(Operation *root, const InverseDFT &idft) {
  ResultChain chain{{root}, root->getResult(0), idft.keepsPairDim, idft.n};
  if (chain.keepsPairDim && chain.out.hasOneUse())
    if (auto sq = llvm::dyn_cast<onnxir::SqueezeOp>(*chain.out.user_begin())) {
      std::optional<SmallVector<int64_t>> axes;
      if (!isNone(sq.getAxes()))
        axes = readIntConstant(sq.getAxes());
      if (axes && axes->size() == 1 &&
          normalizeAxis((*axes)[0], idft.rank) == idft.rank - 1) {
        chain.ops.push_back(sq);
        chain.out = sq.getResult();
        chain.keepsPairDim = false;
      }
    }
  if (chain.out.hasOneUse())
    if (auto cut = llvm::dyn_cast<onnxir::SliceOp>(*chain.out.user_begin()))
      if (cut.getData() == chain.out)
        if (std::optional<SmallVector<int64_t>> idx =
                sliceAlong(cut, idft.freq()))
          if (!idx->empty() && *idx == iota(idx->size())) {
            chain.ops.push_back(cut);
            chain.out = cut.getResult();
            chain.m = idx->size();
          }
  return chain;
}

/// The product P of two spectra: the inverse DFT's input S itself, or, when
/// `onesided`, the first half of S = Concat(P, conj(P[N/2 - 1 : 0 : -1])).
struct SpectrumProduct {
  Value product;
  bool onesided;
};

FailureOr<SpectrumProduct> matchSpectrumProduct(const InverseDFT &idft,
                                                Operation *root,
                                                PatternRewriter &rw) {
  Value s = idft.input;
  int64_t n = idft.n, freq = idft.freq();
  auto cat = s.getDefiningOp<onnxir::ConcatOp>();
  if (!cat || normalizeAxis(int64_t(cat.getAxis()), idft.rank) != freq)
    return SpectrumProduct{s, false};
  if (cat.getInputs().size() != 2)
    return rw.notifyMatchFailure(root, "spectrum is not Concat(P, mirror)");
  Value product = cat.getInputs()[0];
  auto pt = llvm::dyn_cast<RankedTensorType>(product.getType());
  int64_t half = n / 2 + 1;
  if (!pt || pt.getRank() != idft.rank || pt.getDimSize(freq) != half)
    return rw.notifyMatchFailure(root, "first half does not have N/2 + 1 bins");
  SmallVector<int64_t> idx;
  int conjugations;
  if (failed(walkMirror(cat.getInputs()[1], product, freq, idx, conjugations)))
    return rw.notifyMatchFailure(
        root, "second half is not a conjugated mirror of the first");
  SmallVector<int64_t> want;
  for (int64_t f = half; f < n; ++f)
    want.push_back(n - f);
  if (idx != want)
    return rw.notifyMatchFailure(
        root, "second half does not read bins N/2-1 .. 1 (N - f)");
  if (conjugations != 1)
    return rw.notifyMatchFailure(root, "second half is not conjugated once");
  return SpectrumProduct{product, true};
}

/// Matches the product's factors as forward DFTs at length `n` (onesided
/// as the product is) and decides which one is the signal: the one the
/// other broadcasts against depthwise; if both fit, the kernel is the
/// constant one (else the shorter). Fails when the circular convolution
/// would wrap around.
FailureOr<ConvPlan> matchConvolution(const SpectrumProduct &p, int64_t n,
                                     Operation *root, PatternRewriter &rw) {
  std::optional<std::pair<Value, Value>> factors = matchComplexMul(p.product);
  if (!factors)
    return rw.notifyMatchFailure(root,
                                 "spectrum is not a complex product (re, im)");
  std::string why;
  FailureOr<Spectrum> a = matchForwardDFT(factors->first, why);
  if (failed(a))
    return rw.notifyMatchFailure(root, why);
  FailureOr<Spectrum> b = matchForwardDFT(factors->second, why);
  if (failed(b))
    return rw.notifyMatchFailure(root, why);
  if (a->n != n || b->n != n)
    return rw.notifyMatchFailure(
        root, "forward DFT lengths differ from the inverse DFT's");
  if (a->onesided != p.onesided || b->onesided != p.onesided)
    return rw.notifyMatchFailure(
        root, p.onesided ? "Hermitian extension of full spectra"
                         : "onesided spectra without a Hermitian extension");
  std::optional<ConvPlan> ab = planDepthwise(*a, *b);
  std::optional<ConvPlan> ba = planDepthwise(*b, *a);
  if (ab && ba) {
    bool aConst = constantThroughReshapes(a->signal).has_value();
    bool bConst = constantThroughReshapes(b->signal).has_value();
    if ((aConst && !bConst) || (aConst == bConst && a->length < b->length))
      ab.reset();
  }
  std::optional<ConvPlan> plan = ab ? ab : ba;
  if (!plan)
    return rw.notifyMatchFailure(
        root, "the product is not a depthwise (per-channel) broadcast");
  if (n < plan->x.length + plan->k.length - 1)
    return rw.notifyMatchFailure(
        root, "N < Lx + K - 1: the circular convolution wraps around");
  return *plan;
}

/// What FFTConvToLongConv matched: the convolution, the ops it replaces
/// and the type of the replaced value.
struct FFTConvMatch {
  ConvPlan conv;
  ResultChain chain;
  RankedTensorType outType;
  Location loc; // the inverse DFT's
};

FailureOr<FFTConvMatch> matchFFTConv(Operation *root, PatternRewriter &rw) {
  FailureOr<InverseDFT> idft = matchInverseDFT(root, rw);
  if (failed(idft))
    return failure();
  ResultChain chain = matchResultChain(root, *idft);
  FailureOr<SpectrumProduct> product = matchSpectrumProduct(*idft, root, rw);
  if (failed(product))
    return failure();
  FailureOr<ConvPlan> conv = matchConvolution(*product, idft->n, root, rw);
  if (failed(conv))
    return failure();
  // The result shape: x's leading dims, M, [1].
  const Spectrum &x = conv->x;
  auto outType = llvm::dyn_cast<RankedTensorType>(chain.out.getType());
  SmallVector<int64_t> shape(x.type.getShape().take_front(x.leadRank()));
  shape.push_back(chain.m);
  if (chain.keepsPairDim)
    shape.push_back(1);
  if (!outType || failed(verifyCompatibleShape(outType.getShape(), shape)))
    return rw.notifyMatchFailure(root, "unexpected result shape");
  return FFTConvMatch{*conv, std::move(chain), outType, idft->loc};
}

//===----------------------------------------------------------------------===//
// Building the long_conv
//===----------------------------------------------------------------------===//

/// The signal x as (B, C, Lx), then cut or zero-padded to (B, C, M).
Value buildSignal(OpBuilder &b, Location loc, const ConvPlan &plan, int64_t m) {
  const Spectrum &x = plan.x;
  Value xs = regroup(b, loc, x.signal, {plan.nb, plan.nc, 2});
  if (m < x.length) {
    SmallVector<OpFoldResult> offs(3, b.getIndexAttr(0)),
        ones(3, b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, xs);
    sizes[2] = b.getIndexAttr(m);
    return tensor::ExtractSliceOp::create(b, loc, xs, offs, sizes, ones);
  }
  if (m > x.length) {
    SmallVector<OpFoldResult> low(3, b.getIndexAttr(0)), high = low;
    high[2] = b.getIndexAttr(m - x.length);
    SmallVector<int64_t> padded(
        llvm::cast<RankedTensorType>(xs.getType()).getShape());
    padded[2] = m;
    return tensor::PadOp::create(
        b, loc, RankedTensorType::get(padded, b.getF32Type()), xs, low, high,
        Value(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))));
  }
  return xs;
}

/// The kernel as (C, K'), K' = min(K, M): taps at or past M never reach an
/// output. A constant when k is one (through reshapes).
Value buildKernel(OpBuilder &b, Location loc, const Spectrum &k, int64_t m) {
  int64_t taps = std::min(k.length, m);
  int64_t channels = 1;
  for (int64_t d : k.type.getShape().take_front(k.leadRank()))
    channels *= d;
  if (std::optional<std::vector<float>> data =
          constantThroughReshapes(k.signal);
      data && int64_t(data->size()) == channels * k.length) {
    std::vector<float> kept;
    kept.reserve(channels * taps);
    for (int64_t c = 0; c < channels; ++c)
      kept.insert(kept.end(), data->begin() + c * k.length,
                  data->begin() + c * k.length + taps);
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(
            RankedTensorType::get({channels, taps}, b.getF32Type()),
            ArrayRef<float>(kept)));
  }
  Value kernel = regroup(b, loc, k.signal, {k.leadRank(), 2});
  if (taps >= k.length)
    return kernel;
  SmallVector<OpFoldResult> offs(2, b.getIndexAttr(0)),
      ones(2, b.getIndexAttr(1)),
      sizes = {b.getIndexAttr(channels), b.getIndexAttr(taps)};
  return tensor::ExtractSliceOp::create(b, loc, kernel, offs, sizes, ones);
}

/// The causal seq.long_conv of the match, in the layout of the value it
/// replaces.
Value buildLongConv(OpBuilder &b, const FFTConvMatch &match) {
  Location loc = match.loc;
  const ConvPlan &plan = match.conv;
  int64_t m = match.chain.m;
  Value xs = buildSignal(b, loc, plan, m);
  Value kernel = buildKernel(b, loc, plan.k, m);
  Value y = seq::LongConvOp::create(b, loc, xs, kernel);
  // Back to the layout of the replaced value.
  SmallVector<OpFoldResult> lead = tensor::getMixedSizes(b, loc, plan.x.signal);
  SmallVector<SmallVector<OpFoldResult>> groups(3);
  groups[0].assign(lead.begin(), lead.begin() + plan.nb);
  groups[1].assign(lead.begin() + plan.nb, lead.begin() + plan.x.leadRank());
  groups[2].push_back(b.getIndexAttr(m));
  if (match.chain.keepsPairDim)
    groups[2].push_back(b.getIndexAttr(1));
  y = ungroup(b, loc, y, groups);
  if (y.getType() != match.outType)
    y = tensor::CastOp::create(b, loc, match.outType, y);
  return y;
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

/// The FFT convolution spelled with ONNX DFT ops -> one causal
/// seq.long_conv. With real x (length Lx) and kernel k (length K), both
/// transformed at length N,
///
///   Re IDFT_N( DFT_N(x) * DFT_N(k) )[t] = sum_i k[i] x[(t - i) mod N],
///
/// the circular convolution, which equals the linear (causal) convolution
/// y[t] = sum_{i<K} k[i] x[t-i] for all t in [0, N) exactly when
/// N >= Lx + K - 1 (no tail wraps around); otherwise nothing is raised.
///
/// The pattern is rooted at the real-part extraction of the inverse DFT
/// (Slice [0:1] of the trailing axis, optionally Squeezed, or Gather of
/// index 0) and walks up:
///   * the inverse DFT (inverse = 1, onesided = 0) along the last signal
///     axis of S [..., N, 2];
///   * S is either the product P of two full spectra, or the Hermitian
///     extension of a onesided product P (N/2 + 1 bins):
///       S = Concat(P, conj(P[N/2 - 1 : 0 : -1]), axis = freq),
///     the mirror checked index by index through Slices along the
///     frequency axis (any steps, ONNX clamping) and exactly one
///     conjugation (Mul by (1, -1), or Concat(re, Neg(im))); so
///     odd N, whose mirror is P[(N-1)/2 : 0 : -1], is checked exactly too;
///   * P = A * B as matchComplexMul spells it;
///   * A and B forward DFTs (same N, same onesided) of the signal x
///     [batch.., channels.., Lx, 1] and the kernel [1.., channels.., K, 1]
///     (planDepthwise), in either order; a constant kernel stays constant.
/// When the real part's only user is a Slice [0:M) along time, it is
/// folded in. The long_conv then runs at length M (N without the Slice) on
/// x truncated to M or zero-padded to M: causal outputs before M only read
/// x before M, and zero padding is what the DFT did. Taps at or past M never
/// reach an output and are dropped.
///
/// Benefit 2 and the root at the end of the chain: the greedy driver visits
/// users before producers, so this fires before DFTToSeq would turn the
/// DFT ops into seq.fft/rfft. Only the real part (or the folded Slice) is
/// replaced; intermediate values with other users keep working.
template <typename RootOp> struct FFTConvToLongConv : OpRewritePattern<RootOp> {
  FFTConvToLongConv(MLIRContext *ctx)
      : OpRewritePattern<RootOp>(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(RootOp root,
                                PatternRewriter &rw) const override {
    FailureOr<FFTConvMatch> match = matchFFTConv(root, rw);
    if (failed(match))
      return failure();
    Value y = buildLongConv(rw, *match);
    ArrayRef<Operation *> chain = match->chain.ops;
    rw.replaceOp(chain.back(), y);
    for (Operation *op : llvm::reverse(chain.drop_back()))
      if (op->use_empty())
        rw.eraseOp(op);
    return success();
  }
};

} // namespace

void seqc::populateRaiseFFTConvPatterns(RewritePatternSet &patterns) {
  patterns.add<FFTConvToLongConv<onnxir::SliceOp>,
               FFTConvToLongConv<onnxir::GatherOp>>(patterns.getContext());
}
