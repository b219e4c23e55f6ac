// RUN: seqc-opt %s --seq-raise-onnx --split-input-file | FileCheck %s

// Causal depthwise conv: the constant kernel is reversed at compile time.
// CHECK-LABEL: func.func @causal
// CHECK: %[[K:.*]] = arith.constant dense<{{\[}}[3.000000e+00, 2.000000e+00, 1.000000e+00], [6.000000e+00, 5.000000e+00, 4.000000e+00]]> : tensor<2x3xf32>
// CHECK: %[[Y:.*]] = seq.long_conv %arg0, %[[K]] bias %arg1 : (tensor<1x2x?xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2x?xf32>
// CHECK: return %[[Y]]
func.func @causal(%x: tensor<1x2x?xf32>, %b: tensor<2xf32>) -> tensor<1x2x?xf32> {
  %w = onnx.Constant() {value = dense<[[[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]]]> : tensor<2x1x3xf32>} : () -> tensor<2x1x3xf32>
  %y = onnx.Conv(%x, %w, %b) {group = 2 : i64, kernel_shape = [3], pads = [2, 0]} : (tensor<1x2x?xf32>, tensor<2x1x3xf32>, tensor<2xf32>) -> tensor<1x2x?xf32>
  return %y : tensor<1x2x?xf32>
}

// -----

// Centred pads; a weight that is an input is reversed by a generic.
// CHECK-LABEL: func.func @centered_runtime_weight
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2]] : tensor<2x1x4xf32> into tensor<2x4xf32>
// CHECK: %[[K:.*]] = linalg.generic
// CHECK: tensor.extract %[[C]]
// CHECK: seq.long_conv %arg0, %[[K]] {mode = #seq.conv_mode<centered>}
func.func @centered_runtime_weight(%x: tensor<1x2x16xf32>, %w: tensor<2x1x4xf32>) -> tensor<1x2x16xf32> {
  %none = onnx.NoValue
  %y = onnx.Conv(%x, %w, %none) {group = 2 : i64, kernel_shape = [4], pads = [2, 1]} : (tensor<1x2x16xf32>, tensor<2x1x4xf32>, none) -> tensor<1x2x16xf32>
  return %y : tensor<1x2x16xf32>
}

// -----

// Not raised: not depthwise, strided, other pads.
// CHECK-LABEL: func.func @not_mixers
// CHECK-NOT: seq.long_conv
// CHECK-COUNT-3: onnx.Conv
func.func @not_mixers(%x: tensor<1x2x16xf32>, %w: tensor<2x1x3xf32>, %w2: tensor<2x2x3xf32>) -> (tensor<1x2x16xf32>, tensor<1x2x8xf32>, tensor<1x2x15xf32>) {
  %none = onnx.NoValue
  %a = onnx.Conv(%x, %w2, %none) {group = 1 : i64, pads = [2, 0]} : (tensor<1x2x16xf32>, tensor<2x2x3xf32>, none) -> tensor<1x2x16xf32>
  %b = onnx.Conv(%x, %w, %none) {group = 2 : i64, pads = [2, 0], strides = [2]} : (tensor<1x2x16xf32>, tensor<2x1x3xf32>, none) -> tensor<1x2x8xf32>
  %c = onnx.Conv(%x, %w, %none) {group = 2 : i64, pads = [1, 0]} : (tensor<1x2x16xf32>, tensor<2x1x3xf32>, none) -> tensor<1x2x15xf32>
  return %a, %b, %c : tensor<1x2x16xf32>, tensor<1x2x8xf32>, tensor<1x2x15xf32>
}

// -----

// DFT of a real signal, onesided: the unit dim dropped by a view, seq.rfft,
// then (re, im) as a trailing dim.
// CHECK-LABEL: func.func @dft_onesided
// CHECK: %[[S:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1, 2]] : tensor<2x10x1xf32> into tensor<2x10xf32>
// CHECK: %[[Y:.*]] = seq.rfft %[[S]] {axis = 1 : i64, length = 16 : i64} : (tensor<2x10xf32>) -> tensor<2x9xcomplex<f32>>
// CHECK: linalg.generic {{.*}} ins(%[[Y]] : tensor<2x9xcomplex<f32>>)
// CHECK-DAG: complex.re
// CHECK-DAG: complex.im
func.func @dft_onesided(%x: tensor<2x10x1xf32>) -> tensor<2x9x2xf32> {
  %n = onnx.Constant() {value = dense<16> : tensor<i64>} : () -> tensor<i64>
  %y = onnx.DFT(%x, %n) {axis = 1 : i64, onesided = 1 : i64} : (tensor<2x10x1xf32>, tensor<i64>) -> tensor<2x9x2xf32>
  return %y : tensor<2x9x2xf32>
}

// -----

// Complex inverse DFT along a symbolic axis: seq.fft inverse.
// CHECK-LABEL: func.func @dft_inverse
// CHECK: complex.create
// CHECK: seq.fft %{{.*}} {axis = 1 : i64, inverse} : (tensor<3x?xcomplex<f32>>) -> tensor<3x?xcomplex<f32>>
func.func @dft_inverse(%x: tensor<3x?x2xf32>) -> tensor<3x?x2xf32> {
  %none = onnx.NoValue
  %y = onnx.DFT(%x, %none) {axis = 1 : i64, inverse = 1 : i64} : (tensor<3x?x2xf32>, none) -> tensor<3x?x2xf32>
  return %y : tensor<3x?x2xf32>
}

// -----

// A dft_length given as an onnx.Constant's value_int is a constant length
// too (the FFT-convolution raising always read it so).
// CHECK-LABEL: func.func @dft_length_value_int
// CHECK: seq.rfft %{{.*}} {axis = 1 : i64, length = 16 : i64} : (tensor<2x10xf32>) -> tensor<2x9xcomplex<f32>>
func.func @dft_length_value_int(%x: tensor<2x10x1xf32>) -> tensor<2x9x2xf32> {
  %n = onnx.Constant() {value_int = 16 : i64} : () -> tensor<i64>
  %y = onnx.DFT(%x, %n) {axis = 1 : i64, onesided = 1 : i64} : (tensor<2x10x1xf32>, tensor<i64>) -> tensor<2x9x2xf32>
  return %y : tensor<2x9x2xf32>
}
