// RUN: seqc-opt %s --seq-raise-onnx --split-input-file | FileCheck %s

// Hyena's irfft(rfft(u, n=32) * rfft(k, n=32), n=32) with onesided forward
// DFTs: the product's 17 bins are extended to 32 by the conjugated mirror
// of bins 15..1 (Slice start -2, step -1; Mul by (1, -1)), parts taken by
// Slice, the real part by Slice + Squeeze. N = 32 >= 16 + 8 - 1: one
// long_conv at length 32 (x zero-padded), the constant kernel kept constant,
// and no DFT is left (the pattern fires before DFTToSeq).
// CHECK-LABEL: func.func @onesided_slice_parts
// CHECK-NOT: onnx.DFT
// CHECK-DAG: %[[K:.*]] = arith.constant dense<5.000000e-01> : tensor<4x8xf32>
// CHECK-DAG: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<?x4x16x1xf32> into tensor<?x4x16xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 0] high[0, 0, 16]
// CHECK: %[[Y:.*]] = seq.long_conv %[[P]], %[[K]] : (tensor<?x4x32xf32>, tensor<4x8xf32>) -> tensor<?x4x32xf32>
// CHECK-NOT: seq.fft
// CHECK-NOT: seq.rfft
// CHECK: return %[[Y]] : tensor<?x4x32xf32>
func.func @onesided_slice_parts(%u: tensor<?x4x16xf32>) -> tensor<?x4x32xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %m2 = onnx.Constant() {value = dense<-2> : tensor<1xi64>} : () -> tensor<1xi64>
  %i0 = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %i1 = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %i2 = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = onnx.Constant() {value = dense<32> : tensor<i64>} : () -> tensor<i64>
  %conj = onnx.Constant() {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %k = onnx.Constant() {value = dense<0.5> : tensor<4x8xf32>} : () -> tensor<4x8xf32>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<?x4x16xf32>, tensor<1xi64>) -> tensor<?x4x16x1xf32>
  %k1 = onnx.Unsqueeze(%k, %m1) : (tensor<4x8xf32>, tensor<1xi64>) -> tensor<4x8x1xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<?x4x16x1xf32>, tensor<i64>) -> tensor<?x4x17x2xf32>
  %kf = onnx.DFT(%k1, %n) {axis = 1 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<4x8x1xf32>, tensor<i64>) -> tensor<4x17x2xf32>
  %xr = onnx.Slice(%xf, %i0, %i1, %m1, %none) : (tensor<?x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?x4x17x1xf32>
  %xi = onnx.Slice(%xf, %i1, %i2, %m1, %none) : (tensor<?x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?x4x17x1xf32>
  %kr = onnx.Slice(%kf, %i0, %i1, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %ki = onnx.Slice(%kf, %i1, %i2, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %rr = onnx.Mul(%xr, %kr) : (tensor<?x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<?x4x17x1xf32>
  %ii = onnx.Mul(%ki, %xi) : (tensor<4x17x1xf32>, tensor<?x4x17x1xf32>) -> tensor<?x4x17x1xf32>
  %ri = onnx.Mul(%xr, %ki) : (tensor<?x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<?x4x17x1xf32>
  %ir = onnx.Mul(%xi, %kr) : (tensor<?x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<?x4x17x1xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<?x4x17x1xf32>, tensor<?x4x17x1xf32>) -> tensor<?x4x17x1xf32>
  %im = onnx.Add(%ir, %ri) : (tensor<?x4x17x1xf32>, tensor<?x4x17x1xf32>) -> tensor<?x4x17x1xf32>
  %p = onnx.Concat(%re, %im) {axis = -1 : i64} : (tensor<?x4x17x1xf32>, tensor<?x4x17x1xf32>) -> tensor<?x4x17x2xf32>
  %rev = onnx.Slice(%p, %m2, %i0, %i2, %m1) : (tensor<?x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4x15x2xf32>
  %mir = onnx.Mul(%rev, %conj) : (tensor<?x4x15x2xf32>, tensor<2xf32>) -> tensor<?x4x15x2xf32>
  %s = onnx.Concat(%p, %mir) {axis = 2 : i64} : (tensor<?x4x17x2xf32>, tensor<?x4x15x2xf32>) -> tensor<?x4x32x2xf32>
  %y = onnx.DFT(%s, %none) {axis = 2 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<?x4x32x2xf32>, none) -> tensor<?x4x32x2xf32>
  %yr = onnx.Slice(%y, %i0, %i1, %m1, %none) : (tensor<?x4x32x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?x4x32x1xf32>
  %out = onnx.Squeeze(%yr, %m1) : (tensor<?x4x32x1xf32>, tensor<1xi64>) -> tensor<?x4x32xf32>
  return %out : tensor<?x4x32xf32>
}

// -----

// Full spectra (onesided = 0): no Hermitian extension. Parts by Gather with
// re and im Unsqueezed back, the kernel spectrum first in every product, a
// run-time kernel (1, C, K, 1), the real part by Gather, and a Slice [0:16)
// along time folded in: the long_conv runs at length 16 = L.
// CHECK-LABEL: func.func @full_gather_parts
// CHECK-DAG: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<2x4x16x1xf32> into tensor<2x4x16xf32>
// CHECK-DAG: %[[K:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2, 3]] : tensor<1x4x8x1xf32> into tensor<4x8xf32>
// CHECK: %[[Y:.*]] = seq.long_conv %[[X]], %[[K]] : (tensor<2x4x16xf32>, tensor<4x8xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: onnx.Slice
// CHECK-NOT: seq.fft
// CHECK: return %[[Y]] : tensor<2x4x16xf32>
func.func @full_gather_parts(%u: tensor<2x4x16xf32>, %k1: tensor<1x4x8x1xf32>) -> tensor<2x4x16xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %i0 = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %i2 = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %i16 = onnx.Constant() {value = dense<16> : tensor<1xi64>} : () -> tensor<1xi64>
  %g0 = onnx.Constant() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %g1 = onnx.Constant() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %n = onnx.Constant() {value = dense<32> : tensor<i64>} : () -> tensor<i64>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<2x4x16xf32>, tensor<1xi64>) -> tensor<2x4x16x1xf32>
  %kf = onnx.DFT(%k1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<1x4x8x1xf32>, tensor<i64>) -> tensor<1x4x32x2xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<2x4x16x1xf32>, tensor<i64>) -> tensor<2x4x32x2xf32>
  %kr = onnx.Gather(%kf, %g0) {axis = -1 : i64} : (tensor<1x4x32x2xf32>, tensor<i64>) -> tensor<1x4x32xf32>
  %ki = onnx.Gather(%kf, %g1) {axis = -1 : i64} : (tensor<1x4x32x2xf32>, tensor<i64>) -> tensor<1x4x32xf32>
  %xr = onnx.Gather(%xf, %g0) {axis = 3 : i64} : (tensor<2x4x32x2xf32>, tensor<i64>) -> tensor<2x4x32xf32>
  %xi = onnx.Gather(%xf, %g1) {axis = 3 : i64} : (tensor<2x4x32x2xf32>, tensor<i64>) -> tensor<2x4x32xf32>
  %rr = onnx.Mul(%kr, %xr) : (tensor<1x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %ii = onnx.Mul(%ki, %xi) : (tensor<1x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %ri = onnx.Mul(%kr, %xi) : (tensor<1x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %ir = onnx.Mul(%xr, %ki) : (tensor<2x4x32xf32>, tensor<1x4x32xf32>) -> tensor<2x4x32xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<2x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %im = onnx.Add(%ri, %ir) : (tensor<2x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %re1 = onnx.Unsqueeze(%re, %m1) : (tensor<2x4x32xf32>, tensor<1xi64>) -> tensor<2x4x32x1xf32>
  %im1 = onnx.Unsqueeze(%im, %m1) : (tensor<2x4x32xf32>, tensor<1xi64>) -> tensor<2x4x32x1xf32>
  %p = onnx.Concat(%re1, %im1) {axis = 3 : i64} : (tensor<2x4x32x1xf32>, tensor<2x4x32x1xf32>) -> tensor<2x4x32x2xf32>
  %y = onnx.DFT(%p, %none) {axis = 2 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x4x32x2xf32>, none) -> tensor<2x4x32x2xf32>
  %yr = onnx.Gather(%y, %g0) {axis = -1 : i64} : (tensor<2x4x32x2xf32>, tensor<i64>) -> tensor<2x4x32xf32>
  %out = onnx.Slice(%yr, %i0, %i16, %i2, %none) : (tensor<2x4x32xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<2x4x16xf32>
  return %out : tensor<2x4x16xf32>
}

// -----

// An unbatched signal (C, L) and conjugation as Concat(re, Neg(im)); the
// real part keeps its trailing unit dim (Slice, no Squeeze) and a Slice
// [0:10) along time is folded: x is cut to 10 samples and the constant
// kernel to its first 10 taps (later taps never reach an output).
// CHECK-LABEL: func.func @unbatched_concat_conj_cut
// CHECK-DAG: %[[K:.*]] = arith.constant dense<2.500000e-01> : tensor<4x10xf32>
// CHECK-DAG: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<4x16x1xf32> into tensor<4x16xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[C]] {{\[}}[0, 1], [2]] output_shape [1, 4, 16] : tensor<4x16xf32> into tensor<1x4x16xf32>
// CHECK: %[[X:.*]] = tensor.extract_slice %[[E]][0, 0, 0] [1, 4, 10] [1, 1, 1] : tensor<1x4x16xf32> to tensor<1x4x10xf32>
// CHECK: %[[Y:.*]] = seq.long_conv %[[X]], %[[K]] : (tensor<1x4x10xf32>, tensor<4x10xf32>) -> tensor<1x4x10xf32>
// CHECK: %[[Y2:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1], [2]] : tensor<1x4x10xf32> into tensor<4x10xf32>
// CHECK: %[[Y3:.*]] = tensor.expand_shape %[[Y2]] {{\[}}[0], [1, 2]] output_shape [4, 10, 1] : tensor<4x10xf32> into tensor<4x10x1xf32>
// CHECK: return %[[Y3]] : tensor<4x10x1xf32>
func.func @unbatched_concat_conj_cut(%u: tensor<4x16xf32>) -> tensor<4x10x1xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %i0 = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %i1 = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %i2 = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %i10 = onnx.Constant() {value = dense<10> : tensor<1xi64>} : () -> tensor<1xi64>
  %i15 = onnx.Constant() {value = dense<15> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = onnx.Constant() {value = dense<32> : tensor<i64>} : () -> tensor<i64>
  %k = onnx.Constant() {value = dense<0.25> : tensor<4x12x1xf32>} : () -> tensor<4x12x1xf32>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<4x16xf32>, tensor<1xi64>) -> tensor<4x16x1xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 1 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<4x16x1xf32>, tensor<i64>) -> tensor<4x17x2xf32>
  %kf = onnx.DFT(%k, %n) {axis = 1 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<4x12x1xf32>, tensor<i64>) -> tensor<4x17x2xf32>
  %xr = onnx.Slice(%xf, %i0, %i1, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %xi = onnx.Slice(%xf, %i1, %i2, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %kr = onnx.Slice(%kf, %i0, %i1, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %ki = onnx.Slice(%kf, %i1, %i2, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %rr = onnx.Mul(%xr, %kr) : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x1xf32>
  %ii = onnx.Mul(%xi, %ki) : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x1xf32>
  %ri = onnx.Mul(%xr, %ki) : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x1xf32>
  %ir = onnx.Mul(%xi, %kr) : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x1xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x1xf32>
  %im = onnx.Add(%ri, %ir) : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x1xf32>
  %p = onnx.Concat(%re, %im) {axis = -1 : i64} : (tensor<4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<4x17x2xf32>
  %rev = onnx.Slice(%p, %i15, %i0, %i1, %m1) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x15x2xf32>
  %mr = onnx.Slice(%rev, %i0, %i1, %m1, %none) : (tensor<4x15x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x15x1xf32>
  %mi = onnx.Slice(%rev, %i1, %i2, %m1, %none) : (tensor<4x15x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x15x1xf32>
  %nmi = onnx.Neg(%mi) : (tensor<4x15x1xf32>) -> tensor<4x15x1xf32>
  %mir = onnx.Concat(%mr, %nmi) {axis = 2 : i64} : (tensor<4x15x1xf32>, tensor<4x15x1xf32>) -> tensor<4x15x2xf32>
  %s = onnx.Concat(%p, %mir) {axis = -2 : i64} : (tensor<4x17x2xf32>, tensor<4x15x2xf32>) -> tensor<4x32x2xf32>
  %y = onnx.DFT(%s, %none) {axis = 1 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<4x32x2xf32>, none) -> tensor<4x32x2xf32>
  %yr = onnx.Slice(%y, %i0, %i1, %m1, %none) : (tensor<4x32x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x32x1xf32>
  %out = onnx.Slice(%yr, %i0, %i10, %i1, %none) : (tensor<4x32x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x10x1xf32>
  return %out : tensor<4x10x1xf32>
}

// -----

// Not raised: N = 16 < L + K - 1 = 23, so the product of spectra is a
// circular convolution that wraps around; the DFTs are raised one by one.
// CHECK-LABEL: func.func @too_short
// CHECK-NOT: seq.long_conv
// CHECK-COUNT-3: seq.fft
// CHECK-NOT: seq.long_conv
// CHECK: return
func.func @too_short(%u: tensor<2x4x16xf32>, %k1: tensor<4x8x1xf32>) -> tensor<2x4x16xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %g0 = onnx.Constant() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %g1 = onnx.Constant() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %n = onnx.Constant() {value = dense<16> : tensor<i64>} : () -> tensor<i64>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<2x4x16xf32>, tensor<1xi64>) -> tensor<2x4x16x1xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<2x4x16x1xf32>, tensor<i64>) -> tensor<2x4x16x2xf32>
  %kf = onnx.DFT(%k1, %n) {axis = 1 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<4x8x1xf32>, tensor<i64>) -> tensor<4x16x2xf32>
  %xr = onnx.Gather(%xf, %g0) {axis = -1 : i64} : (tensor<2x4x16x2xf32>, tensor<i64>) -> tensor<2x4x16xf32>
  %xi = onnx.Gather(%xf, %g1) {axis = -1 : i64} : (tensor<2x4x16x2xf32>, tensor<i64>) -> tensor<2x4x16xf32>
  %kr = onnx.Gather(%kf, %g0) {axis = -1 : i64} : (tensor<4x16x2xf32>, tensor<i64>) -> tensor<4x16xf32>
  %ki = onnx.Gather(%kf, %g1) {axis = -1 : i64} : (tensor<4x16x2xf32>, tensor<i64>) -> tensor<4x16xf32>
  %rr = onnx.Mul(%xr, %kr) : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  %ii = onnx.Mul(%xi, %ki) : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  %ri = onnx.Mul(%xr, %ki) : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  %ir = onnx.Mul(%xi, %kr) : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %im = onnx.Add(%ri, %ir) : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %re1 = onnx.Unsqueeze(%re, %m1) : (tensor<2x4x16xf32>, tensor<1xi64>) -> tensor<2x4x16x1xf32>
  %im1 = onnx.Unsqueeze(%im, %m1) : (tensor<2x4x16xf32>, tensor<1xi64>) -> tensor<2x4x16x1xf32>
  %p = onnx.Concat(%re1, %im1) {axis = -1 : i64} : (tensor<2x4x16x1xf32>, tensor<2x4x16x1xf32>) -> tensor<2x4x16x2xf32>
  %y = onnx.DFT(%p, %none) {axis = 2 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x4x16x2xf32>, none) -> tensor<2x4x16x2xf32>
  %out = onnx.Gather(%y, %g0) {axis = -1 : i64} : (tensor<2x4x16x2xf32>, tensor<i64>) -> tensor<2x4x16xf32>
  return %out : tensor<2x4x16xf32>
}

// -----

// Not raised: the mirror is multiplied by (-1, 1), which negates it instead
// of conjugating it (the inverse is then not of a Hermitian spectrum).
// CHECK-LABEL: func.func @wrong_sign_mirror
// CHECK-NOT: seq.long_conv
// CHECK: seq.fft {{.*}}inverse
// CHECK-NOT: seq.long_conv
// CHECK: return
func.func @wrong_sign_mirror(%u: tensor<1x4x16xf32>, %k1: tensor<4x8x1xf32>) -> tensor<1x4x32xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %m2 = onnx.Constant() {value = dense<-2> : tensor<1xi64>} : () -> tensor<1xi64>
  %i0 = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %i1 = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %i2 = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = onnx.Constant() {value = dense<32> : tensor<i64>} : () -> tensor<i64>
  %neg = onnx.Constant() {value = dense<[[-1.0, 1.0]]> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<1x4x16xf32>, tensor<1xi64>) -> tensor<1x4x16x1xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<1x4x16x1xf32>, tensor<i64>) -> tensor<1x4x17x2xf32>
  %kf = onnx.DFT(%k1, %n) {axis = 1 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<4x8x1xf32>, tensor<i64>) -> tensor<4x17x2xf32>
  %xr = onnx.Slice(%xf, %i0, %i1, %m1, %none) : (tensor<1x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x4x17x1xf32>
  %xi = onnx.Slice(%xf, %i1, %i2, %m1, %none) : (tensor<1x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x4x17x1xf32>
  %kr = onnx.Slice(%kf, %i0, %i1, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %ki = onnx.Slice(%kf, %i1, %i2, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %rr = onnx.Mul(%xr, %kr) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %ii = onnx.Mul(%xi, %ki) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %ri = onnx.Mul(%xr, %ki) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %ir = onnx.Mul(%xi, %kr) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<1x4x17x1xf32>, tensor<1x4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %im = onnx.Add(%ri, %ir) : (tensor<1x4x17x1xf32>, tensor<1x4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %p = onnx.Concat(%re, %im) {axis = -1 : i64} : (tensor<1x4x17x1xf32>, tensor<1x4x17x1xf32>) -> tensor<1x4x17x2xf32>
  %rev = onnx.Slice(%p, %m2, %i0, %i2, %m1) : (tensor<1x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4x15x2xf32>
  %mir = onnx.Mul(%neg, %rev) : (tensor<1x2xf32>, tensor<1x4x15x2xf32>) -> tensor<1x4x15x2xf32>
  %s = onnx.Concat(%p, %mir) {axis = 2 : i64} : (tensor<1x4x17x2xf32>, tensor<1x4x15x2xf32>) -> tensor<1x4x32x2xf32>
  %y = onnx.DFT(%s, %none) {axis = 2 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<1x4x32x2xf32>, none) -> tensor<1x4x32x2xf32>
  %yr = onnx.Slice(%y, %i0, %i1, %m1, %none) : (tensor<1x4x32x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x4x32x1xf32>
  %out = onnx.Squeeze(%yr, %m1) : (tensor<1x4x32x1xf32>, tensor<1xi64>) -> tensor<1x4x32xf32>
  return %out : tensor<1x4x32xf32>
}

// -----

// Not raised: the signal has one channel and the kernel four, so the
// product broadcasts x over the kernel's channels (not depthwise).
// CHECK-LABEL: func.func @not_depthwise
// CHECK-NOT: seq.long_conv
// CHECK: seq.fft {{.*}}inverse
// CHECK-NOT: seq.long_conv
// CHECK: return
func.func @not_depthwise(%u: tensor<2x1x16xf32>, %k1: tensor<4x8x1xf32>) -> tensor<2x4x32xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %g0 = onnx.Constant() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %g1 = onnx.Constant() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %n = onnx.Constant() {value = dense<32> : tensor<i64>} : () -> tensor<i64>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<2x1x16xf32>, tensor<1xi64>) -> tensor<2x1x16x1xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<2x1x16x1xf32>, tensor<i64>) -> tensor<2x1x32x2xf32>
  %kf = onnx.DFT(%k1, %n) {axis = 1 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<4x8x1xf32>, tensor<i64>) -> tensor<4x32x2xf32>
  %xr = onnx.Gather(%xf, %g0) {axis = -1 : i64} : (tensor<2x1x32x2xf32>, tensor<i64>) -> tensor<2x1x32xf32>
  %xi = onnx.Gather(%xf, %g1) {axis = -1 : i64} : (tensor<2x1x32x2xf32>, tensor<i64>) -> tensor<2x1x32xf32>
  %kr = onnx.Gather(%kf, %g0) {axis = -1 : i64} : (tensor<4x32x2xf32>, tensor<i64>) -> tensor<4x32xf32>
  %ki = onnx.Gather(%kf, %g1) {axis = -1 : i64} : (tensor<4x32x2xf32>, tensor<i64>) -> tensor<4x32xf32>
  %rr = onnx.Mul(%xr, %kr) : (tensor<2x1x32xf32>, tensor<4x32xf32>) -> tensor<2x4x32xf32>
  %ii = onnx.Mul(%xi, %ki) : (tensor<2x1x32xf32>, tensor<4x32xf32>) -> tensor<2x4x32xf32>
  %ri = onnx.Mul(%xr, %ki) : (tensor<2x1x32xf32>, tensor<4x32xf32>) -> tensor<2x4x32xf32>
  %ir = onnx.Mul(%xi, %kr) : (tensor<2x1x32xf32>, tensor<4x32xf32>) -> tensor<2x4x32xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<2x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %im = onnx.Add(%ri, %ir) : (tensor<2x4x32xf32>, tensor<2x4x32xf32>) -> tensor<2x4x32xf32>
  %re1 = onnx.Unsqueeze(%re, %m1) : (tensor<2x4x32xf32>, tensor<1xi64>) -> tensor<2x4x32x1xf32>
  %im1 = onnx.Unsqueeze(%im, %m1) : (tensor<2x4x32xf32>, tensor<1xi64>) -> tensor<2x4x32x1xf32>
  %p = onnx.Concat(%re1, %im1) {axis = -1 : i64} : (tensor<2x4x32x1xf32>, tensor<2x4x32x1xf32>) -> tensor<2x4x32x2xf32>
  %y = onnx.DFT(%p, %none) {axis = 2 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x4x32x2xf32>, none) -> tensor<2x4x32x2xf32>
  %out = onnx.Gather(%y, %g0) {axis = -1 : i64} : (tensor<2x4x32x2xf32>, tensor<i64>) -> tensor<2x4x32xf32>
  return %out : tensor<2x4x32xf32>
}

// -----

// Not raised: the two forward DFTs have different dft_length (32 and 33,
// both 17 onesided bins), so their product is no convolution's spectrum.
// CHECK-LABEL: func.func @mismatched_lengths
// CHECK-NOT: seq.long_conv
// CHECK: seq.fft {{.*}}inverse
// CHECK-NOT: seq.long_conv
// CHECK: return
func.func @mismatched_lengths(%u: tensor<1x4x16xf32>, %k1: tensor<4x8x1xf32>) -> tensor<1x4x32xf32> {
  %m1 = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %m2 = onnx.Constant() {value = dense<-2> : tensor<1xi64>} : () -> tensor<1xi64>
  %i0 = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %i1 = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %i2 = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = onnx.Constant() {value = dense<32> : tensor<i64>} : () -> tensor<i64>
  %n33 = onnx.Constant() {value = dense<33> : tensor<i64>} : () -> tensor<i64>
  %conj = onnx.Constant() {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %none = onnx.NoValue
  %x1 = onnx.Unsqueeze(%u, %m1) : (tensor<1x4x16xf32>, tensor<1xi64>) -> tensor<1x4x16x1xf32>
  %xf = onnx.DFT(%x1, %n) {axis = 2 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<1x4x16x1xf32>, tensor<i64>) -> tensor<1x4x17x2xf32>
  %kf = onnx.DFT(%k1, %n33) {axis = 1 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<4x8x1xf32>, tensor<i64>) -> tensor<4x17x2xf32>
  %xr = onnx.Slice(%xf, %i0, %i1, %m1, %none) : (tensor<1x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x4x17x1xf32>
  %xi = onnx.Slice(%xf, %i1, %i2, %m1, %none) : (tensor<1x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x4x17x1xf32>
  %kr = onnx.Slice(%kf, %i0, %i1, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %ki = onnx.Slice(%kf, %i1, %i2, %m1, %none) : (tensor<4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<4x17x1xf32>
  %rr = onnx.Mul(%xr, %kr) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %ii = onnx.Mul(%xi, %ki) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %ri = onnx.Mul(%xr, %ki) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %ir = onnx.Mul(%xi, %kr) : (tensor<1x4x17x1xf32>, tensor<4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %re = onnx.Sub(%rr, %ii) : (tensor<1x4x17x1xf32>, tensor<1x4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %im = onnx.Add(%ri, %ir) : (tensor<1x4x17x1xf32>, tensor<1x4x17x1xf32>) -> tensor<1x4x17x1xf32>
  %p = onnx.Concat(%re, %im) {axis = -1 : i64} : (tensor<1x4x17x1xf32>, tensor<1x4x17x1xf32>) -> tensor<1x4x17x2xf32>
  %rev = onnx.Slice(%p, %m2, %i0, %i2, %m1) : (tensor<1x4x17x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4x15x2xf32>
  %mir = onnx.Mul(%rev, %conj) : (tensor<1x4x15x2xf32>, tensor<2xf32>) -> tensor<1x4x15x2xf32>
  %s = onnx.Concat(%p, %mir) {axis = 2 : i64} : (tensor<1x4x17x2xf32>, tensor<1x4x15x2xf32>) -> tensor<1x4x32x2xf32>
  %y = onnx.DFT(%s, %none) {axis = 2 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<1x4x32x2xf32>, none) -> tensor<1x4x32x2xf32>
  %yr = onnx.Slice(%y, %i0, %i1, %m1, %none) : (tensor<1x4x32x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<1x4x32x1xf32>
  %out = onnx.Squeeze(%yr, %m1) : (tensor<1x4x32x1xf32>, tensor<1xi64>) -> tensor<1x4x32xf32>
  return %out : tensor<1x4x32xf32>
}
