//===- LongConv.h - Shared by seq-lower-long-conv's files -------*- C++ -*-===//
#ifndef SEQC_PASSES_LONGCONV_H
#define SEQC_PASSES_LONGCONV_H

#include "mlir/IR/PatternMatch.h"

namespace seqc {
/// impl = direct: the vectorized, register-blocked direct sum
/// (LongConvDirect.cpp).
void populateLongConvDirectPatterns(mlir::RewritePatternSet &patterns);
} // namespace seqc

#endif // SEQC_PASSES_LONGCONV_H
