//===- SeqOps.cpp - Verifiers, folders and canonicalizations ----*- C++ -*-===//
//
// Every shape relation of the seq ops is checked here, with a message that
// names the offending operand. Dynamic dimensions are accepted wherever a
// static one is; relations are checked between the dims that are known.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace seqc::seq;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Checks the shapes of one op and reports errors naming its operands.
class ShapeChecker {
public:
  explicit ShapeChecker(Operation *op) : op(op) {}

  static bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }
  static bool agree(int64_t a, int64_t b) {
    return isDyn(a) || isDyn(b) || a == b;
  }
  static std::string dimStr(int64_t d) {
    return isDyn(d) ? std::string("?") : std::to_string(d);
  }

  LogicalResult rank(StringRef name, Value v, int64_t r) {
    auto t = llvm::cast<RankedTensorType>(v.getType());
    if (t.getRank() != r)
      return op->emitOpError()
             << "'" << name << "' must have rank " << r << ", got " << t;
    return success();
  }

  LogicalResult ranks(StringRef name, Value v, ArrayRef<int64_t> allowed) {
    auto t = llvm::cast<RankedTensorType>(v.getType());
    if (llvm::is_contained(allowed, t.getRank()))
      return success();
    auto diag = op->emitOpError() << "'" << name << "' must have rank ";
    llvm::interleave(allowed, diag, " or ");
    return diag << ", got " << t;
  }

  /// `aName` dim `ai` (`aWhat`) must equal `bName` dim `bi`.
  LogicalResult same(StringRef aName, Value a, int64_t ai, StringRef bName,
                     Value b, int64_t bi, StringRef what) {
    int64_t da = dim(a, ai), db = dim(b, bi);
    if (agree(da, db))
      return success();
    return op->emitOpError() << "'" << aName << "' " << what << " ("
                             << dimStr(da) << ") does not match '" << bName
                             << "' " << what << " (" << dimStr(db) << ")";
  }

  LogicalResult sameElementType(ArrayRef<std::pair<StringRef, Value>> vals) {
    Type first = elemOf(vals.front().second);
    for (auto [name, v] : vals.drop_front())
      if (elemOf(v) != first)
        return op->emitOpError()
               << "'" << name << "' has element type " << elemOf(v) << " but '"
               << vals.front().first << "' has " << first;
    return success();
  }

  static Type elemOf(Value v) {
    Type t = llvm::cast<ShapedType>(v.getType()).getElementType();
    if (auto c = llvm::dyn_cast<ComplexType>(t))
      return c.getElementType();
    return t;
  }

  static int64_t dim(Value v, int64_t i) {
    return llvm::cast<ShapedType>(v.getType()).getDimSize(i);
  }

  Operation *op;
};
} // namespace

