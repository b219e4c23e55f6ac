// RUN: seqc-opt %s --seq-select-impl | FileCheck %s

// CHECK-LABEL: func.func @choices
func.func @choices(%x: tensor<1x4x4096xf32>, %k: tensor<4x4096xf32>,
                   %ks: tensor<4x8xf32>, %xd: tensor<1x4x?xf32>,
                   %z: tensor<4x16xcomplex<f32>>, %xl: tensor<1x4x65536xf32>,
                   %km: tensor<4x2048xf32>, %kk: tensor<4x64xf32>) {
  // A kernel as long as the input: FFT.
  // CHECK: seq.long_conv %arg0, %arg1 {impl = #seq.impl<fft>}
  %a = seq.long_conv %x, %k : (tensor<1x4x4096xf32>, tensor<4x4096xf32>) -> tensor<1x4x4096xf32>
  // A short kernel: direct, also at a symbolic length.
  // CHECK: seq.long_conv %arg0, %arg2 {impl = #seq.impl<direct>}
  %b = seq.long_conv %x, %ks : (tensor<1x4x4096xf32>, tensor<4x8xf32>) -> tensor<1x4x4096xf32>
  // CHECK: seq.long_conv %arg3, %arg2 {impl = #seq.impl<direct>}
  %c = seq.long_conv %xd, %ks : (tensor<1x4x?xf32>, tensor<4x8xf32>) -> tensor<1x4x?xf32>
  // L >> K with K in the thousands: overlap-save blocks (n = 16384 here).
  // CHECK: seq.long_conv %arg5, %arg6 {impl = #seq.impl<overlap_save>}
  %f = seq.long_conv %xl, %km : (tensor<1x4x65536xf32>, tensor<4x2048xf32>) -> tensor<1x4x65536xf32>
  // A short kernel stays with the vectorized direct sum.
  // CHECK: seq.long_conv %arg5, %arg7 {impl = #seq.impl<direct>}
  %g = seq.long_conv %xl, %kk : (tensor<1x4x65536xf32>, tensor<4x64xf32>) -> tensor<1x4x65536xf32>
  // A choice already made is kept.
  // CHECK: seq.long_conv %arg0, %arg1 {impl = #seq.impl<direct>}
  %d = seq.long_conv %x, %k {impl = #seq.impl<direct>} : (tensor<1x4x4096xf32>, tensor<4x4096xf32>) -> tensor<1x4x4096xf32>
  // FFTs: mixed radix for a smooth static length.
  // CHECK: seq.fft %arg4 {axis = 1 : i64, impl = #seq.impl<mixed_radix>}
  %e = seq.fft %z {axis = 1 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<4x16xcomplex<f32>>
  return
}
