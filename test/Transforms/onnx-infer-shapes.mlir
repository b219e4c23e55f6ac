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
