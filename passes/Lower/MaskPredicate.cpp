//===- MaskPredicate.cpp - #seq.mask as IR ---------------------*- C++ -*-===//
//
// The IR form of MaskAttr::contains. The two are tested against each other
// and against the papers' definitions (test/Dialect/Seq/mask-semantics.test,
// test/e2e/reference).
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/MaskPredicate.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::seq;

Value seqc::emitMaskPredicate(OpBuilder &b, Location loc, MaskAttr mask,
                              Value p, Value j) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto cmp = [&](arith::CmpIPredicate pred, Value x, Value y) -> Value {
    return arith::CmpIOp::create(b, loc, pred, x, y);
  };
  auto both = [&](Value x, Value y) -> Value {
    return arith::AndIOp::create(b, loc, x, y);
  };
  auto either = [&](Value x, Value y) -> Value {
    return arith::OrIOp::create(b, loc, x, y);
  };
  auto boolean = [&](bool v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v ? 1 : 0, 1);
  };
  using P = arith::CmpIPredicate;
  ArrayRef<int64_t> ps = mask.getParams();
  switch (mask.getKind()) {
  case MaskKind::full:
    return boolean(true);
  case MaskKind::window: {
    auto offset = [&](int64_t d) -> Value {
      return d == 0 ? p : arith::AddIOp::create(b, loc, p, cst(d));
    };
    Value lo = ps[0] >= 0 ? cmp(P::sge, j, offset(-ps[0])) : Value();
    Value hi = ps[1] >= 0 ? cmp(P::sle, j, offset(ps[1])) : Value();
    if (lo && hi)
      return both(lo, hi);
    if (lo || hi)
      return lo ? lo : hi;
    return boolean(true);
  }
  case MaskKind::sinks:
    return cmp(P::slt, j, cst(ps[0]));
  case MaskKind::global_tokens: {
    Value ok = boolean(false);
    for (int64_t g : ps)
      ok = either(ok, either(cmp(P::eq, p, cst(g)), cmp(P::eq, j, cst(g))));
    return ok;
  }
  case MaskKind::dilated: {
    Value diff = arith::SubIOp::create(b, loc, p, j);
    Value neg = arith::SubIOp::create(b, loc, cst(0), diff);
    Value absDiff = arith::MaxSIOp::create(b, loc, diff, neg);
    Value inReach = cmp(P::sle, absDiff, cst((ps[0] / 2) * ps[1]));
    Value onGrid =
        cmp(P::eq, arith::RemSIOp::create(b, loc, diff, cst(ps[1])), cst(0));
    return both(inReach, onGrid);
  }
  case MaskKind::blocks: {
    Value size = cst(ps[0]);
    Value bq = arith::FloorDivSIOp::create(b, loc, p, size);
    Value bk = arith::FloorDivSIOp::create(b, loc, j, size);
    auto inRange = [&](Value x, int64_t n) {
      return both(cmp(P::sge, x, cst(0)), cmp(P::slt, x, cst(n)));
    };
    Value ok = both(inRange(bq, mask.getLayoutRows()),
                    inRange(bk, mask.getLayoutCols()));
    Value zero = cst(0);
    Value cq = arith::SelectOp::create(b, loc, ok, bq, zero);
    Value ck = arith::SelectOp::create(b, loc, ok, bk, zero);
    Value layout = arith::ConstantOp::create(b, loc, mask.getLayout());
    Value bit = tensor::ExtractOp::create(b, loc, layout, ValueRange{cq, ck});
    return both(ok, bit);
  }
  case MaskKind::and_: {
    Value ok = boolean(true);
    for (MaskAttr m : mask.getOperands())
      ok = both(ok, emitMaskPredicate(b, loc, m, p, j));
    return ok;
  }
  case MaskKind::or_: {
    Value ok = boolean(false);
    for (MaskAttr m : mask.getOperands())
      ok = either(ok, emitMaskPredicate(b, loc, m, p, j));
    return ok;
  }
  }
  llvm_unreachable("unknown mask kind");
}
