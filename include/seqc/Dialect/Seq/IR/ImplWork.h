//===- ImplWork.h - The work of each seq algorithm --------------*- C++ -*-===//
//
// Flop formulas of the algorithms that implement seq ops, in one place: the
// ops' ImplInterface::estimateWork uses them, the lowerings use the block
// sizes they imply (overlap-save), and bench/calibrate_long_conv.py mirrors
// them to turn measured times into rates. A complex transform of n points
// counts 5 n log2 n flops (the usual radix-2 convention), a complex product
// 6 flops per point.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_IMPLWORK_H
#define SEQC_DIALECT_SEQ_IR_IMPLWORK_H

#include <cmath>
#include <cstdint>

namespace seqc::seq {

/// What an algorithm costs on one op: floating-point operations, in units
/// comparable across the algorithms of that op (per channel for long_conv).
struct ImplWork {
  double flops = 0;
};

namespace work {

/// Flops of one complex transform of `n` points.
inline double complexFFT(double n) { return 5.0 * n * std::log2(n); }

/// The largest prime factor the mixed-radix FFT takes; beyond it, Bluestein.
inline constexpr int64_t kMaxRadix = 31;

/// Whether `n` (> 0) factors into primes <= kMaxRadix.
inline bool isSmooth(int64_t n) {
  for (int64_t p = 2; p <= kMaxRadix && n > 1; ++p)
    while (n % p == 0)
      n /= p;
  return n == 1;
}

/// The smallest power of two >= n (n >= 1).
inline int64_t powerOf2Ceil(int64_t n) {
  int64_t p = 1;
  while (p < n)
    p *= 2;
  return p;
}

/// Bluestein's chirp-z transform of n points: two forward transforms and one
/// inverse of m = 2^ceil(log2(2n - 1)) points plus three chirp products.
inline double bluesteinFFT(int64_t n) {
  double m = double(powerOf2Ceil(2 * n - 1));
  return 3.0 * complexFFT(m) + 18.0 * m;
}

/// The direct sum of a causal convolution of L outputs with K taps.
inline double directConv(int64_t l, int64_t k) {
  return 2.0 * double(l) * double(k);
}

/// One FFT convolution over n = 2^ceil(log2(L + K - 1)) points: `transforms`
/// complex transforms (three; two when the kernel's spectrum is folded at
/// compile time) and the spectral product.
inline double fftConv(int64_t n, int transforms) {
  double dn = double(n);
  return double(transforms) * complexFFT(dn) + 6.0 * dn;
}

/// Overlap-save with a kernel of K taps: FFT blocks of n (a power of two
/// >= 2K) points, each giving n - K + 1 outputs. The flops per output of a
/// block: the input transform and the inverse (the kernel's spectrum is
/// computed once) and the spectral product.
inline double overlapSavePerOutput(int64_t k, int64_t n) {
  double dn = double(n);
  return (2.0 * complexFFT(dn) + 6.0 * dn) / double(n - k + 1);
}

/// Largest overlap-save block: 16K points of 16 complex channel columns is
/// 2 MB of planes, about what stays in an L2 cache.
inline constexpr int64_t kMaxOverlapSaveLength = 16384;

/// The block length n for K taps: the power of two >= 2K with the fewest
/// flops per output, at most kMaxOverlapSaveLength (0 when 2K exceeds it).
inline int64_t overlapSaveLength(int64_t k) {
  int64_t best = 0;
  for (int64_t n = 2; n <= kMaxOverlapSaveLength; n *= 2)
    if (n >= 2 * k && (best == 0 || overlapSavePerOutput(k, n) <
                                        overlapSavePerOutput(k, best)))
      best = n;
  return best;
}

} // namespace work
} // namespace seqc::seq

#endif // SEQC_DIALECT_SEQ_IR_IMPLWORK_H
