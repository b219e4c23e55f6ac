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

// -----

// 32 real signals along the last dim: two forall tasks of 16 signals, each
// packing even/odd samples into planes with in-register 16x16 transposes
// (vector.shuffle), vector butterflies (radix 4 then 2 for h = 8) and
// transposing the bins back; the planes become complex elementwise.
// CHECK-LABEL: func.func @blocked_rfft
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xf32>, vector<16xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} [16, 9] [1, 1] : tensor<16x9xf32> into tensor<32x9xf32>
// CHECK: complex.create
// CHECK: return {{.*}} : tensor<32x9xcomplex<f32>>
func.func @blocked_rfft(%x: tensor<32x16xf32>) -> tensor<32x9xcomplex<f32>> {
  %y = seq.rfft %x {axis = 1 : i64, impl = #seq.impl<mixed_radix>} : (tensor<32x16xf32>) -> tensor<32x9xcomplex<f32>>
  return %y : tensor<32x9xcomplex<f32>>
}

// -----

// The irfft of 16 signals: spectrum split into planes, block transposes in
// and out, the even/odd samples interleaved by shuffles.
// CHECK-LABEL: func.func @blocked_irfft
// CHECK: scf.forall (%{{.*}}) in (1)
// CHECK: vector.shuffle {{.*}} [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23] : vector<16xf32>, vector<16xf32>
// CHECK: return {{.*}} : tensor<16x32xf32>
func.func @blocked_irfft(%x: tensor<16x17xcomplex<f32>>) -> tensor<16x32xf32> {
  %y = seq.irfft %x {axis = 1 : i64, impl = #seq.impl<mixed_radix>} : (tensor<16x17xcomplex<f32>>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// A run-time number of signals: ceil(n / 16) tasks, the last one with
// min(16, n - s0) rows; reads of missing signals repeat the last one, and
// each task writes 16-row scratch tensors whose first rows it keeps.
// CHECK-LABEL: func.func @blocked_dynamic
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[T:.*]] = arith.ceildivui %[[N]], %c16
// CHECK: scf.forall (%[[I:.*]]) in (%[[T]])
// CHECK: arith.minui %{{.*}}, %c16
// CHECK: bufferization.alloc_tensor() : tensor<16x33xf32>
// CHECK: tensor.extract_slice {{.*}} : tensor<?x64xf32> to tensor<?x64xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0] [%{{.*}}, 33] [1, 1] : tensor<16x33xf32> to tensor<?x33xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<?x33xf32> into tensor<?x33xf32>
// CHECK: return {{.*}} : tensor<?x33xcomplex<f32>>
func.func @blocked_dynamic(%x: tensor<?x64xf32>) -> tensor<?x33xcomplex<f32>> {
  %y = seq.rfft %x {axis = 1 : i64, impl = #seq.impl<mixed_radix>} : (tensor<?x64xf32>) -> tensor<?x33xcomplex<f32>>
  return %y : tensor<?x33xcomplex<f32>>
}
