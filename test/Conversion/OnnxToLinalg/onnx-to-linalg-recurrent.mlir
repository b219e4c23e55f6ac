// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// A forward LSTM: one input projection for every step, then an scf.for over
// the steps whose body multiplies h by Rᵀ and applies the gates in one
// generic; the states ping-pong between the two slots of a (2, B, H) buffer.
// CHECK-LABEL: func @lstm_forward
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<5x3x4xf32> into tensor<15x4xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<15x4xf32>, tensor<4x24xf32>)
// CHECK: scf.for %[[S:[^ ]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[H:[^ ]+]] = %{{[^ ]+}}, %[[Y:[^ ]+]] = %{{[^ ]+}}, %[[C:[^ ]+]] = %{{[^ ]+}}) -> (tensor<2x3x6xf32>, tensor<5x3x6xf32>, tensor<2x3x6xf32>)
// CHECK:   arith.remui %[[S]]
// CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x6xf32>, tensor<6x24xf32>)
// CHECK:   linalg.generic
// CHECK-DAG: math.tanh
// CHECK-DAG: math.exp
// CHECK:   tensor.insert_slice %{{.*}} into %[[H]]
// CHECK:   tensor.insert_slice %{{.*}} into %[[Y]][%[[S]], 0, 0]
// CHECK:   tensor.insert_slice %{{.*}} into %[[C]]
// CHECK:   scf.yield
// CHECK-NOT: onnx.LSTM
func.func @lstm_forward(%x: tensor<5x3x4xf32>, %w: tensor<1x24x4xf32>, %r: tensor<1x24x6xf32>, %b: tensor<1x48xf32>) -> (tensor<5x1x3x6xf32>, tensor<1x3x6xf32>, tensor<1x3x6xf32>) {
  %none = onnx.NoValue
  %y, %yh, %yc = onnx.LSTM(%x, %w, %r, %b, %none, %none, %none, %none) {hidden_size = 6 : i64} : (tensor<5x3x4xf32>, tensor<1x24x4xf32>, tensor<1x24x6xf32>, tensor<1x48xf32>, none, none, none, none) -> (tensor<5x1x3x6xf32>, tensor<1x3x6xf32>, tensor<1x3x6xf32>)
  return %y, %yh, %yc : tensor<5x1x3x6xf32>, tensor<1x3x6xf32>, tensor<1x3x6xf32>
}

// -----

// A reverse GRU (linear_before_reset = 0) walks the steps backwards: step s
// reads rows (T-1-s)*B of the projection; the reset gate scales h before
// its own matmul with R_hᵀ.
// CHECK-LABEL: func @gru_reverse
// CHECK: scf.for %[[S:[^ ]+]] =
// CHECK:   %[[T:.*]] = arith.subi %{{.*}}, %[[S]] : index
// CHECK:   %[[ROW:.*]] = arith.muli %[[T]], %{{.*}} : index
// CHECK:   tensor.extract_slice %{{.*}}[%[[ROW]], 0] [3, 9] [1, 1] : tensor<15x9xf32> to tensor<3x9xf32>
// CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x3xf32>, tensor<3x6xf32>)
// CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x3xf32>, tensor<3x3xf32>)
func.func @gru_reverse(%x: tensor<5x3x4xf32>, %w: tensor<1x9x4xf32>, %r: tensor<1x9x3xf32>) -> tensor<1x3x3xf32> {
  %none = onnx.NoValue
  %y, %yh = onnx.GRU(%x, %w, %r, %none, %none, %none) {direction = "reverse", hidden_size = 3 : i64} : (tensor<5x3x4xf32>, tensor<1x9x4xf32>, tensor<1x9x3xf32>, none, none, none) -> (none, tensor<1x3x3xf32>)
  return %yh : tensor<1x3x3xf32>
}

// -----

// Bidirectional RNN with sequence_lens and batch-first layout: X is
// transposed to time-major, the reverse direction's projection and output
// are reversed per batch entry, and Y goes back to (B, T, D, H).
// CHECK-LABEL: func @rnn_bidirectional_lens
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x5x4xf32>) outs(%{{.*}} : tensor<5x3x4xf32>) permutation = [1, 0, 2]
// CHECK: scf.for
// CHECK: arith.cmpi slt
// CHECK: scf.for
// CHECK: linalg.transpose ins(%{{.*}} : tensor<5x2x3x6xf32>) outs(%{{.*}} : tensor<3x5x2x6xf32>) permutation = [2, 0, 1, 3]
func.func @rnn_bidirectional_lens(%x: tensor<3x5x4xf32>, %w: tensor<2x6x4xf32>, %r: tensor<2x6x6xf32>, %lens: tensor<3xi32>) -> tensor<3x5x2x6xf32> {
  %none = onnx.NoValue
  %y, %yh = onnx.RNN(%x, %w, %r, %none, %lens, %none) {direction = "bidirectional", hidden_size = 6 : i64, layout = 1 : i64} : (tensor<3x5x4xf32>, tensor<2x6x4xf32>, tensor<2x6x6xf32>, none, tensor<3xi32>, none) -> (tensor<3x5x2x6xf32>, none)
  return %y : tensor<3x5x2x6xf32>
}

// -----

func.func @rnn_unknown_activation(%x: tensor<5x3x4xf32>, %w: tensor<1x6x4xf32>, %r: tensor<1x6x6xf32>) -> tensor<1x3x6xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{'onnx.RNN' activation 'Swish' is not supported}}
  // expected-error @+1 {{'onnx.RNN' cannot be lowered to linalg (yet) in this form}}
  %y, %yh = onnx.RNN(%x, %w, %r, %none, %none, %none) {activations = ["Swish"], hidden_size = 6 : i64} : (tensor<5x3x4xf32>, tensor<1x6x4xf32>, tensor<1x6x6xf32>, none, none, none) -> (none, tensor<1x3x6xf32>)
  return %yh : tensor<1x3x6xf32>
}
