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

// -----

// SAME padding and ceil_mode on a dynamic dim: the pads and the output size
// are computed at run time (ceil(in / stride) outputs, the total pad split
// with the larger half at the end for SAME_UPPER).
// CHECK-LABEL: func @maxpool_same_dynamic
// CHECK: %[[IN:.*]] = tensor.dim %{{.*}}, %c2
// CHECK: arith.ceildivsi %[[IN]], %c2
// CHECK: %[[TOT:.*]] = arith.maxsi
// CHECK: %[[LO:.*]] = arith.divsi %[[TOT]], %c2
// CHECK: %[[HI:.*]] = arith.subi %[[TOT]], %[[LO]]
// CHECK: tensor.pad %{{.*}} low[0, 0, %[[LO]], 0] high[0, 0, %[[HI]], 0]
// CHECK: linalg.generic
func.func @maxpool_same_dynamic(%x: tensor<1x1x?x4xf32>) -> tensor<1x1x?x4xf32> {
  %0, %i = onnx.MaxPool(%x) {auto_pad = "SAME_UPPER", kernel_shape = [3, 1], strides = [2, 1]} : (tensor<1x1x?x4xf32>) -> (tensor<1x1x?x4xf32>, none)
  return %0 : tensor<1x1x?x4xf32>
}

// -----

// CHECK-LABEL: func @avgpool_ceil_dynamic
// CHECK: arith.ceildivsi
// CHECK: arith.cmpi sge
// CHECK: arith.select
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @avgpool_ceil_dynamic(%x: tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = onnx.AveragePool(%x) {ceil_mode = 1 : i64, kernel_shape = [3, 3], strides = [2, 2]} : (tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
