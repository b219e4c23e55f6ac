//===- CostModel.h - The machine half of seq-select-impl --------*- C++ -*-===//
//
// seq-select-impl estimates the time of each algorithm of a token mixer as
// its work (the op's ImplInterface::estimateWork, formulas in
// seqc/Dialect/Seq/IR/ImplWork.h) divided by the sustained rate of seqc's
// generated code for that (op, algorithm) pair on the target. This header
// holds the rates. A pair without a rate has no fast lowering yet, so it is
// never chosen; an op with no rated algorithm keeps `reference`.
//
// Calibration: bench/calibrate_long_conv.py (its 12 default (L, K) pairs,
// C = 256, median of 5 runs; 2026-11-30 12:29 on the 2-core development VM,
// output in bench/results/calibrate_long_conv.txt). The model agrees with the
// faster measured long-conv path on 9 of the 12 pairs and is within 1.12x on
// the other 3; the crossover from the direct sum is K* ~ 200-280,
// overlap-save then wins until K ~ L/8, the single FFT beyond. Every rate
// is the default of a seq-select-impl pass option (below), so a machine can
// be calibrated without rebuilding.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_COSTMODEL_H
#define SEQC_TRANSFORMS_COSTMODEL_H

#include "seqc/Dialect/Seq/IR/Seq.h"

#include <optional>

namespace seqc {

/// Sustained rates (GFLOP/s, one thread) of the generated algorithms.
struct CostModel {
  /// long_conv, impl = direct (passes/Lower/LongConvDirect.cpp):
  /// option `long-conv-direct-gflops`.
  double longConvDirect = 109.67;
  /// long_conv, impl = fft (passes/Lower/LowerLongConv.cpp):
  /// option `long-conv-fft-gflops`.
  double longConvFFT = 45.24;
  /// long_conv, impl = overlap_save: option `long-conv-overlap-save-gflops`.
  double longConvOverlapSave = 33.91;
  /// fft/rfft/irfft, impl = mixed_radix or bluestein
  /// (passes/Lower/LowerFFT.cpp; the same generated stages, so one rate):
  /// option `fft-gflops`.
  double fft = 45.24;

  /// The rate of `kind` implementing `op`, if seqc has that lowering.
  std::optional<double> rate(mlir::Operation *op, seq::ImplKind kind) const;
};

/// The algorithm with the smallest estimated time among those `op` allows
/// and `model` rates; `reference` when none is rated.
seq::ImplKind chooseImpl(seq::ImplInterface op, const CostModel &model);

} // namespace seqc

#endif // SEQC_TRANSFORMS_COSTMODEL_H
