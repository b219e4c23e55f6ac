// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// A dynamic dim may be 1 at run time while the result's is not: the operand
// is broadcast first (an scf.if around a copy), and the result size is the
// larger of the operands' sizes.
// CHECK-LABEL: func @add_dynamic_broadcast
// CHECK: %[[DA:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[DB:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[N:.*]] = arith.maxsi %[[DA]], %[[DB]] : index
// CHECK: scf.if
// CHECK:   linalg.generic
// CHECK:     arith.select
// CHECK:     tensor.extract
// CHECK: } else {
// CHECK: tensor.empty(%[[N]])
// CHECK: linalg.generic
// CHECK: arith.addf
func.func @add_dynamic_broadcast(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = onnx.Add(%a, %b) : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Integer Div and Mod never trap: a divisor of 0 or -1 is replaced by 1 and
// the result fixed up (x / 0 = 0, INT_MIN / -1 wraps, x % 0 = 0).
// CHECK-LABEL: func @div_mod_int
// CHECK: arith.select
// CHECK: arith.divsi
// CHECK: arith.subi
// CHECK: arith.select
// CHECK: arith.select
// CHECK: arith.select
// CHECK: arith.remsi
func.func @div_mod_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %0 = onnx.Div(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = onnx.Mod(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// Reshape with a run-time shape: the -1 entry divides by the product of the
// others, at least 1 (a 0 entry with allowzero must not trap).
// CHECK-LABEL: func @reshape_runtime
// CHECK: %[[K:[^ ]+]] = arith.maxsi %{{[^ ]+}}, %c1{{[_0-9]*}} : index
// CHECK: arith.divsi %{{.*}}, %[[K]] : index
func.func @reshape_runtime(%x: tensor<2x3x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %0 = onnx.Reshape(%x, %s) {allowzero = 1 : i64} : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
