//===- SeqMaskAttr.cpp - The #seq.mask algebra ------------------*- C++ -*-===//
//
// Parsing, printing, canonical construction and evaluation of the attention
// mask algebra. Every way of building a mask goes through the canonical
// builders below, so equal masks are the same uniqued attribute and print the
// same way.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"

#include <algorithm>

using namespace mlir;
using namespace seqc::seq;

//===----------------------------------------------------------------------===//
// Canonical builders
//===----------------------------------------------------------------------===//

static MaskAttr getLeaf(MLIRContext *ctx, MaskKind kind,
                        ArrayRef<int64_t> params,
                        DenseIntElementsAttr layout = {}) {
  return MaskAttr::get(ctx, kind, params, layout, {});
}

MaskAttr MaskAttr::getFull(MLIRContext *ctx) {
  return getLeaf(ctx, MaskKind::full, {});
}

MaskAttr MaskAttr::getCausal(MLIRContext *ctx) { return getWindow(ctx, -1, 0); }

MaskAttr MaskAttr::getWindow(MLIRContext *ctx, int64_t left, int64_t right) {
  if (left < 0 && right < 0)
    return getFull(ctx);
  return getLeaf(ctx, MaskKind::window,
                 {std::max<int64_t>(left, -1), std::max<int64_t>(right, -1)});
}

MaskAttr MaskAttr::getSinks(MLIRContext *ctx, int64_t n) {
  return getLeaf(ctx, MaskKind::sinks, {n});
}

MaskAttr MaskAttr::getGlobal(MLIRContext *ctx, ArrayRef<int64_t> tokens) {
  SmallVector<int64_t> sorted(tokens);
  llvm::sort(sorted);
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return getLeaf(ctx, MaskKind::global_tokens, sorted);
}

MaskAttr MaskAttr::getDilated(MLIRContext *ctx, int64_t w, int64_t d) {
  if (d == 1) // A dilation of one is a plain symmetric window.
    return getWindow(ctx, w / 2, w / 2);
  return getLeaf(ctx, MaskKind::dilated, {w, d});
}

MaskAttr MaskAttr::getBlocks(MLIRContext *ctx, int64_t size,
                             DenseIntElementsAttr layout) {
  return getLeaf(ctx, MaskKind::blocks, {size}, layout);
}

bool MaskAttr::isCausal() const {
  return getKind() == MaskKind::window && getParams()[0] == -1 &&
         getParams()[1] == 0;
}

static void printMask(MaskAttr mask, llvm::raw_ostream &os);

/// A total order on masks: by kind, then by printed form.
static bool maskLess(MaskAttr a, MaskAttr b) {
  if (a.getKind() != b.getKind())
    return a.getKind() < b.getKind();
  SmallString<64> sa, sb;
  llvm::raw_svector_ostream osa(sa), osb(sb);
  printMask(a, osa);
  printMask(b, osb);
  return sa < sb;
}

/// Flattens nested nodes of `kind`, removes duplicates and sorts.
static SmallVector<MaskAttr> flattenSorted(MaskKind kind,
                                           ArrayRef<MaskAttr> operands) {
  SmallVector<MaskAttr> flat;
  for (MaskAttr m : operands) {
    if (m.getKind() == kind)
      llvm::append_range(flat, m.getOperands());
    else
      flat.push_back(m);
  }
  llvm::sort(flat, maskLess);
  flat.erase(std::unique(flat.begin(), flat.end()), flat.end());
  return flat;
}

MaskAttr MaskAttr::getAnd(MLIRContext *ctx, ArrayRef<MaskAttr> operands) {
  SmallVector<MaskAttr> flat = flattenSorted(MaskKind::and_, operands);
  // Intersect windows: the bounds of each side are minima (-1 = unbounded).
  auto tighter = [](int64_t a, int64_t b) {
    if (a < 0)
      return b;
    if (b < 0)
      return a;
    return std::min(a, b);
  };
  std::optional<std::pair<int64_t, int64_t>> window;
  SmallVector<MaskAttr> kept;
  for (MaskAttr m : flat) {
    if (m.isFull())
      continue;
    if (m.getKind() == MaskKind::window) {
      auto p = m.getParams();
      window = window ? std::make_pair(tighter(window->first, p[0]),
                                       tighter(window->second, p[1]))
                      : std::make_pair(p[0], p[1]);
      continue;
    }
    kept.push_back(m);
  }
  if (window) {
    MaskAttr w = getWindow(ctx, window->first, window->second);
    if (!w.isFull())
      kept.push_back(w);
  }
  llvm::sort(kept, maskLess);
  if (kept.empty())
    return getFull(ctx);
  if (kept.size() == 1)
    return kept.front();
  return MaskAttr::get(ctx, MaskKind::and_, {}, {}, kept);
}

