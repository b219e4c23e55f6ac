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

// -----

// nn.MultiheadAttention's packed projection: the q/k/v bounds are computed
// from the static last dim (Shape -> Gather -> Add -> Div -> Mul); they fold
// to constants, the Slices get their static dim, and Shape of a Slice its
// length.
// CHECK-LABEL: func.func @packed_qkv
func.func @packed_qkv(%x: tensor<?x1x96xf32>) -> tensor<*xf32> {
  %shape = onnx.Shape(%x) {start = 0 : i64} : (tensor<?x1x96xf32>) -> tensor<?xi64>
  %last = onnx.Constant() {value = dense<-1> : tensor<1xi64>} : () -> tensor<1xi64>
  %e = onnx.Gather(%shape, %last) {axis = 0 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<1xi64>
  %two = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %e2 = onnx.Add(%e, %two) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %three = onnx.Constant() {value = dense<3> : tensor<1xi64>} : () -> tensor<1xi64>
  %third = onnx.Div(%e2, %three) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %zero = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = onnx.NoValue
  // CHECK: %[[END:.*]] = onnx.Constant() {value = dense<32> : tensor<1xi64>}
  // CHECK: %[[Q:.*]] = onnx.Slice(%{{.*}}, %{{.*}}, %[[END]], %{{.*}}, %{{.*}}) : {{.*}} -> tensor<?x1x32xf32>
  %q = onnx.Slice(%x, %zero, %third, %last, %none) : (tensor<?x1x96xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<*xf32>
  // CHECK: onnx.Shape(%[[Q]]) : (tensor<?x1x32xf32>) -> tensor<3xi64>
  %qs = onnx.Shape(%q) {start = 0 : i64} : (tensor<*xf32>) -> tensor<?xi64>
  %c0 = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %n = onnx.Gather(%qs, %c0) {axis = 0 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<1xi64>
  %c32 = onnx.Constant() {value = dense<[4, 8]> : tensor<2xi64>} : () -> tensor<2xi64>
  %target = onnx.Concat(%n, %c32) {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  // CHECK: onnx.Reshape({{.*}}) -> tensor<?x4x8xf32>
  %r = onnx.Reshape(%q, %target) {allowzero = 0 : i64} : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  // The declared result type is kept.
  // CHECK: %[[CAST:.*]] = tensor.cast %{{.*}} : tensor<?x4x8xf32> to tensor<*xf32>
  // CHECK: return %[[CAST]]
  return %r : tensor<*xf32>
}

// A Slice at run-time bounds: the sliced axis is unknown, the others stay.
// CHECK-LABEL: func.func @runtime_bounds
func.func @runtime_bounds(%x: tensor<4x6x8xf32>, %b: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<*xf32> {
  %axes = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = onnx.NoValue
  // CHECK: onnx.Slice({{.*}}) : {{.*}} -> tensor<4x?x8xf32>
  %s = onnx.Slice(%x, %b, %e, %axes, %none) : (tensor<4x6x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<*xf32>
  return %s : tensor<*xf32>
}

// Negative steps and clamped bounds on a static dim.
// CHECK-LABEL: func.func @reverse
func.func @reverse(%x: tensor<10x3xf32>) -> tensor<*xf32> {
  %b = onnx.Constant() {value = dense<-2> : tensor<1xi64>} : () -> tensor<1xi64>
  %e = onnx.Constant() {value = dense<-9223372036854775807> : tensor<1xi64>} : () -> tensor<1xi64>
  %axes = onnx.Constant() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %steps = onnx.Constant() {value = dense<-3> : tensor<1xi64>} : () -> tensor<1xi64>
  // Rows 8, 5, 2.
  // CHECK: onnx.Slice({{.*}}) : {{.*}} -> tensor<3x3xf32>
  %s = onnx.Slice(%x, %b, %e, %axes, %steps) : (tensor<10x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  return %s : tensor<*xf32>
}

// torch's expand: Where(Equal(shape, -1), 1, shape) is evaluated on the
// shape vector; Expand gets its static dims.
// CHECK-LABEL: func.func @expand_where
func.func @expand_where(%m: tensor<2x1x1x?xi1>, %x: tensor<2x5x?xf32>) -> tensor<*xi1> {
  %s = onnx.Shape(%x) {start = 0 : i64} : (tensor<2x5x?xf32>) -> tensor<3xi64>
  %i = onnx.Constant() {value = dense<2> : tensor<1xi64>} : () -> tensor<1xi64>
  %l = onnx.Gather(%s, %i) {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %head = onnx.Constant() {value = dense<[-1, 4, -1]> : tensor<3xi64>} : () -> tensor<3xi64>
  %shape = onnx.Concat(%head, %l) {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<4xi64>
  %minus1 = onnx.Constant() {value = dense<-1> : tensor<i64>} : () -> tensor<i64>
  %eq = onnx.Equal(%shape, %minus1) : (tensor<4xi64>, tensor<i64>) -> tensor<4xi1>
  %ones = onnx.Constant() {value = dense<1> : tensor<4xi64>} : () -> tensor<4xi64>
  %target = onnx.Where(%eq, %ones, %shape) : (tensor<4xi1>, tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK: onnx.Expand({{.*}}) : (tensor<2x1x1x?xi1>, tensor<4xi64>) -> tensor<2x4x1x?xi1>
  %e = onnx.Expand(%m, %target) : (tensor<2x1x1x?xi1>, tensor<4xi64>) -> tensor<*xi1>
  return %e : tensor<*xi1>
}

// An Expand target of unknown values but known length gives the rank; input
// dims other than 1 stay.
// CHECK-LABEL: func.func @expand_unknown
func.func @expand_unknown(%x: tensor<3x1xf32>, %t: tensor<3xi64>) -> tensor<*xf32> {
  // CHECK: onnx.Expand({{.*}}) -> tensor<?x3x?xf32>
  %e = onnx.Expand(%x, %t) : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %e : tensor<*xf32>
}

// -----

// Integer constants in every onnx.Constant form: a value_ints Reshape
// target.
// CHECK-LABEL: func.func @reshape_value_ints
// CHECK: onnx.Reshape({{.*}}) -> tensor<2x6xf32>
func.func @reshape_value_ints(%x: tensor<3x4xf32>) -> tensor<*xf32> {
  %t = onnx.Constant() {value_ints = [2, -1]} : () -> tensor<2xi64>
  %r = onnx.Reshape(%x, %t) : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}
