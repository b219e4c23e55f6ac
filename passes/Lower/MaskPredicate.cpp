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
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace seqc;
using namespace seqc::seq;

Value seqc::emitMaskPredicate(OpBuilder &builder, Location loc, MaskAttr mask,
                              Value p, Value j) {
  ImplicitLocOpBuilder b(loc, builder);
  using P = arith::CmpIPredicate;
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  auto boolean = [&](bool v) -> Value {
    return arith::ConstantIntOp::create(b, v ? 1 : 0, 1);
  };
  ArrayRef<int64_t> ps = mask.getParams();
  switch (mask.getKind()) {
  case MaskKind::full:
    return boolean(true);
  case MaskKind::window: {
    auto offset = [&](int64_t d) -> Value {
      return d == 0 ? p : Value(arith::AddIOp::create(b, p, cst(d)));
    };
    Value lo, hi;
    if (ps[0] >= 0)
      lo = arith::CmpIOp::create(b, P::sge, j, offset(-ps[0]));
    if (ps[1] >= 0)
      hi = arith::CmpIOp::create(b, P::sle, j, offset(ps[1]));
    if (lo && hi)
      return arith::AndIOp::create(b, lo, hi);
    if (lo || hi)
      return lo ? lo : hi;
    return boolean(true);
  }
  case MaskKind::sinks:
    return arith::CmpIOp::create(b, P::slt, j, cst(ps[0]));
  case MaskKind::global_tokens: {
    Value ok = boolean(false);
    for (int64_t g : ps)
      ok = arith::OrIOp::create(
          b, ok,
          arith::OrIOp::create(b, arith::CmpIOp::create(b, P::eq, p, cst(g)),
                               arith::CmpIOp::create(b, P::eq, j, cst(g))));
    return ok;
  }
  case MaskKind::dilated: {
    Value diff = arith::SubIOp::create(b, p, j);
    Value neg = arith::SubIOp::create(b, cst(0), diff);
    Value absDiff = arith::MaxSIOp::create(b, diff, neg);
    Value inReach =
        arith::CmpIOp::create(b, P::sle, absDiff, cst((ps[0] / 2) * ps[1]));
    Value onGrid = arith::CmpIOp::create(
        b, P::eq, arith::RemSIOp::create(b, diff, cst(ps[1])), cst(0));
    return arith::AndIOp::create(b, inReach, onGrid);
  }
  case MaskKind::blocks: {
    Value size = cst(ps[0]);
    Value bq = arith::FloorDivSIOp::create(b, p, size);
    Value bk = arith::FloorDivSIOp::create(b, j, size);
    auto inRange = [&](Value x, int64_t n) -> Value {
      return arith::AndIOp::create(b,
                                   arith::CmpIOp::create(b, P::sge, x, cst(0)),
                                   arith::CmpIOp::create(b, P::slt, x, cst(n)));
    };
    Value ok = arith::AndIOp::create(b, inRange(bq, mask.getLayoutRows()),
                                     inRange(bk, mask.getLayoutCols()));
    Value zero = cst(0);
    Value cq = arith::SelectOp::create(b, ok, bq, zero);
    Value ck = arith::SelectOp::create(b, ok, bk, zero);
    Value layout = arith::ConstantOp::create(b, mask.getLayout());
    Value bit = tensor::ExtractOp::create(b, layout, ValueRange{cq, ck});
    return arith::AndIOp::create(b, ok, bit);
  }
  case MaskKind::and_: {
    Value ok = boolean(true);
    for (MaskAttr m : mask.getOperands())
      ok = arith::AndIOp::create(b, ok, emitMaskPredicate(b, loc, m, p, j));
    return ok;
  }
  case MaskKind::or_: {
    Value ok = boolean(false);
    for (MaskAttr m : mask.getOperands())
      ok = arith::OrIOp::create(b, ok, emitMaskPredicate(b, loc, m, p, j));
    return ok;
  }
  }
  llvm_unreachable("unknown mask kind");
}