/// The `impl` attribute, if set, names an algorithm the op allows.
static LogicalResult verifyImpl(Operation *operation) {
  auto op = llvm::cast<ImplInterface>(operation);
  std::optional<ImplKind> impl = op.getImplKind();
  ArrayRef<ImplKind> allowed = op.getAllowedImpls();
  if (!impl || llvm::is_contained(allowed, *impl))
    return success();
  auto diag = op->emitOpError()
              << "cannot be implemented by '" << stringifyImplKind(*impl)
              << "'; expected one of: ";
  llvm::interleaveComma(allowed, diag,
                        [&](ImplKind k) { diag << stringifyImplKind(k); });
  return diag;
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

ArrayRef<ImplKind> AttentionOp::getAllowedImpls() {
  static const ImplKind kinds[] = {ImplKind::reference, ImplKind::dense,
                                   ImplKind::tiled};
  return kinds;
}

MaskAttr AttentionOp::getHeadMask(int64_t h) {
  if (auto single = llvm::dyn_cast<MaskAttr>(getMask()))
    return single;
  return llvm::cast<MaskAttr>(llvm::cast<ArrayAttr>(getMask())[h]);
}

bool AttentionOp::hasUniformMask() {
  auto arr = llvm::dyn_cast<ArrayAttr>(getMask());
  return !arr || llvm::all_equal(arr.getValue());
}

LogicalResult AttentionOp::verify() {
  ShapeChecker c(*this);
  Value q = getQuery(), k = getKey(), v = getValue(), o = getOut();
  if (failed(c.rank("query", q, 4)) || failed(c.rank("key", k, 4)) ||
      failed(c.rank("value", v, 4)) || failed(c.rank("result", o, 4)))
    return failure();
  SmallVector<std::pair<StringRef, Value>> typed = {
      {"query", q}, {"key", k}, {"value", v}, {"result", o}};
  if (getBias())
    typed.push_back({"bias", getBias()});
  if (failed(c.sameElementType(typed)))
    return failure();
  if (failed(c.same("key", k, 0, "query", q, 0, "batch")) ||
      failed(c.same("value", v, 0, "query", q, 0, "batch")) ||
      failed(c.same("key", k, 3, "query", q, 3, "head dim")) ||
      failed(c.same("value", v, 1, "key", k, 1, "head count")) ||
      failed(c.same("value", v, 2, "key", k, 2, "sequence length")) ||
      failed(c.same("result", o, 0, "query", q, 0, "batch")) ||
      failed(c.same("result", o, 1, "query", q, 1, "head count")) ||
      failed(c.same("result", o, 2, "query", q, 2, "sequence length")) ||
      failed(c.same("result", o, 3, "value", v, 3, "head dim")))
    return failure();
  int64_t hq = c.dim(q, 1), hkv = c.dim(k, 1);
  if (!c.isDyn(hq) && !c.isDyn(hkv) && (hkv == 0 || hq % hkv != 0))
    return emitOpError() << "'key' head count (" << hkv
                         << ") must divide 'query' head count (" << hq << ")";
  if (Value bias = getBias()) {
    auto bt = llvm::cast<RankedTensorType>(bias.getType());
    if (bt.getRank() > 4)
      return emitOpError() << "'bias' must have rank <= 4, got " << bt;
    int64_t full[4] = {c.dim(q, 0), hq, c.dim(q, 2), c.dim(k, 2)};
    const char *names[4] = {"batch", "head", "query", "key"};
    for (int64_t i = 0; i < bt.getRank(); ++i) {
      int64_t d = bt.getDimSize(bt.getRank() - 1 - i);
      int64_t want = full[3 - i];
      if (d != 1 && !ShapeChecker::agree(d, want))
        return emitOpError() << "'bias' dim " << bt.getRank() - 1 - i << " ("
                             << d << ") does not broadcast to the "
                             << names[3 - i] << " dim (" << want << ")";
    }
  }
  if (getScale().isNaN() || getScale().isInfinity() || getScale().isZero())
    return emitOpError() << "'scale' must be finite and non-zero";
  if (auto cap = getSoftcap(); cap && !(cap->convertToFloat() > 0.0f))
    return emitOpError() << "'softcap' must be positive";
  SmallVector<MaskAttr> masks;
  if (auto arr = llvm::dyn_cast<ArrayAttr>(getMask())) {
    if (!c.isDyn(hq) && static_cast<int64_t>(arr.size()) != hq)
      return emitOpError() << "has " << arr.size()
                           << " per-head masks but 'query' has " << hq
                           << " heads";
    for (Attribute a : arr)
      masks.push_back(llvm::cast<MaskAttr>(a));
  } else {
    masks.push_back(llvm::cast<MaskAttr>(getMask()));
  }
  // A blocks layout must cover every key block.
  int64_t lk = c.dim(k, 2);
  std::function<LogicalResult(MaskAttr)> checkBlocks =
      [&](MaskAttr m) -> LogicalResult {
    if (m.getKind() == MaskKind::blocks && !c.isDyn(lk)) {
      int64_t s = m.getParams()[0], need = (lk + s - 1) / s;
      if (m.getLayoutRows() < need || m.getLayoutCols() < need)
        return emitOpError()
               << "block layout " << m.getLayoutRows() << "x"
               << m.getLayoutCols() << " does not cover " << need << "x" << need
               << " blocks of size " << s << " for " << lk << " keys";
    }
    for (MaskAttr sub : m.getOperands())
      if (failed(checkBlocks(sub)))
        return failure();
    return success();
  };
  for (MaskAttr m : masks)
    if (failed(checkBlocks(m)))
      return failure();
  return verifyImpl(*this);
}

namespace {
/// Per-head masks that are all equal become one mask.
struct UniformHeadMask : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    auto arr = llvm::dyn_cast<ArrayAttr>(op.getMask());
    if (!arr || arr.empty() || !op.hasUniformMask())
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.setMaskAttr(arr[0]); });
    return success();
  }
};
} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<UniformHeadMask>(context);
}

