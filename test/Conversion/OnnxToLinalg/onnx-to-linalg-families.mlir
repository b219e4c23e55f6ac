// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Inference BatchNormalization: one generic, per-channel vectors on dim 1.
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batchnorm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.*}}]
// CHECK: math.rsqrt
func.func @batchnorm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %y, %rm, %rv = onnx.BatchNormalization(%x, %s, %b, %m, %v) {epsilon = 1.0e-05 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, none, none)
  return %y : tensor<2x3x4x5xf32>
}

// -----

// Resize, linear: each output element sums 2 taps per resized dim (here 2
// dims: 4 reads); unchanged dims read the output index itself.
// CHECK-LABEL: func @resize_linear
// CHECK: linalg.generic
// CHECK-COUNT-2: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x2x2xf32>
// CHECK: linalg.yield
func.func @resize_linear(%x: tensor<1x1x2x2xf32>, %scales: tensor<4xf32>) -> tensor<1x1x4x4xf32> {
  %none = onnx.NoValue
  %0 = onnx.Resize(%x, %none, %scales, %none) {mode = "linear"} : (tensor<1x1x2x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// ConvTranspose in gather form: loops over input channels and kernel taps
// inside a generic over the output.
// CHECK-LABEL: func @conv_transpose
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.remsi
// CHECK: arith.mulf
func.func @conv_transpose(%x: tensor<1x2x5xf32>, %w: tensor<2x3x3xf32>) -> tensor<1x3x11xf32> {
  %none = onnx.NoValue
  %0 = onnx.ConvTranspose(%x, %w, %none) {strides = [2]} : (tensor<1x2x5xf32>, tensor<2x3x3xf32>, none) -> tensor<1x3x11xf32>
  return %0 : tensor<1x3x11xf32>
}

// -----

// Einsum: one generic whose maps come from the labels; the diagonal reads
// one loop dim twice.
// CHECK-DAG: #[[DIAG:.*]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @einsum_diagonal
// CHECK: linalg.generic {indexing_maps = [#[[DIAG]], #[[OUT]]], iterator_types = ["parallel", "parallel"]}
func.func @einsum_diagonal(%x: tensor<3x5x5xf64>) -> tensor<3x5xf64> {
  %0 = onnx.Einsum(%x) {equation = "...ii ->...i"} : (tensor<3x5x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

// -----

// ScatterElements writes each update in order (scf.for over the updates).
// CHECK-LABEL: func @scatter_elements
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %{{.*}} : tensor<1x2xi64>
// CHECK: arith.addf
// CHECK: tensor.insert
func.func @scatter_elements(%d: tensor<3x3xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>) -> tensor<3x3xf32> {
  %0 = onnx.ScatterElements(%d, %i, %u) {axis = 1 : i64, reduction = "add"} : (tensor<3x3xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Slice with run-time starts/ends/axes/steps: a generic reading
// x[start + i * step] per dim.
// CHECK-LABEL: func @slice_runtime
// CHECK: arith.ceildivsi
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: tensor.extract %{{.*}} : tensor<20x10x5xf32>
func.func @slice_runtime(%x: tensor<20x10x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %a: tensor<2xi64>, %st: tensor<2xi64>) -> tensor<?x?x?xf32> {
  %0 = onnx.Slice(%x, %s, %e, %a, %st) : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Pad in reflect mode mirrors the index at both ends.
// CHECK-LABEL: func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.cmpi sgt
// CHECK: tensor.extract %{{.*}} : tensor<3x2xf32>
func.func @pad_reflect(%x: tensor<3x2xf32>, %p: tensor<4xi64>) -> tensor<3x4xf32> {
  %none = onnx.NoValue
  %0 = onnx.Pad(%x, %p, %none) {mode = "reflect"} : (tensor<3x2xf32>, tensor<4xi64>, none) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// TopK: ranks along the axis, then the element of rank k per output slot.
// CHECK-LABEL: func @topk
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i64
func.func @topk(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x3xf32>, tensor<3x3xi64>) {
  %v, %i = onnx.TopK(%x, %k) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x3xf32>, tensor<3x3xi64>)
  return %v, %i : tensor<3x3xf32>, tensor<3x3xi64>
}

// -----

// DepthToSpace (DCR) and OneHot compute their read positions per element.
// CHECK-LABEL: func @depth_to_space
// CHECK: linalg.generic
// CHECK: arith.remui
// CHECK: arith.divui
// CHECK: tensor.extract %{{.*}} : tensor<1x8x2x3xf32>
func.func @depth_to_space(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = onnx.DepthToSpace(%x) {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// Compress collects the selected positions in an scf.for, then reads them.
// CHECK-LABEL: func @compress
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<?xindex>
func.func @compress(%x: tensor<3x2xf32>, %c: tensor<3xi1>) -> tensor<?x2xf32> {
  %0 = onnx.Compress(%x, %c) {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// An LSTM whose W and R have dynamic dims takes its sizes from hidden_size.
// CHECK-LABEL: func @lstm_dynamic_weights
// CHECK: tensor.cast %{{.*}} : tensor<?x?x?xf32> to tensor<1x8x?xf32>
// CHECK: tensor.cast %{{.*}} : tensor<?x?x?xf32> to tensor<1x8x2xf32>
// CHECK: scf.for
func.func @lstm_dynamic_weights(%x: tensor<?x?x?xf32>, %w: tensor<?x?x?xf32>, %r: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %none = onnx.NoValue
  %y, %yh, %yc = onnx.LSTM(%x, %w, %r, %none, %none, %none, %none, %none) {hidden_size = 2 : i64} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, none, none, none, none, none) -> (none, tensor<?x?x?xf32>, none)
  return %yh : tensor<?x?x?xf32>
}
