// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// int8 per-axis QuantizeLinear: scale and zero point read along dim 1;
// round half to even, add the zero point, saturate to [-128, 127].
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[AX:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @quantize_axis
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[AX]], #[[AX]], #[[ID]]]
// CHECK: %[[D:.*]] = arith.divf
// CHECK: %[[Z:.*]] = arith.sitofp %{{.*}} : i8 to f32
// CHECK: %[[R:.*]] = math.roundeven %[[D]]
// CHECK: %[[S:.*]] = arith.addf %[[R]], %[[Z]]
// CHECK: arith.constant -1.280000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @quantize_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xi8>) -> tensor<2x3xi8> {
  %0 = onnx.QuantizeLinear(%x, %s, %z) {axis = 1} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

// uint8 DequantizeLinear: zero-extended, the difference exact in i32.
// CHECK-LABEL: func @dequantize
// CHECK-SAME: tensor<4xi8>
// CHECK: %[[X:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[Z:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[D:.*]] = arith.subi %[[X]], %[[Z]] : i32
// CHECK: %[[F:.*]] = arith.sitofp %[[D]] : i32 to f32
// CHECK: arith.mulf %[[F]]
func.func @dequantize(%x: tensor<4xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xf32> {
  %0 = onnx.DequantizeLinear(%x, %s, %z) : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// MatMulInteger: one generic over (m, n, k), per-row A zero point (d0),
// one-element B zero point, int32 accumulation.
// CHECK-DAG: #[[AZ:.*]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[BZ:.*]] = affine_map<(d0, d1, d2) -> (0)>
// CHECK-LABEL: func @matmul_integer
// CHECK: linalg.fill ins(%{{.*}} : i32)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[AZ]], #[[BZ]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli %{{.*}} : i32
// CHECK: arith.addi %{{.*}} : i32
func.func @matmul_integer(%a: tensor<4x3xui8>, %b: tensor<3x2xi8>, %az: tensor<4xui8>, %bz: tensor<1xi8>) -> tensor<4x2xi32> {
  %0 = onnx.MatMulInteger(%a, %b, %az, %bz) : (tensor<4x3xui8>, tensor<3x2xi8>, tensor<4xui8>, tensor<1xi8>) -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

// QLinearConv: zero points subtracted in i32 (w's per output channel),
// the integer convolution, then requantized with x_scale * w_scale[m] /
// y_scale (w_scale read along the output channels, dim 1).
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @qlinear_conv
// CHECK: arith.subi %{{.*}} : i32
// CHECK: arith.subi %{{.*}} : i32
// CHECK: linalg.generic
// CHECK: arith.muli %{{.*}} : i32
// CHECK: arith.addi %{{.*}} : i32
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[CH]], #{{.*}}, #{{.*}}, #{{.*}}]
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.constant 2.550000e+02 : f32
func.func @qlinear_conv(%x: tensor<1x1x4x4xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %w: tensor<2x1x1x1xi8>, %ws: tensor<2xf32>, %wz: tensor<2xi8>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x4x4xui8> {
  %none = onnx.NoValue
  %0 = onnx.QLinearConv(%x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %none) : (tensor<1x1x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x1x1xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>, none) -> tensor<1x2x4x4xui8>
  return %0 : tensor<1x2x4x4xui8>
}

// -----

// DynamicQuantizeLinear: max and min reductions, scale and zero point as
// scalars, then one quantizing generic; the scale and zero point come back
// as rank-0 tensors.
// CHECK-LABEL: func @dynamic_quantize
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: linalg.generic
// CHECK: math.roundeven
// CHECK: tensor.from_elements %{{.*}} : tensor<f32>
// CHECK: tensor.from_elements %{{.*}} : tensor<i8>
func.func @dynamic_quantize(%x: tensor<6xf32>) -> (tensor<6xui8>, tensor<f32>, tensor<ui8>) {
  %0, %1, %2 = onnx.DynamicQuantizeLinear(%x) : (tensor<6xf32>) -> (tensor<6xui8>, tensor<f32>, tensor<ui8>)
  return %0, %1, %2 : tensor<6xui8>, tensor<f32>, tensor<ui8>
}

// -----

// A scale that is neither per tensor nor 1-D is refused with the node's
// location.
func.func @bad_scale(%x: tensor<2x3xf32>, %s: tensor<2x3xf32>) -> tensor<2x3xui8> {
  %none = onnx.NoValue
  // expected-error @+1 {{'onnx.QuantizeLinear' cannot be lowered to linalg (yet) in this form}}
  %0 = onnx.QuantizeLinear(%x, %s, %none) : (tensor<2x3xf32>, tensor<2x3xf32>, none) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}