//===----------------------------------------------------------------------===//
// LinearAttentionOp
//===----------------------------------------------------------------------===//

ArrayRef<ImplKind> LinearAttentionOp::getAllowedImpls() {
  static const ImplKind kinds[] = {ImplKind::reference, ImplKind::recurrent,
                                   ImplKind::chunked, ImplKind::quadratic};
  return kinds;
}

LogicalResult LinearAttentionOp::verify() {
  ShapeChecker c(*this);
  Value q = getQuery(), k = getKey(), v = getValue(), o = getOut(),
        s = getState();
  if (failed(c.rank("query", q, 4)) || failed(c.rank("key", k, 4)) ||
      failed(c.rank("value", v, 4)) || failed(c.rank("out", o, 4)) ||
      failed(c.rank("state", s, 4)))
    return failure();
  SmallVector<std::pair<StringRef, Value>> typed = {
      {"query", q}, {"key", k}, {"value", v}, {"out", o}, {"state", s}};
  if (getDecay())
    typed.push_back({"decay", getDecay()});
  if (getState0())
    typed.push_back({"state0", getState0()});
  if (failed(c.sameElementType(typed)))
    return failure();
  for (auto [name, val] :
       {std::pair<StringRef, Value>{"key", k}, {"value", v}, {"out", o}}) {
    if (failed(c.same(name, val, 0, "query", q, 0, "batch")) ||
        failed(c.same(name, val, 1, "query", q, 1, "head count")) ||
        failed(c.same(name, val, 2, "query", q, 2, "sequence length")))
      return failure();
  }
  if (failed(c.same("key", k, 3, "query", q, 3, "key dim")) ||
      failed(c.same("out", o, 3, "value", v, 3, "value dim")))
    return failure();
  if (failed(c.same("state", s, 0, "query", q, 0, "batch")) ||
      failed(c.same("state", s, 1, "query", q, 1, "head count")) ||
      failed(c.same("state", s, 2, "key", k, 3, "key dim")) ||
      failed(c.same("state", s, 3, "value", v, 3, "value dim")))
    return failure();
  if (Value a = getDecay()) {
    if (failed(c.ranks("decay", a, {3, 4})) ||
        failed(c.same("decay", a, 0, "query", q, 0, "batch")) ||
        failed(c.same("decay", a, 1, "query", q, 1, "head count")) ||
        failed(c.same("decay", a, 2, "query", q, 2, "sequence length")))
      return failure();
    if (llvm::cast<RankedTensorType>(a.getType()).getRank() == 4 &&
        failed(c.same("decay", a, 3, "key", k, 3, "key dim")))
      return failure();
  }
  if (Value s0 = getState0()) {
    if (s0.getType() != s.getType())
      return emitOpError() << "'state0' type " << s0.getType()
                           << " must match the 'state' result type "
                           << s.getType();
  }
  return verifyImpl(*this);
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp
//===----------------------------------------------------------------------===//

ArrayRef<ImplKind> SelectiveScanOp::getAllowedImpls() {
  static const ImplKind kinds[] = {ImplKind::reference, ImplKind::recurrent,
                                   ImplKind::chunked, ImplKind::parallel};
  return kinds;
}

LogicalResult SelectiveScanOp::verify() {
  ShapeChecker c(*this);
  Value u = getU(), dt = getDelta(), a = getA(), b = getB(), cc = getC(),
        y = getY(), h = getLastState();
  if (failed(c.rank("u", u, 3)) || failed(c.rank("delta", dt, 3)) ||
      failed(c.rank("A", a, 2)) || failed(c.ranks("B", b, {3, 4})) ||
      failed(c.ranks("C", cc, {3, 4})) || failed(c.rank("y", y, 3)) ||
      failed(c.rank("last_state", h, 3)))
    return failure();
  SmallVector<std::pair<StringRef, Value>> typed = {
      {"u", u},  {"delta", dt}, {"A", a},         {"B", b},
      {"C", cc}, {"y", y},      {"last_state", h}};
  for (auto [name, val] : {std::pair<StringRef, Value>{"D", getD()},
                           {"z", getZ()},
                           {"delta_bias", getDeltaBias()}})
    if (val)
      typed.push_back({name, val});
  if (failed(c.sameElementType(typed)))
    return failure();
  for (auto [name, val] :
       {std::pair<StringRef, Value>{"delta", dt}, {"y", y}}) {
    for (int64_t i = 0; i < 3; ++i)
      if (failed(c.same(name, val, i, "u", u, i,
                        i == 0   ? "batch"
                        : i == 1 ? "channel"
                                 : "length")))
        return failure();
  }
  if (failed(c.same("A", a, 0, "u", u, 1, "channel")))
    return failure();
  auto bt = llvm::cast<RankedTensorType>(b.getType());
  if (bt != llvm::cast<RankedTensorType>(cc.getType()) &&
      bt.getRank() != llvm::cast<RankedTensorType>(cc.getType()).getRank())
    return emitOpError() << "'C' must have the rank of 'B' (" << bt.getRank()
                         << ")";
  int64_t r = bt.getRank();
  for (auto [name, val] : {std::pair<StringRef, Value>{"B", b}, {"C", cc}}) {
    if (failed(c.same(name, val, 0, "u", u, 0, "batch")) ||
        failed(c.same(name, val, r - 1, "u", u, 2, "length")) ||
        failed(c.same(name, val, r - 2, "A", a, 1, "state size")))
      return failure();
  }
  if (r == 4) {
    if (failed(c.same("C", cc, 1, "B", b, 1, "group count")))
      return failure();
    int64_t g = c.dim(b, 1), d = c.dim(u, 1);
    if (!c.isDyn(g) && !c.isDyn(d) && (g == 0 || d % g != 0))
      return emitOpError() << "'B' group count (" << g
                           << ") must divide the channel count (" << d << ")";
  }
  if (Value dd = getD())
    if (failed(c.rank("D", dd, 1)) ||
        failed(c.same("D", dd, 0, "u", u, 1, "channel")))
      return failure();
  if (Value db = getDeltaBias())
    if (failed(c.rank("delta_bias", db, 1)) ||
        failed(c.same("delta_bias", db, 0, "u", u, 1, "channel")))
      return failure();
  if (Value z = getZ()) {
    if (failed(c.rank("z", z, 3)))
      return failure();
    for (int64_t i = 0; i < 3; ++i)
      if (failed(c.same("z", z, i, "u", u, i, "dim " + std::to_string(i))))
        return failure();
  }
  if (failed(c.same("last_state", h, 0, "u", u, 0, "batch")) ||
      failed(c.same("last_state", h, 1, "u", u, 1, "channel")) ||
      failed(c.same("last_state", h, 2, "A", a, 1, "state size")))
    return failure();
  return verifyImpl(*this);
}

//===----------------------------------------------------------------------===//
// LinearScanOp
//===----------------------------------------------------------------------===//

ArrayRef<ImplKind> LinearScanOp::getAllowedImpls() {
  static const ImplKind kinds[] = {ImplKind::reference, ImplKind::recurrent,
                                   ImplKind::chunked, ImplKind::parallel};
  return kinds;
}

LogicalResult LinearScanOp::verify() {
  ShapeChecker c(*this);
  auto at = llvm::cast<RankedTensorType>(getA().getType());
  auto bt = llvm::cast<RankedTensorType>(getB().getType());
  auto ht = llvm::cast<RankedTensorType>(getH().getType());
  if (failed(c.sameElementType({{"b", getB()}, {"a", getA()}, {"h", getH()}})))
    return failure();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= bt.getRank())
    return emitOpError() << "'axis' " << axis
                         << " is out of range for 'b' of rank " << bt.getRank();
  if (at.getRank() != bt.getRank())
    return emitOpError() << "'a' must have the rank of 'b' (" << bt.getRank()
                         << "), got " << at;
  for (int64_t i = 0; i < bt.getRank(); ++i) {
    int64_t da = at.getDimSize(i);
    if (da != 1 && !ShapeChecker::agree(da, bt.getDimSize(i)))
      return emitOpError() << "'a' dim " << i << " (" << da
                           << ") does not broadcast to 'b' dim " << i << " ("
                           << ShapeChecker::dimStr(bt.getDimSize(i)) << ")";
  }
  SmallVector<int64_t> reduced(bt.getShape());
  reduced.erase(reduced.begin() + axis);
  auto checkShape = [&](StringRef name, RankedTensorType t,
                        ArrayRef<int64_t> want) -> LogicalResult {
    bool ok = t.getRank() == static_cast<int64_t>(want.size());
    for (int64_t i = 0; ok && i < t.getRank(); ++i)
      ok = ShapeChecker::agree(t.getDimSize(i), want[i]);
    if (ok)
      return success();
    auto diag = emitOpError() << "'" << name << "' must have shape [";
    llvm::interleaveComma(want, diag,
                          [&](int64_t d) { diag << ShapeChecker::dimStr(d); });
    return diag << "], got " << t;
  };
  if (Value h0 = getH0()) {
    if (failed(c.sameElementType({{"b", getB()}, {"h0", h0}})) ||
        failed(checkShape("h0", llvm::cast<RankedTensorType>(h0.getType()),
                          reduced)))
      return failure();
  }
  if (failed(checkShape(
          "h", ht, getLast() ? ArrayRef<int64_t>(reduced) : bt.getShape())))
    return failure();
  return verifyImpl(*this);
}

