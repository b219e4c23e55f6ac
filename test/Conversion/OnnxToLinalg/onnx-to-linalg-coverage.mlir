// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// Activations and unary math are one generic each.
// CHECK-LABEL: func @activations
// CHECK: math.expm1
// CHECK: arith.select
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: math.asinh
func.func @activations(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = onnx.Elu(%x) {alpha = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %1 = onnx.HardSigmoid(%x) {alpha = 0.2 : f32, beta = 0.5 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %2 = onnx.Asinh(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Integer Mod takes the divisor's sign unless fmod is set.
// CHECK-LABEL: func @mod
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.select
// CHECK-LABEL: func @fmod
// CHECK: arith.remf
func.func @mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = onnx.Mod(%a, %b) {fmod = 0 : i64} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
func.func @fmod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = onnx.Mod(%a, %b) {fmod = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Clip reads its optional scalar bounds once; an absent one is skipped.
// CHECK-LABEL: func @clip
// CHECK: %[[MIN:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: linalg.generic
// CHECK: arith.maximumf %{{.*}}, %[[MIN]]
// CHECK-NOT: arith.minimumf
func.func @clip(%x: tensor<3x4xf32>, %lo: tensor<f32>) -> tensor<3x4xf32> {
  %n = onnx.NoValue
  %0 = onnx.Clip(%x, %lo, %n) : (tensor<3x4xf32>, tensor<f32>, none) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// ArgMax carries (value, index) through one reduction.
// CHECK-LABEL: func @argmax
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: arith.cmpf ogt
// CHECK: tensor.expand_shape {{.*}} : tensor<3xi64> into tensor<3x1xi64>
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3x1xi64> {
  %0 = onnx.ArgMax(%x) {axis = 1 : i64, keepdims = 1 : i64, select_last_index = 0 : i64} : (tensor<3x4xf32>) -> tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// Axes given at run time are read off the static shapes.
// CHECK-LABEL: func @reduce_runtime_axes
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: tensor.expand_shape {{.*}} : tensor<3x2xf32> into tensor<3x1x2xf32>
func.func @reduce_runtime_axes(%x: tensor<3x4x2xf32>, %axes: tensor<1xi64>) -> tensor<3x1x2xf32> {
  %0 = onnx.ReduceSum(%x, %axes) {keepdims = 1 : i64, noop_with_empty_axes = 0 : i64} : (tensor<3x4x2xf32>, tensor<1xi64>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// -----

// ReduceLogSumExp subtracts the maximum before exp.
// CHECK-LABEL: func @reduce_log_sum_exp
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: math.log
func.func @reduce_log_sum_exp(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %a = onnx.Constant() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = onnx.ReduceLogSumExp(%x, %a) {keepdims = 0 : i64, noop_with_empty_axes = 0 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CumSum with a run-time axis switches among the per-axis sums; each is a
// sequential scan carrying the running sum of one slice (linear work).
// CHECK-LABEL: func @cumsum
// CHECK: scf.index_switch
// CHECK: case 1 {
// CHECK: scf.for
// CHECK: tensor.extract_slice {{.*}} to tensor<2xf32>
// CHECK: linalg.add
// CHECK: tensor.insert_slice
// CHECK: default {
func.func @cumsum(%x: tensor<2x3xf32>, %axis: tensor<i32>) -> tensor<2x3xf32> {
  %0 = onnx.CumSum(%x, %axis) {exclusive = 0 : i64, reverse = 0 : i64} : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// MaxPool pads with -inf and reduces over a window of the kernel's shape.
// CHECK-LABEL: func @maxpool
// CHECK: tensor.pad
// CHECK: tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @maxpool(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %y, %i = onnx.MaxPool(%x) {auto_pad = "NOTSET", ceil_mode = 0 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1], storage_order = 0 : i64, strides = [2, 2]} : (tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, none)
  return %y : tensor<1x2x3x3xf32>
}

// -----

// AveragePool divides by the window's overlap with the input.
// CHECK-LABEL: func @avgpool
// CHECK: arith.addf
// CHECK: arith.ceildivsi
// CHECK: arith.floordivsi
// CHECK: arith.divf
func.func @avgpool(%x: tensor<1x1x4xf32>) -> tensor<1x1x4xf32> {
  %0 = onnx.AveragePool(%x) {auto_pad = "NOTSET", ceil_mode = 0 : i64, count_include_pad = 0 : i64, kernel_shape = [3], pads = [1, 1], strides = [1]} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

// NegativeLogLikelihoodLoss picks the target class and its weight.
// CHECK-LABEL: func @nll
// CHECK: linalg.generic
// CHECK: arith.cmpi eq
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<3x5xf32>
// CHECK: arith.negf
// CHECK: arith.divf
func.func @nll(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> tensor<f32> {
  %n = onnx.NoValue
  %0 = onnx.NegativeLogLikelihoodLoss(%x, %t, %n) {ignore_index = 1 : i64, reduction = "mean"} : (tensor<3x5xf32>, tensor<3xi64>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// GatherElements replaces the axis index by the gathered one.
// CHECK-LABEL: func @gather_elements
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: tensor.extract %{{.*}}[%[[I]], %{{.*}}] : tensor<3x3xf32>
func.func @gather_elements(%x: tensor<3x3xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = onnx.GatherElements(%x, %i) {axis = 1 : i64} : (tensor<3x3xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// LayerNormalization's Mean and InvStdDev keep the normalized dims as 1.
// CHECK-LABEL: func @layer_norm_stats
// CHECK: math.rsqrt
// CHECK: tensor.expand_shape {{.*}} : tensor<3xf32> into tensor<3x1xf32>
// CHECK: math.rsqrt
// CHECK: tensor.expand_shape {{.*}} : tensor<3xf32> into tensor<3x1xf32>
func.func @layer_norm_stats(%x: tensor<3x4xf32>, %w: tensor<4xf32>) -> (tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %n = onnx.NoValue
  %y, %m, %s = onnx.LayerNormalization(%x, %w, %n) {axis = -1 : i64, epsilon = 1.0E-5 : f32, stash_type = 1 : i64} : (tensor<3x4xf32>, tensor<4xf32>, none) -> (tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x1xf32>)
  return %y, %m, %s : tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Range and Size read their scalars at run time.
// CHECK-LABEL: func @range_size
// CHECK: arith.ceildivsi
// CHECK: linalg.index 0
// CHECK: tensor.from_elements
func.func @range_size(%a: tensor<i64>, %b: tensor<i64>, %d: tensor<i64>) -> (tensor<?xi64>, tensor<i64>) {
  %0 = onnx.Range(%a, %b, %d) : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %1 = onnx.Size(%0) : (tensor<?xi64>) -> tensor<i64>
  return %0, %1 : tensor<?xi64>, tensor<i64>
}
