// RUN: seqc-opt %s -canonicalize -split-input-file | FileCheck %s

// Per-head masks that are all equal become one mask.
// CHECK-LABEL: func @uniform_head_masks
// CHECK: seq.attention {{.*}}mask = #seq.mask<causal>,
func.func @uniform_head_masks(%q: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %0 = seq.attention %q, %q, %q {mask = [#seq.mask<causal>, #seq.mask<window<-1, 0>>], scale = 0.5 : f32}
      : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}

// -----

// Different per-head masks stay.
// CHECK-LABEL: func @mixed_head_masks
// CHECK: mask = [#seq.mask<causal>, #seq.mask<window<2, 0>>]
func.func @mixed_head_masks(%q: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %0 = seq.attention %q, %q, %q {mask = [#seq.mask<causal>, #seq.mask<window<2, 0>>], scale = 0.5 : f32}
      : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}

// -----

// An inverse FFT undoes a forward FFT along the same axis.
// CHECK-LABEL: func @fft_roundtrip
// CHECK-SAME: (%[[X:.*]]: tensor<4x12xcomplex<f32>>)
// CHECK-NOT: seq.fft
// CHECK: return %[[X]]
func.func @fft_roundtrip(%x: tensor<4x12xcomplex<f32>>) -> tensor<4x12xcomplex<f32>> {
  %0 = seq.fft %x {axis = 1 : i64} : (tensor<4x12xcomplex<f32>>) -> tensor<4x12xcomplex<f32>>
  %1 = seq.fft %0 {axis = 1 : i64, inverse} : (tensor<4x12xcomplex<f32>>) -> tensor<4x12xcomplex<f32>>
  return %1 : tensor<4x12xcomplex<f32>>
}

// -----

// Not along another axis, and not when a length pads or truncates.
// CHECK-LABEL: func @fft_no_roundtrip
// CHECK-COUNT-4: seq.fft
func.func @fft_no_roundtrip(%x: tensor<12x12xcomplex<f32>>) -> (tensor<12x12xcomplex<f32>>, tensor<12x12xcomplex<f32>>) {
  %0 = seq.fft %x {axis = 1 : i64} : (tensor<12x12xcomplex<f32>>) -> tensor<12x12xcomplex<f32>>
  %1 = seq.fft %0 {axis = 0 : i64, inverse} : (tensor<12x12xcomplex<f32>>) -> tensor<12x12xcomplex<f32>>
  %2 = seq.fft %x {axis = 1 : i64, length = 12 : i64} : (tensor<12x12xcomplex<f32>>) -> tensor<12x12xcomplex<f32>>
  %3 = seq.fft %2 {axis = 1 : i64, inverse} : (tensor<12x12xcomplex<f32>>) -> tensor<12x12xcomplex<f32>>
  return %1, %3 : tensor<12x12xcomplex<f32>>, tensor<12x12xcomplex<f32>>
}

// -----

// Unused mixers are pure and disappear.
// CHECK-LABEL: func @dead_mixer
// CHECK-NOT: seq.
func.func @dead_mixer(%x: tensor<1x4x32xf32>, %k: tensor<4x32xf32>) {
  %0 = seq.long_conv %x, %k : (tensor<1x4x32xf32>, tensor<4x32xf32>) -> tensor<1x4x32xf32>
  return
}
