// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// MaxPool with Indices: one generic with two results (value, flat position
// of the first maximum).
// CHECK-LABEL: func @maxpool_indices
// CHECK: %[[G:.*]]:2 = linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: arith.index_cast %{{.*}} : index to i64
// CHECK: linalg.yield
// CHECK: return %[[G]]#0, %[[G]]#1
func.func @maxpool_indices(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) {
  %y, %i = onnx.MaxPool(%x) {kernel_shape = [2, 2], storage_order = 1 : i64, strides = [2, 2]} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  return %y, %i : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>
}

// -----

// MaxUnpool: a zero-filled output into which an scf.for scatters the values
// (each index split into coordinates), skipping positions outside it.
// CHECK-LABEL: func @maxunpool
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: %[[L:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[Z]])
// CHECK: arith.remsi
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: return %[[L]]
func.func @maxunpool(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32> {
  %none = onnx.NoValue
  %0 = onnx.MaxUnpool(%x, %i, %none) {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}
