// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Dropout in inference mode: the output is the input, the mask all true.
// CHECK-LABEL: func @dropout_mask
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<3x4xf32>
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: %[[F:.*]] = linalg.fill ins(%[[T]] : i1)
// CHECK: return %[[X]], %[[F]]
func.func @dropout_mask(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xi1>) {
  %none = onnx.NoValue
  %y, %m = onnx.Dropout(%x, %none, %none) : (tensor<3x4xf32>, none, none) -> (tensor<3x4xf32>, tensor<3x4xi1>)
  return %y, %m : tensor<3x4xf32>, tensor<3x4xi1>
}

// -----

// Unsqueeze with run-time axes and dynamic dims: the axes' bit mask (over
// the result rank) selects one of the reshapes the ranks allow (2 of 3
// positions: 3 sets).
// CHECK-LABEL: func @unsqueeze_runtime_axes
// CHECK: %[[M:.*]] = scf.for
// CHECK: arith.shli
// CHECK: scf.index_switch %[[M]] -> tensor<?x?x?xf32>
// CHECK: case 5 {
// CHECK: case 6 {
// CHECK: default {
func.func @unsqueeze_runtime_axes(%x: tensor<?xf32>, %a: tensor<2xi64>) -> tensor<?x?x?xf32> {
  %0 = onnx.Unsqueeze(%x, %a) : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
