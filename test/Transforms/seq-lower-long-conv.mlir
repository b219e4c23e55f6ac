// RUN: seqc-opt %s --seq-lower-long-conv --split-input-file | FileCheck %s

// Static length and constant kernel: N = 16 (>= 8 + 8 - 1), the kernel's
// spectrum and the twiddles are constants, the two channels packed into one
// complex column, the stages unrolled: 4 for the input, 4 for the inverse.
// CHECK-LABEL: func.func @static_const
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<8xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<16x1x2xf32>
// CHECK-NOT: seq.long_conv
// CHECK-NOT: scf.for
// CHECK-COUNT-8: linalg.generic {{.*}} outs({{.*}}tensor<16x1x1xf32>, {{.*}}tensor<16x1x1xf32>)
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

// Other algorithms are left for seq-lower-reference.
// CHECK-LABEL: func.func @direct
// CHECK: seq.long_conv {{.*}}impl = #seq.impl<direct>
func.func @direct(%x: tensor<1x2x8xf32>, %k: tensor<2x8xf32>) -> tensor<1x2x8xf32> {
  %y = seq.long_conv %x, %k {impl = #seq.impl<direct>} : (tensor<1x2x8xf32>, tensor<2x8xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}
