// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics

// Forms of the operators this pass lowers that it does not support are
// reported at the node, never lowered wrongly.

func.func @roialign_unknown_mode(%x: tensor<1x1x8x8xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) -> tensor<2x1x2x2xf32> {
  // expected-error @+1 {{'onnx.RoiAlign' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.RoiAlign(%x, %r, %b) {mode = "median", output_height = 2 : i64, output_width = 2 : i64} : (tensor<1x1x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x1x2x2xf32>
  return %0 : tensor<2x1x2x2xf32>
}

// -----

func.func @reverse_sequence_same_axes(%x: tensor<4x4xf32>, %l: tensor<4xi64>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'onnx.ReverseSequence' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.ReverseSequence(%x, %l) {batch_axis = 0 : i64, time_axis = 0 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @unique_scalar(%x: tensor<f32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) {
  // expected-error @+1 {{'onnx.Unique' cannot be lowered to linalg (yet) in this form}}
  %y, %i, %v, %c = onnx.Unique(%x) : (tensor<f32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return %y, %i, %v, %c : tensor<?xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
}

// -----

func.func @det_integer(%x: tensor<3x3xi32>) -> tensor<i32> {
  // expected-error @+1 {{'onnx.Det' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.Det(%x) : (tensor<3x3xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

func.func @nms_2d_boxes(%b: tensor<6x4xf32>, %s: tensor<1x1x6xf32>) -> tensor<?x3xi64> {
  %none = onnx.NoValue
  // expected-error @+1 {{'onnx.NonMaxSuppression' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.NonMaxSuppression(%b, %s, %none, %none, %none) : (tensor<6x4xf32>, tensor<1x1x6xf32>, none, none, none) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

func.func @reduce_runtime_axes_rank9(%x: tensor<?x?x?x?x?x?x?x?x?xf32>, %a: tensor<?xi64>) -> tensor<?x?x?x?x?x?x?x?x?xf32> {
  // expected-error @+1 {{'onnx.ReduceSum' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.ReduceSum(%x, %a) : (tensor<?x?x?x?x?x?x?x?x?xf32>, tensor<?xi64>) -> tensor<?x?x?x?x?x?x?x?x?xf32>
  return %0 : tensor<?x?x?x?x?x?x?x?x?xf32>
}
