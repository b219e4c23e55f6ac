// RUN: seqc-opt %s --seq-lower-fft --split-input-file | FileCheck %s

// 12 = 4 x 3: two mixed-radix stages, twiddle tables as constants.
// CHECK-LABEL: func.func @mixed
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<12xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<4xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<3xf32>
// CHECK-NOT: seq.fft
// CHECK-COUNT-3: linalg.generic {{.*}}seqc.in_place
// CHECK: complex.create
func.func @mixed(%x: tensor<2x12xcomplex<f32>>) -> tensor<2x12xcomplex<f32>> {
  %y = seq.fft %x {axis = 1 : i64, impl = #seq.impl<mixed_radix>} : (tensor<2x12xcomplex<f32>>) -> tensor<2x12xcomplex<f32>>
  return %y : tensor<2x12xcomplex<f32>>
}

// -----

// A prime length: Bluestein over a power-of-two transform of 32 >= 2*13-1,
// the chirp filter's spectrum computed at compile time.
// CHECK-LABEL: func.func @prime
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<13xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<32x1xf32>
// CHECK-NOT: seq.rfft
// CHECK: return {{.*}} : tensor<3x7xcomplex<f32>>
func.func @prime(%x: tensor<3x13xf32>) -> tensor<3x7xcomplex<f32>> {
  %y = seq.rfft %x {axis = 1 : i64, impl = #seq.impl<bluestein>} : (tensor<3x13xf32>) -> tensor<3x7xcomplex<f32>>
  return %y : tensor<3x7xcomplex<f32>>
}

// -----

// A run-time length: chirp and filter computed, radix-2 stages in a loop.
// CHECK-LABEL: func.func @dynamic
// CHECK: math.ctlz
// CHECK: scf.for
// CHECK-NOT: seq.irfft
func.func @dynamic(%x: tensor<2x?xcomplex<f32>>) -> tensor<2x?xf32> {
  %y = seq.irfft %x {axis = 1 : i64, impl = #seq.impl<bluestein>} : (tensor<2x?xcomplex<f32>>) -> tensor<2x?xf32>
  return %y : tensor<2x?xf32>
}

// -----

// impl = reference is left for seq-lower-reference.
// CHECK-LABEL: func.func @reference
// CHECK: seq.fft
func.func @reference(%x: tensor<2x12xcomplex<f32>>) -> tensor<2x12xcomplex<f32>> {
  %y = seq.fft %x {axis = 1 : i64, impl = #seq.impl<reference>} : (tensor<2x12xcomplex<f32>>) -> tensor<2x12xcomplex<f32>>
  return %y : tensor<2x12xcomplex<f32>>
}