MaskAttr MaskAttr::getOr(MLIRContext *ctx, ArrayRef<MaskAttr> operands) {
  assert(!operands.empty() && "'or' of no masks");
  SmallVector<MaskAttr> flat = flattenSorted(MaskKind::or_, operands);
  if (llvm::any_of(flat, [](MaskAttr m) { return m.isFull(); }))
    return getFull(ctx);
  if (flat.size() == 1)
    return flat.front();
  return MaskAttr::get(ctx, MaskKind::or_, {}, {}, flat);
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult MaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               MaskKind kind, ArrayRef<int64_t> params,
                               DenseIntElementsAttr layout,
                               ArrayRef<MaskAttr> operands) {
  auto expectParams = [&](size_t n) -> LogicalResult {
    if (params.size() != n)
      return emitError() << "mask '" << stringifyMaskKind(kind) << "' takes "
                         << n << " parameter(s), got " << params.size();
    return success();
  };
  switch (kind) {
  case MaskKind::full:
    return expectParams(0);
  case MaskKind::window:
    if (failed(expectParams(2)))
      return failure();
    if (params[0] < -1 || params[1] < -1)
      return emitError() << "window bounds must be >= 0, or -1 for unbounded";
    return success();
  case MaskKind::sinks:
    if (failed(expectParams(1)))
      return failure();
    if (params[0] < 0)
      return emitError() << "sinks count must be >= 0";
    return success();
  case MaskKind::global_tokens:
    if (params.empty())
      return emitError() << "global mask needs at least one token";
    if (llvm::any_of(params, [](int64_t t) { return t < 0; }))
      return emitError() << "global token positions must be >= 0";
    return success();
  case MaskKind::dilated:
    if (failed(expectParams(2)))
      return failure();
    if (params[0] < 0)
      return emitError() << "dilated window size must be >= 0";
    if (params[1] < 1)
      return emitError() << "dilation must be >= 1";
    return success();
  case MaskKind::blocks: {
    if (failed(expectParams(1)))
      return failure();
    if (params[0] < 1)
      return emitError() << "block size must be >= 1";
    if (!layout)
      return emitError() << "blocks mask needs a layout";
    auto type = layout.getType();
    if (type.getRank() != 2 || !type.getElementType().isInteger(1))
      return emitError() << "block layout must be a 2-D tensor of i1, got "
                         << type;
    return success();
  }
  case MaskKind::and_:
  case MaskKind::or_:
    if (operands.size() < 2)
      return emitError() << "'" << stringifyMaskKind(kind)
                         << "' needs at least two operands";
    return success();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

int64_t MaskAttr::getLayoutRows() const {
  return getLayout() ? getLayout().getType().getDimSize(0) : 0;
}
int64_t MaskAttr::getLayoutCols() const {
  return getLayout() ? getLayout().getType().getDimSize(1) : 0;
}
bool MaskAttr::getLayoutBit(int64_t row, int64_t col) const {
  if (row < 0 || col < 0 || row >= getLayoutRows() || col >= getLayoutCols())
    return false;
  return getLayout().getValues<bool>()[row * getLayoutCols() + col];
}

static int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

bool MaskAttr::contains(int64_t p, int64_t j) const {
  ArrayRef<int64_t> ps = getParams();
  switch (getKind()) {
  case MaskKind::full:
    return true;
  case MaskKind::window:
    return (ps[0] < 0 || j >= p - ps[0]) && (ps[1] < 0 || j <= p + ps[1]);
  case MaskKind::sinks:
    return j < ps[0];
  case MaskKind::global_tokens:
    return llvm::is_contained(ps, p) || llvm::is_contained(ps, j);
  case MaskKind::dilated: {
    int64_t diff = p - j;
    return std::abs(diff) <= (ps[0] / 2) * ps[1] && diff % ps[1] == 0;
  }
  case MaskKind::blocks:
    return getLayoutBit(floorDiv(p, ps[0]), floorDiv(j, ps[0]));
  case MaskKind::and_:
    return llvm::all_of(getOperands(),
                        [&](MaskAttr m) { return m.contains(p, j); });
  case MaskKind::or_:
    return llvm::any_of(getOperands(),
                        [&](MaskAttr m) { return m.contains(p, j); });
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

static void printMask(MaskAttr mask, llvm::raw_ostream &os) {
  ArrayRef<int64_t> ps = mask.getParams();
  switch (mask.getKind()) {
  case MaskKind::full:
    os << "full";
    return;
  case MaskKind::window:
    if (mask.isCausal())
      os << "causal";
    else
      os << "window<" << ps[0] << ", " << ps[1] << ">";
    return;
  case MaskKind::sinks:
    os << "sinks<" << ps[0] << ">";
    return;
  case MaskKind::global_tokens:
    os << "global<[";
    llvm::interleaveComma(ps, os);
    os << "]>";
    return;
  case MaskKind::dilated:
    os << "dilated<" << ps[0] << ", " << ps[1] << ">";
    return;
  case MaskKind::blocks:
    os << "blocks<" << ps[0] << ", ";
    mask.getLayout().print(os);
    os << ">";
    return;
  case MaskKind::and_:
    llvm::interleave(
        mask.getOperands(), os,
        [&](MaskAttr m) {
          bool paren = m.getKind() == MaskKind::or_;
          os << (paren ? "(" : "");
          printMask(m, os);
          os << (paren ? ")" : "");
        },
        " and ");
    return;
  case MaskKind::or_:
    llvm::interleave(
        mask.getOperands(), os, [&](MaskAttr m) { printMask(m, os); }, " or ");
    return;
  }
}

void MaskAttr::print(AsmPrinter &printer) const {
  printer << "<";
  printMask(*this, printer.getStream());
  printer << ">";
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {
/// Recursive-descent parser of the mask grammar:
///   expr := term ('or' term)*
///   term := atom ('and' atom)*
///   atom := '(' expr ')' | full | causal | window<l, r> | sinks<n>
///         | global<[t, ...]> | dilated<w, d> | blocks<s, dense-attr>
class MaskParser {
public:
  explicit MaskParser(AsmParser &parser) : parser(parser) {}

  MaskAttr parseExpr() {
    SmallVector<MaskAttr> terms;
    do {
      MaskAttr t = parseTerm();
      if (!t)
        return {};
      terms.push_back(t);
    } while (succeeded(parser.parseOptionalKeyword("or")));
    return MaskAttr::getOr(ctx(), terms);
  }

private:
  MLIRContext *ctx() { return parser.getContext(); }

  MaskAttr parseTerm() {
    SmallVector<MaskAttr> atoms;
    do {
      MaskAttr a = parseAtom();
      if (!a)
        return {};
      atoms.push_back(a);
    } while (succeeded(parser.parseOptionalKeyword("and")));
    return atoms.size() == 1 ? atoms.front() : MaskAttr::getAnd(ctx(), atoms);
  }

  /// Parses `< int (, int)* >` into `out`, exactly `n` integers.
  ParseResult parseInts(SmallVectorImpl<int64_t> &out, unsigned n) {
    if (parser.parseLess())
      return failure();
    for (unsigned i = 0; i < n; ++i) {
      int64_t v;
      if ((i && parser.parseComma()) || parser.parseInteger(v))
        return failure();
      out.push_back(v);
    }
    return parser.parseGreater();
  }

  /// Builds a leaf through the verifier so bad parameters are diagnosed at
  /// the attribute's location.
  MaskAttr checkedLeaf(llvm::SMLoc loc, MaskKind kind, ArrayRef<int64_t> ps,
                       DenseIntElementsAttr layout = {}) {
    auto emitError = [&] { return parser.emitError(loc); };
    if (failed(MaskAttr::verify(emitError, kind, ps, layout, {})))
      return {};
    switch (kind) {
    case MaskKind::window:
      return MaskAttr::getWindow(ctx(), ps[0], ps[1]);
    case MaskKind::global_tokens:
      return MaskAttr::getGlobal(ctx(), ps);
    case MaskKind::dilated:
      return MaskAttr::getDilated(ctx(), ps[0], ps[1]);
    default:
      return MaskAttr::get(ctx(), kind, ps, layout, {});
    }
  }

  MaskAttr parseAtom() {
    llvm::SMLoc loc = parser.getCurrentLocation();
    if (succeeded(parser.parseOptionalLParen())) {
      MaskAttr inner = parseExpr();
      if (!inner || parser.parseRParen())
        return {};
      return inner;
    }
    StringRef word;
    if (parser.parseKeyword(&word)) {
      return {};
    }
    SmallVector<int64_t> ps;
    if (word == "full")
      return MaskAttr::getFull(ctx());
    if (word == "causal")
      return MaskAttr::getCausal(ctx());
    if (word == "window") {
      if (parseInts(ps, 2))
        return {};
      return checkedLeaf(loc, MaskKind::window, ps);
    }
    if (word == "sinks") {
      if (parseInts(ps, 1))
        return {};
      return checkedLeaf(loc, MaskKind::sinks, ps);
    }
    if (word == "dilated") {
      if (parseInts(ps, 2))
        return {};
      return checkedLeaf(loc, MaskKind::dilated, ps);
    }
    if (word == "global") {
      if (parser.parseLess() ||
          parser.parseCommaSeparatedList(
              AsmParser::Delimiter::Square,
              [&]() { return parser.parseInteger(ps.emplace_back()); }) ||
          parser.parseGreater())
        return {};
      return checkedLeaf(loc, MaskKind::global_tokens, ps);
    }
    if (word == "blocks") {
      int64_t size;
      Attribute layout;
      if (parser.parseLess() || parser.parseInteger(size) ||
          parser.parseComma() || parser.parseAttribute(layout) ||
          parser.parseGreater())
        return {};
      auto dense = llvm::dyn_cast<DenseIntElementsAttr>(layout);
      if (!dense) {
        parser.emitError(loc) << "block layout must be a dense i1 tensor";
        return {};
      }
      return checkedLeaf(loc, MaskKind::blocks, {size}, dense);
    }
    parser.emitError(loc)
        << "unknown mask form '" << word
        << "'; expected full, causal, window, sinks, global, dilated or "
           "blocks";
    return {};
  }

  AsmParser &parser;
};
} // namespace

Attribute MaskAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  MaskAttr mask = MaskParser(parser).parseExpr();
  if (!mask || parser.parseGreater())
    return {};
  return mask;
}