//===----------------------------------------------------------------------===//
// LongConvOp
//===----------------------------------------------------------------------===//

ArrayRef<ImplKind> LongConvOp::getAllowedImpls() {
  static const ImplKind kinds[] = {ImplKind::reference, ImplKind::direct,
                                   ImplKind::fft, ImplKind::overlap_save};
  return kinds;
}

void LongConvOp::build(OpBuilder &b, OperationState &state, Value x,
                       Value kernel, Value bias, ConvMode mode) {
  build(b, state, x.getType(), x, kernel, bias,
        ConvModeAttr::get(b.getContext(), mode), /*impl=*/nullptr);
}

LogicalResult LongConvOp::verify() {
  ShapeChecker c(*this);
  Value x = getX(), k = getKernel(), y = getY();
  if (failed(c.rank("x", x, 3)) || failed(c.rank("kernel", k, 2)) ||
      failed(c.rank("y", y, 3)))
    return failure();
  SmallVector<std::pair<StringRef, Value>> typed = {
      {"x", x}, {"kernel", k}, {"y", y}};
  if (getBias())
    typed.push_back({"bias", getBias()});
  if (failed(c.sameElementType(typed)))
    return failure();
  if (failed(c.same("kernel", k, 0, "x", x, 1, "channel count")))
    return failure();
  for (int64_t i = 0; i < 3; ++i)
    if (failed(c.same("y", y, i, "x", x, i, "dim " + std::to_string(i))))
      return failure();
  if (Value b = getBias())
    if (failed(c.rank("bias", b, 1)) ||
        failed(c.same("bias", b, 0, "x", x, 1, "channel count")))
      return failure();
  if (c.dim(k, 1) == 0)
    return emitOpError() << "'kernel' must have at least one tap";
  return verifyImpl(*this);
}

