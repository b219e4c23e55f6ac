// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// A window's length is its scalar input, read at run time; each element is
// a sum of cosines computed in f64 and rounded to the result type.
// CHECK-LABEL: func @hann_dynamic
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[] : tensor<i32>
// CHECK: %[[N:.*]] = arith.maxsi
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: linalg.generic
// CHECK: math.cos %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @hann_dynamic(%n: tensor<i32>) -> tensor<?xf32> {
  %0 = onnx.HannWindow(%n) {periodic = 0 : i64} : (tensor<i32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Blackman has two cosine terms (2 pi n / N and 4 pi n / N).
// CHECK-LABEL: func @blackman
// CHECK: linalg.generic
// CHECK-COUNT-2: math.cos
func.func @blackman(%n: tensor<i64>) -> tensor<8xf32> {
  %0 = onnx.BlackmanWindow(%n) : (tensor<i64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// MelWeightMatrix: one generic over (dft_length / 2 + 1, num_mel_bins); the
// three mel points of each column are mapped to DFT bins in its body.
// CHECK-LABEL: func @mel
// CHECK: math.log10
// CHECK: linalg.generic
// CHECK-COUNT-3: math.powf
// CHECK: linalg.yield
func.func @mel(%nb: tensor<i32>, %dl: tensor<i32>, %sr: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<?x?xf32> {
  %0 = onnx.MelWeightMatrix(%nb, %dl, %sr, %lo, %hi) : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
