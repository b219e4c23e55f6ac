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

// A grouped (depthwise) convolution of unknown channel counts: the group
// views divide the run-time channel dims by the (static) group count.
// CHECK-LABEL: func @conv_groups_dynamic
// CHECK: %[[C:.*]] = tensor.dim %{{.*}}, %c1 : tensor<?x?x?xf32>
// CHECK: %[[CG:.*]] = arith.divui %[[C]], %c3
// CHECK: tensor.expand_shape {{.*}} output_shape [%{{.*}}, 3, %[[CG]], %{{.*}}] : tensor<?x?x?xf32> into tensor<?x3x?x?xf32>
// CHECK: arith.divui %{{.*}}, %c3
// CHECK: tensor.expand_shape {{.*}} into tensor<3x?x?x?xf32>
// CHECK: linalg.generic
func.func @conv_groups_dynamic(%x: tensor<?x?x?xf32>, %w: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %none = onnx.NoValue
  %0 = onnx.Conv(%x, %w, %none) {group = 3 : i64} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, none) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// ConvTranspose with weights of unknown shape: the output channels, the
// output size and the loop bounds (input channels per group, kernel taps)
// read the weights' dims.
// CHECK-LABEL: func @conv_transpose_dynamic_weights
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<?x?x?xf32>, %[[W:[a-z0-9]+]]: tensor<?x?x?xf32>
// CHECK: tensor.dim %[[W]], %c1
// CHECK: tensor.dim %[[W]], %c2
// CHECK: linalg.generic
// CHECK: tensor.dim %[[W]], %c0
// CHECK: scf.for
// CHECK: tensor.dim %[[W]], %c2
// CHECK: scf.for
func.func @conv_transpose_dynamic_weights(%x: tensor<?x?x?xf32>, %w: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %none = onnx.NoValue
  %0 = onnx.ConvTranspose(%x, %w, %none) {strides = [2]} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, none) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
