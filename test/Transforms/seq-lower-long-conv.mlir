// RUN: seqc-opt %s --seq-lower-long-conv --split-input-file | FileCheck %s

// Static length and constant kernel: N = 16 (>= 8 + 8 - 1), the kernel's
// spectrum and the twiddles (16-point and radix-4 tables) are constants, the
// two channels packed into one complex column, the stages unrolled: the
// gather, two radix-4 stages, the spectral product, two radix-4 stages.
// CHECK-LABEL: func.func @static_const
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<4xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<16xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<16x1x2xf32>
// CHECK-NOT: seq.long_conv
// CHECK-NOT: scf.for
// CHECK-COUNT-6: linalg.generic {{.*}} outs({{.*}}tensor<16x1x1xf32>, {{.*}}tensor<16x1x1xf32>)
// CHECK-NOT: outs({{.*}}tensor<16x1x1xf32>, {{.*}}tensor<16x1x1xf32>)
// CHECK: return {{.*}} : tensor<1x2x8xf32>
func.func @static_const(%x: tensor<1x2x8xf32>) -> tensor<1x2x8xf32> {
  %k = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<2x8xf32>
  %y = seq.long_conv %x, %k {impl = #seq.impl<fft>} : (tensor<1x2x8xf32>, tensor<2x8xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// Symbolic length: N = 2^ceil(log2(L+K-1)) at run time, the stages in an
// scf.for, twiddles computed.
// CHECK-LABEL: func.func @dynamic
// CHECK: math.ctlz
// CHECK: math.cos
// CHECK: scf.for
// CHECK: linalg.copy
// CHECK-NOT: seq.long_conv
func.func @dynamic(%x: tensor<1x2x?xf32>, %k: tensor<2x8xf32>) -> tensor<1x2x?xf32> {
  %y = seq.long_conv %x, %k {impl = #seq.impl<fft>} : (tensor<1x2x?xf32>, tensor<2x8xf32>) -> tensor<1x2x?xf32>
  return %y : tensor<1x2x?xf32>
}

// -----

// impl = direct: the vectorized direct sum. The input is padded left by
// K-1-(K-1)/2 = 2 (centred) and right up to whole 128-output blocks; one
// forall task per (batch, channel) row; per tap, one broadcast of the tap
// (read backwards) and 8 unaligned 16-lane loads feed 8 FMA accumulators.
// The lanes are the target's (seqc.target_vector_bits: 512 = 16 f32).
// CHECK-LABEL: func.func @direct_centered
// CHECK: tensor.pad %{{.*}} low[0, 0, %c2] high[0, 0, %{{.*}}]
// CHECK: scf.forall (%{{.*}}) in ({{%c8|8}}) shared_outs
// CHECK: scf.for {{.*}} step %c128
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[TAP:.*]] = arith.subi %c4, %{{.*}}
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %[[TAP]]] : tensor<4x5xf32>
// CHECK-COUNT-8: vector.fma
// CHECK-COUNT-8: vector.transfer_write {{.*}} {in_bounds = [true]}
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 4, %{{.*}}]
// CHECK-NOT: seq.long_conv
module attributes {seqc.target_vector_bits = 512 : i64} {
func.func @direct_centered(%x: tensor<2x4x?xf32>, %k: tensor<4x5xf32>, %b: tensor<4xf32>) -> tensor<2x4x?xf32> {
  %y = seq.long_conv %x, %k bias %b {mode = #seq.conv_mode<centered>, impl = #seq.impl<direct>} : (tensor<2x4x?xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<2x4x?xf32>
  return %y : tensor<2x4x?xf32>
}
}

// -----

// A 256-bit target (AVX2): 8-lane vectors, blocks of 8 x 8 = 64 outputs.
// CHECK-LABEL: func.func @direct_avx2
// CHECK: scf.for {{.*}} step %c64
// CHECK: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-8: vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT: seq.long_conv
module attributes {seqc.target_vector_bits = 256 : i64} {
func.func @direct_avx2(%x: tensor<1x2x?xf32>, %k: tensor<2x3xf32>) -> tensor<1x2x?xf32> {
  %y = seq.long_conv %x, %k {impl = #seq.impl<direct>} : (tensor<1x2x?xf32>, tensor<2x3xf32>) -> tensor<1x2x?xf32>
  return %y : tensor<1x2x?xf32>
}
}

// -----

// The reference algorithm is left for seq-lower-reference.
// CHECK-LABEL: func.func @reference
// CHECK: seq.long_conv {{.*}}impl = #seq.impl<reference>
func.func @reference(%x: tensor<1x2x8xf32>, %k: tensor<2x8xf32>) -> tensor<1x2x8xf32> {
  %y = seq.long_conv %x, %k {impl = #seq.impl<reference>} : (tensor<1x2x8xf32>, tensor<2x8xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// impl = overlap_save: K = 3 gives blocks of n = 8 points (the power of two
// >= 2K) and S = n - K + 1 = 6 outputs each; ceil(L / 6) forall tasks (one
// channel block, batch 1), frame j read from x at 6 j - (K-1) + (K-1)/2 =
// 6 j - 1 (centred) with zeros outside [0, L); the kernel's 8-point
// spectrum is a constant; each task inserts its 6 outputs at 6 j.
// CHECK-LABEL: func.func @overlap_save
// CHECK-DAG: %[[KF:.*]] = arith.constant dense<{{.*}}> : tensor<8x1x2xf32>
// CHECK: %[[L:.*]] = tensor.dim %arg0, %c2
// CHECK: %[[T:.*]] = arith.addi %[[L]], %c5
// CHECK: %[[FR:.*]] = arith.divui %[[T]], %c6
// CHECK: scf.forall (%{{.*}}) in (%[[FR]])
// CHECK: %[[JS:.*]] = arith.muli %{{.*}}, %c6
// CHECK: %[[START:.*]] = arith.addi %[[JS]], %c-1
// CHECK: linalg.generic
// CHECK: arith.addi %[[START]], %{{.*}}
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %[[JS]]] [1, 2, 6] [1, 1, 1]
// CHECK-NOT: seq.long_conv
func.func @overlap_save(%x: tensor<1x2x?xf32>, %b: tensor<2xf32>) -> tensor<1x2x?xf32> {
  %k = arith.constant dense<[[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]]> : tensor<2x3xf32>
  %y = seq.long_conv %x, %k bias %b {mode = #seq.conv_mode<centered>, impl = #seq.impl<overlap_save>} : (tensor<1x2x?xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2x?xf32>
  return %y : tensor<1x2x?xf32>
}
