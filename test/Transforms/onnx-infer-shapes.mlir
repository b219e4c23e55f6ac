// RUN: seqc-opt --onnx-infer-shapes %s | FileCheck %s

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
  // CHECK: onnx.Shape(%[[Q]]) {start = 0 : i64} : (tensor<?x1x32xf32>) -> tensor<3xi64>
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
