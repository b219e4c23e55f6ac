//===- FFTBuilder.h - Generated FFT code on tensors --------------*- C++
//-*-===//
//
// The building blocks of seqc's FFT lowerings (seq-lower-fft,
// seq-lower-long-conv): complex signals in planar form (two f32 tensors) with
// the transform along dim 0 and every other dim batched -- innermost dims
// are channels, so each butterfly is a vector operation across them.
//
// Stages are Stockham (self-sorting, out of place) linalg.generic ops. For a
// radix r stage with span m (the product of the radices before it) and
// l = N / (r m), output row o = k + (j r + q) m reads rows k + j m + t l m:
//
//   y[o] = w_N^(q j m) * sum_{t<r} x[k + j m + t l m] * w_r^(t q)
//
// with w_n = exp(-2 pi i / n). Power-of-two lengths known only at run time
// use radix-2 stages in an scf.for; static lengths whose prime factors are
// small use mixed radices (4, 2, 3, 5, 7, ...) with compile-time twiddle
// tables; any other length goes through Bluestein's chirp-z identity onto a
// power-of-two transform of size >= 2N - 1.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_PASSES_FFTBUILDER_H
#define SEQC_PASSES_FFTBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <complex>
#include <optional>
#include <vector>

namespace seqc::fft {

using mlir::Value;

/// A complex signal as real and imaginary tensors of the same shape.
struct Planar {
  Value re, im;
};

/// A power-of-two transform length: N, log2 N and N/2 as index values, and
/// N when static.
struct Length {
  Value n, logN, half;
  std::optional<int64_t> staticN;
};

/// The largest prime factor the mixed-radix path takes; beyond it, Bluestein.
inline constexpr int64_t kMaxRadix = 31;

/// Whether `n` (> 0) factors into primes <= kMaxRadix.
bool isSmooth(int64_t n);

/// The power of two >= `atLeast` (static when `staticAtLeast` is given).
Length pow2Length(mlir::OpBuilder &b, mlir::Location loc, Value atLeast,
                  std::optional<int64_t> staticAtLeast);

/// A fresh tensor (bufferization.alloc_tensor: never merged by CSE, so every
/// stage has its own destination), filled with `fill` if given.
Value fresh(mlir::OpBuilder &b, mlir::Location loc,
            llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::Type elem,
            Value fill = Value());

/// A parallel linalg.generic with two outputs, marked `seqc.in_place` (its
/// destinations are kept by seqc-fuse-elementwise).
std::pair<Value, Value>
generic2(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange ins,
         Value init0, Value init1, llvm::ArrayRef<mlir::AffineMap> maps,
         llvm::function_ref<void(mlir::OpBuilder &, mlir::Location,
                                 mlir::ValueRange)>
             body);

/// Forward DFT along dim 0 of a power-of-two length: when N is static, the
/// mixed-radix stages (radix 4, unrolled: half the passes of radix 2);
/// otherwise radix-2 stages in an scf.for.
Planar forwardPow2(mlir::OpBuilder &b, mlir::Location loc, Planar x,
                   const Length &len);

/// Forward DFT along dim 0 of `x`, whose dim 0 has length `n` (`staticN`
/// when known): mixed radix (any prime factors, each a direct-sum stage) for
/// static lengths unless `bluestein` is set; Bluestein for run-time lengths.
Planar forward(mlir::OpBuilder &b, mlir::Location loc, Planar x, Value n,
               std::optional<int64_t> staticN, bool bluestein);

/// Signals per block when moving between a model's layout (each signal
/// contiguous) and the planes (FFTLayout.cpp), and the planes' width: the
/// layout moves are 16 x 16 blocks transposed in registers (shuffle masks
/// built for that size), so this is an algorithmic block size, not the
/// target's vector width -- on a narrower target (AVX2: 8 f32 lanes) LLVM
/// splits each 16-lane operation into registers of the target's width.
inline constexpr int64_t kSignalBlock = 16;

/// The planes z[m][j] = x[j][2m] + i x[j][2m+1], m < rows, of up to 16 real
/// signals x (S x L f32, S <= 16, zero past L; lanes past S repeat the last
/// signal): a real transform's half-length complex signal, rows x 16. In
/// the functions below a source (src) may likewise hold fewer than 16
/// signals; a destination (dest) holds exactly 16.
Planar packEvenOdd(mlir::OpBuilder &b, mlir::Location loc, Value x,
                   int64_t rows);

/// A fresh rows x 16 plane p[m][j] = src[j][m] (src S x M f32, zero past
/// M).
Value loadTransposed(mlir::OpBuilder &b, mlir::Location loc, Value src,
                     int64_t rows);

/// `dest` (16 x M f32) with dest[j][m] = plane[m][j] for m < min(rows, M).
Value storeTransposed(mlir::OpBuilder &b, mlir::Location loc, Value plane,
                      Value dest);

/// `dest` (16 x L f32) with dest[j][2m] = z.re[m][j] and dest[j][2m+1] =
/// z.im[m][j] (positions past L dropped): the inverse of packEvenOdd.
Value unpackEvenOdd(mlir::OpBuilder &b, mlir::Location loc, Planar z,
                    Value dest);

/// In-place radix-2 FFT in double precision, for spectra computed at
/// compile time (a.size() a power of two).
void hostFFT(std::vector<std::complex<double>> &a);

} // namespace seqc::fft

#endif // SEQC_PASSES_FFTBUILDER_H