//===----------------------------------------------------------------------===//
// FFT ops
//===----------------------------------------------------------------------===//

static const ImplKind kFFTImpls[] = {ImplKind::reference, ImplKind::mixed_radix,
                                     ImplKind::bluestein};
ArrayRef<ImplKind> FFTOp::getAllowedImpls() { return kFFTImpls; }
ArrayRef<ImplKind> RFFTOp::getAllowedImpls() { return kFFTImpls; }
ArrayRef<ImplKind> IRFFTOp::getAllowedImpls() { return kFFTImpls; }

/// Common checks: axis in range, length positive, the result equal to the
/// input except along `axis` where it must be `want(n_in)`.
static LogicalResult verifyFFTShapes(Operation *op, Value in, Value out,
                                     int64_t axis,
                                     std::optional<uint64_t> length,
                                     function_ref<int64_t(int64_t)> resultLen) {
  auto it = llvm::cast<RankedTensorType>(in.getType());
  auto ot = llvm::cast<RankedTensorType>(out.getType());
  if (axis < 0 || axis >= it.getRank())
    return op->emitOpError()
           << "'axis' " << axis << " is out of range for 'input' of rank "
           << it.getRank();
  if (length && static_cast<int64_t>(*length) < 1)
    return op->emitOpError() << "'length' must be >= 1";
  if (ot.getRank() != it.getRank())
    return op->emitOpError() << "result rank " << ot.getRank()
                             << " differs from 'input' rank " << it.getRank();
  if (ShapeChecker::elemOf(in) != ShapeChecker::elemOf(out))
    return op->emitOpError() << "result precision differs from 'input'";
  for (int64_t i = 0; i < it.getRank(); ++i) {
    int64_t want = it.getDimSize(i);
    if (i == axis)
      want = resultLen(want);
    if (!ShapeChecker::agree(want, ot.getDimSize(i)))
      return op->emitOpError()
             << "result dim " << i << " must be " << ShapeChecker::dimStr(want)
             << ", got " << ShapeChecker::dimStr(ot.getDimSize(i));
  }
  return success();
}

