//===- LongConv.h - Shared by seq-lower-long-conv's files -------*- C++ -*-===//
#ifndef SEQC_PASSES_LONGCONV_H
#define SEQC_PASSES_LONGCONV_H

#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <cstdint>

namespace seqc {
/// impl = direct: the vectorized, register-blocked direct sum
/// (LongConvDirect.cpp).
void populateLongConvDirectPatterns(mlir::RewritePatternSet &patterns);

/// Overlap-save with a kernel of K taps: FFT blocks of n (a power of two
/// >= 2K) points, each giving n - K + 1 outputs. The flops per output of a
/// block (input transform and inverse; the kernel's spectrum is computed
/// once) with transforms of 5 n log2 n flops and the spectral product.
inline double overlapSaveFlopsPerOutput(int64_t k, int64_t n) {
  double dn = double(n);
  return (2.0 * 5.0 * dn * std::log2(dn) + 6.0 * dn) / double(n - k + 1);
}

/// Largest overlap-save block: 16K points of 16 complex channel columns is
/// 2 MB of planes, about what stays in this machine's L2 cache.
inline constexpr int64_t kMaxOverlapSaveLength = 16384;

/// The block length n for K taps: the power of two >= 2K with the fewest
/// flops per output, at most kMaxOverlapSaveLength (0 when 2K exceeds it).
inline int64_t overlapSaveLength(int64_t k) {
  int64_t best = 0;
  for (int64_t n = 2; n <= kMaxOverlapSaveLength; n *= 2)
    if (n >= 2 * k && (best == 0 || overlapSaveFlopsPerOutput(k, n) <
                                        overlapSaveFlopsPerOutput(k, best)))
      best = n;
  return best;
}
} // namespace seqc

#endif // SEQC_PASSES_LONGCONV_H
