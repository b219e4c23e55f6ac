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
