// RUN: seqc-opt %s -onnx-infer-shapes -split-input-file | FileCheck %s

// A Slice with run-time bounds keeps its input's rank; the sliced axis is
// dynamic, the others keep their sizes.
// CHECK-LABEL: func @slice_runtime_bounds
// CHECK: onnx.Slice{{.*}} -> tensor<4x?xf32>
func.func @slice_runtime_bounds(%x: tensor<4x5xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<*xf32> {
  %axes = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = onnx.NoValue
  %r = onnx.Slice(%x, %s, %e, %axes, %none) : (tensor<4x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// An unranked If result takes the join of what its branches yield.
// CHECK-LABEL: func @if_result
// CHECK: "onnx.If"
// CHECK: }) : (tensor<i1>) -> tensor<?x3xf32>
func.func @if_result(%c: tensor<i1>, %a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<*xf32> {
  %r = "onnx.If"(%c) ({
    onnx.Yield %a : tensor<2x3xf32>
  }, {
    onnx.Yield %b : tensor<4x3xf32>
  }) : (tensor<i1>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// Loop body arguments declared without shapes: scalars for the iteration
// number and condition, the initial value's rank for a carried value (its
// dims may change), which then flows through the body.
// CHECK-LABEL: func @loop_body_args
// CHECK: ^bb0(%{{[^:]+}}: tensor<i64>, %{{[^:]+}}: tensor<i1>, %{{[^:]+}}: tensor<?xf32>):
// CHECK:   onnx.Add{{.*}} -> tensor<?xf32>
func.func @loop_body_args(%m: tensor<i64>, %c: tensor<i1>, %x: tensor<3xf32>) -> tensor<*xf32> {
  %r = "onnx.Loop"(%m, %c, %x) ({
  ^bb0(%i: tensor<*xi64>, %ci: tensor<*xi1>, %xi: tensor<*xf32>):
    %a = onnx.Add(%xi, %xi) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    onnx.Yield %ci, %a : tensor<*xi1>, tensor<*xf32>
  }) : (tensor<i64>, tensor<i1>, tensor<3xf32>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// Scan body arguments: states keep their types, a scan input's element
// drops the scan axis (here axis 1).
// CHECK-LABEL: func @scan_body_args
// CHECK: ^bb0(%{{[^:]+}}: tensor<2xf32>, %{{[^:]+}}: tensor<2xf32>):
func.func @scan_body_args(%h: tensor<2xf32>, %x: tensor<2x7xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %r:2 = "onnx.Scan"(%h, %x) ({
  ^bb0(%hi: tensor<*xf32>, %xi: tensor<*xf32>):
    %a = onnx.Add(%hi, %xi) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    onnx.Yield %a, %a : tensor<*xf32>, tensor<*xf32>
  }) {num_scan_inputs = 1 : i64, scan_input_axes = [1]} : (tensor<2xf32>, tensor<2x7xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %r#0, %r#1 : tensor<*xf32>, tensor<*xf32>
}