/// Output length along the axis of fft (N), rfft (N/2 + 1 bins) and irfft
/// (N, by default 2(M - 1) for M bins), from the input's length there.
static int64_t fftOutLength(int64_t n, std::optional<uint64_t> len) {
  return len ? static_cast<int64_t>(*len) : n;
}
static int64_t rfftOutLength(int64_t n, std::optional<uint64_t> len) {
  if (len)
    n = static_cast<int64_t>(*len);
  return ShapedType::isDynamic(n) ? n : n / 2 + 1;
}
static int64_t irfftOutLength(int64_t m, std::optional<uint64_t> len) {
  if (len)
    return static_cast<int64_t>(*len);
  return ShapedType::isDynamic(m) ? m : 2 * (m - 1);
}

/// `input`'s shape with dim `axis` mapped by `outLength`, of element `elem`.
static RankedTensorType
fftResultType(Value input, int64_t axis, std::optional<uint64_t> len, Type elem,
              int64_t (*outLength)(int64_t, std::optional<uint64_t>)) {
  auto it = llvm::cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(it.getShape());
  shape[axis] = outLength(shape[axis], len);
  return RankedTensorType::get(shape, elem);
}

/// The optional `length` attribute.
static IntegerAttr lengthAttr(OpBuilder &b, std::optional<uint64_t> len) {
  return len ? b.getI64IntegerAttr(static_cast<int64_t>(*len)) : IntegerAttr();
}

void FFTOp::build(OpBuilder &b, OperationState &state, Value input,
                  int64_t axis, bool inverse, std::optional<uint64_t> length) {
  Type elem = llvm::cast<RankedTensorType>(input.getType()).getElementType();
  build(b, state, fftResultType(input, axis, length, elem, fftOutLength), input,
        b.getI64IntegerAttr(axis), inverse ? b.getUnitAttr() : nullptr,
        lengthAttr(b, length), /*impl=*/nullptr);
}

void RFFTOp::build(OpBuilder &b, OperationState &state, Value input,
                   int64_t axis, std::optional<uint64_t> length) {
  Type elem = ComplexType::get(
      llvm::cast<RankedTensorType>(input.getType()).getElementType());
  build(b, state, fftResultType(input, axis, length, elem, rfftOutLength),
        input, b.getI64IntegerAttr(axis), lengthAttr(b, length),
        /*impl=*/nullptr);
}

