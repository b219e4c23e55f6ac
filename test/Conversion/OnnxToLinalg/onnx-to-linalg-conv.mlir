// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Conv with one group and weights of unknown shape: the group views, the
// output channels and the output size (from the run-time kernel size) read
// the weights' dims.
// CHECK-LABEL: func @conv_dynamic_weights
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[W:[a-z0-9]+]]: tensor<?x?x?xf32>
// CHECK: tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3]] {{.*}} : tensor<?x?x?xf32> into tensor<?x1x?x?xf32>
// CHECK: tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3]] {{.*}} : tensor<?x?x?xf32> into tensor<1x?x?x?xf32>
// CHECK: %[[K:.*]] = tensor.dim %[[W]], %c2
// CHECK: arith.subi %[[K]], %c1
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: tensor.collapse_shape
func.func @conv_dynamic_weights(%x: tensor<?x?x?xf32>, %w: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %none = onnx.NoValue
  %0 = onnx.Conv(%x, %w, %none) {strides = [2]} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, none) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Grouped convolutions still need static channel counts.
// CHECK-LABEL: func @conv_groups_static
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x8xf32>
// CHECK: linalg.generic
func.func @conv_groups_static(%x: tensor<1x4x8xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x6x6xf32> {
  %none = onnx.NoValue
  %0 = onnx.Conv(%x, %w, %none) {group = 2 : i64} : (tensor<1x4x8xf32>, tensor<6x2x3xf32>, none) -> tensor<1x6x6xf32>
  return %0 : tensor<1x6x6xf32>
}
