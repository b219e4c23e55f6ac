// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Elementwise ops broadcast numpy-style through their indexing maps.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %0 = onnx.Add(%a, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func @matmul_2d
// CHECK: linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = onnx.MatMul(%a, %b) : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Softmax subtracts the row maximum before exp.
// CHECK-LABEL: func @softmax
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = onnx.Softmax(%x) {axis = -1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @transpose_reshape
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: tensor.reshape %{{.*}}(%{{.*}}) : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x6xf32>
func.func @transpose_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %t = onnx.Transpose(%x) {perm = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %s = onnx.Constant() {value = dense<[4, 6]> : tensor<2xi64>} : () -> tensor<2xi64>
  %r = onnx.Reshape(%t, %s) {allowzero = 0 : i64} : (tensor<4x2x3xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return %r : tensor<4x6xf32>
}

// -----

// An operator without a lowering is reported at its location.
func.func @unsupported(%x: tensor<1x1x4x4xf32>, %r: tensor<1x5xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'onnx.MaxRoiPool' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.MaxRoiPool(%x, %r) {pooled_shape = [2, 2]} : (tensor<1x1x4x4xf32>, tensor<1x5xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