void IRFFTOp::build(OpBuilder &b, OperationState &state, Value input,
                    int64_t axis, std::optional<uint64_t> length) {
  Type elem =
      llvm::cast<ComplexType>(
          llvm::cast<RankedTensorType>(input.getType()).getElementType())
          .getElementType();
  build(b, state, fftResultType(input, axis, length, elem, irfftOutLength),
        input, b.getI64IntegerAttr(axis), lengthAttr(b, length),
        /*impl=*/nullptr);
}

LogicalResult FFTOp::verify() {
  std::optional<uint64_t> len = getLength();
  if (failed(verifyFFTShapes(*this, getInput(), getOutput(), getAxis(), len,
                             [&](int64_t n) { return fftOutLength(n, len); })))
    return failure();
  return verifyImpl(*this);
}

OpFoldResult FFTOp::fold(FoldAdaptor) {
  // fft(ifft(x)) = ifft(fft(x)) = x along the same axis and length.
  auto inner = getInput().getDefiningOp<FFTOp>();
  if (!inner || inner.getAxis() != getAxis() ||
      inner.getInverse() == getInverse() || getLength() || inner.getLength() ||
      inner.getInput().getType() != getType())
    return {};
  return inner.getInput();
}

LogicalResult RFFTOp::verify() {
  std::optional<uint64_t> len = getLength();
  if (failed(verifyFFTShapes(*this, getInput(), getOutput(), getAxis(), len,
                             [&](int64_t n) { return rfftOutLength(n, len); })))
    return failure();
  return verifyImpl(*this);
}

LogicalResult IRFFTOp::verify() {
  std::optional<uint64_t> len = getLength();
  auto it = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t axis = static_cast<int64_t>(getAxis());
  if (!len && axis >= 0 && axis < it.getRank() && it.getDimSize(axis) == 1)
    return emitOpError() << "'input' has one bin along 'axis'; the default "
                            "length 2(M-1) would be 0, so give 'length'";
  if (failed(
          verifyFFTShapes(*this, getInput(), getOutput(), getAxis(), len,
                          [&](int64_t m) { return irfftOutLength(m, len); })))
    return failure();
  return verifyImpl(*this);
}

//===----------------------------------------------------------------------===//
// SSMKernelOp
//===----------------------------------------------------------------------===//

ArrayRef<ImplKind> SSMKernelOp::getAllowedImpls() {
  static const ImplKind kinds[] = {ImplKind::reference, ImplKind::vandermonde};
  return kinds;
}

LogicalResult SSMKernelOp::verify() {
  ShapeChecker c(*this);
  Value a = getA(), b = getB(), cc = getC(), dt = getLogDt(), k = getKernel();
  if (failed(c.rank("A", a, 2)) || failed(c.rank("B", b, 2)) ||
      failed(c.rank("C", cc, 2)) || failed(c.rank("log_dt", dt, 1)) ||
      failed(c.rank("kernel", k, 2)))
    return failure();
  if (failed(c.sameElementType(
          {{"A", a}, {"B", b}, {"C", cc}, {"log_dt", dt}, {"kernel", k}})))
    return failure();
  for (auto [name, val] : {std::pair<StringRef, Value>{"B", b}, {"C", cc}})
    if (failed(c.same(name, val, 0, "A", a, 0, "channel count")) ||
        failed(c.same(name, val, 1, "A", a, 1, "state size")))
      return failure();
  if (failed(c.same("log_dt", dt, 0, "A", a, 0, "channel count")) ||
      failed(c.same("kernel", k, 0, "A", a, 0, "channel count")))
    return failure();
  bool dynLen = ShapeChecker::isDyn(c.dim(k, 1));
  if (dynLen && !getLength())
    return emitOpError() << "result length is dynamic, so the 'length' "
                            "operand is required";
  if (!dynLen && getLength())
    return emitOpError() << "'length' operand given but the result length is "
                            "static ("
                         << c.dim(k, 1) << ")";
  return verifyImpl(*this);
}

#define GET_OP_CLASSES
#include "seqc/Dialect/Seq/IR/SeqOps.cpp.inc"
