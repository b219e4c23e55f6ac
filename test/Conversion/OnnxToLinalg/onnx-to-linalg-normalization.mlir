// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// LRN: an scf.for per element sums the squares over its channel window.
// CHECK-LABEL: func @lrn
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: scf.for
// CHECK: arith.mulf
// CHECK: math.powf
// CHECK: arith.divf
func.func @lrn(%x: tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32> {
  %0 = onnx.LRN(%x) {size = 3 : i64, alpha = 2.0e-04 : f32} : (tensor<1x5x4x4xf32>) -> tensor<1x5x4x4xf32>
  return %0 : tensor<1x5x4x4xf32>
}

// -----

// MeanVarianceNormalization: mean and variance reduced over N, H, W (the
// reductions produce per-channel vectors), then (x - mean) / (sqrt(var) + eps).
// CHECK-LABEL: func @mvn
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: math.sqrt
// CHECK: arith.divf
func.func @mvn(%x: tensor<3x3x3x1xf32>) -> tensor<3x3x3x1xf32> {
  %0 = onnx.MeanVarianceNormalization(%x) : (tensor<3x3x3x1xf32>) -> tensor<3x3x3x1xf32>
  return %0 : tensor<3x3x3x1xf32>
}
