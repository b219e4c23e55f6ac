// RUN: seqc-opt %s --seqc-cpu-codegen --split-input-file | FileCheck %s

// A static f32 matmul: rows split among threads in chunks of 64, 8x32
// register tiles, the contraction lowered to vector FMAs on vector<32xf32>;
// no peeling (128 % 64 == 0, 96 % 32 == 0), and the class attribute removed.
// CHECK-LABEL: func.func @static_mm
// CHECK: scf.forall
// CHECK: scf.for
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: linalg.matmul
// CHECK-NOT: seqc.mm
func.func @static_mm(%a: tensor<128x64xf32>, %b: tensor<64x96xf32>,
                     %c: tensor<128x96xf32>) -> tensor<128x96xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x96xf32>)
                     outs(%c : tensor<128x96xf32>) -> tensor<128x96xf32>
  return %0 : tensor<128x96xf32>
}

// -----

// Dynamic M and N: both tile loops peeled; the full tiles are vectorized and
// a scalar remainder matmul is left on the peeled iterations.
// CHECK-LABEL: func.func @dynamic_mm
// CHECK: scf.forall
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: linalg.matmul
// CHECK-NOT: seqc.mm
func.func @dynamic_mm(%a: tensor<?x64xf32>, %b: tensor<64x?xf32>,
                      %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x?xf32>)
                     outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Batched: one batch entry per thread task, then the same register tiles.
// CHECK-LABEL: func.func @static_bmm
// CHECK: scf.forall
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @static_bmm(%a: tensor<4x16x64xf32>, %b: tensor<4x64x32xf32>,
                      %c: tensor<4x16x32xf32>) -> tensor<4x16x32xf32> {
  %0 = linalg.batch_matmul ins(%a, %b : tensor<4x16x64xf32>, tensor<4x64x32xf32>)
                           outs(%c : tensor<4x16x32xf32>) -> tensor<4x16x32xf32>
  return %0 : tensor<4x16x32xf32>
}

// -----

// f64 matmuls are not in the strategy: untouched.
// CHECK-LABEL: func.func @f64_mm
// CHECK: linalg.matmul
// CHECK-NOT: scf.forall
func.func @f64_mm(%a: tensor<16x16xf64>, %b: tensor<16x16xf64>,
                  %c: tensor<16x16xf64>) -> tensor<16x16xf64> {
  %0 = linalg.matmul ins(%a, %b : tensor<16x16xf64>, tensor<16x16xf64>)
                     outs(%c : tensor<16x16xf64>) -> tensor<16x16xf64>
  return %0 : tensor<16x16xf64>
}
