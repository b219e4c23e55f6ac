//===- LongConv.h - Shared by seq-lower-long-conv's files -------*- C++ -*-===//
#ifndef SEQC_PASSES_LONGCONV_H
#define SEQC_PASSES_LONGCONV_H

#include "seqc/Dialect/Seq/IR/ImplWork.h"

#include "mlir/IR/PatternMatch.h"

namespace seqc {
/// impl = direct: the vectorized, register-blocked direct sum
/// (LongConvDirect.cpp).
void populateLongConvDirectPatterns(mlir::RewritePatternSet &patterns);

/// The overlap-save block length and its limit: one definition, with the
/// flop formulas seq-select-impl uses (seqc/Dialect/Seq/IR/ImplWork.h).
using seq::work::kMaxOverlapSaveLength;
using seq::work::overlapSaveLength;
} // namespace seqc

#endif // SEQC_PASSES_LONGCONV_H
