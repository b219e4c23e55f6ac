// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Unsigned tensors leave the conversion signless (signature included); the
// ops carry the signedness: divui for a uint8 Div.
// CHECK-LABEL: func @div_u8
// CHECK-SAME: (%{{.*}}: tensor<3xi8>, %{{.*}}: tensor<3xi8>) -> tensor<3xi8>
// CHECK: arith.divui
// CHECK-NOT: ui8
func.func @div_u8(%a: tensor<3xui8>, %b: tensor<3xui8>) -> tensor<3xui8> {
  %0 = onnx.Div(%a, %b) : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

// Constants keep their bits: 200 as i8 is -56.
// CHECK-LABEL: func @constant_u8
// CHECK: arith.constant dense<[-56, 7]> : tensor<2xi8>
func.func @constant_u8() -> tensor<2xui8> {
  %0 = onnx.Constant() {value = dense<[200, 7]> : tensor<2xui8>} : () -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// CHECK-LABEL: func @mod_u16
// CHECK: arith.remui
// CHECK-NOT: arith.remsi
func.func @mod_u16(%a: tensor<4xui16>, %b: tensor<4xui16>) -> tensor<4xui16> {
  %0 = onnx.Mod(%a, %b) : (tensor<4xui16>, tensor<4xui16>) -> tensor<4xui16>
  return %0 : tensor<4xui16>
}

// -----

// A shift by the bit width or more gives 0.
// CHECK-LABEL: func @shift_right_u32
// CHECK: %[[S:.*]] = arith.shrui %[[X:.*]], %[[N:.*]] : i32
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[N]], %{{.*}} : i32
// CHECK: arith.select %[[IN]], %[[S]], %{{.*}} : i32
func.func @shift_right_u32(%a: tensor<3xui32>, %b: tensor<3xui32>) -> tensor<3xui32> {
  %0 = onnx.BitShift(%a, %b) {direction = "RIGHT"} : (tensor<3xui32>, tensor<3xui32>) -> tensor<3xui32>
  return %0 : tensor<3xui32>
}

// -----

// CHECK-LABEL: func @max_min_u64
// CHECK: arith.maxui
// CHECK: arith.minui
func.func @max_min_u64(%a: tensor<3xui64>, %b: tensor<3xui64>) -> tensor<3xui64> {
  %0 = onnx.Max(%a, %b) : (tensor<3xui64>, tensor<3xui64>) -> tensor<3xui64>
  %1 = onnx.Min(%0, %b) : (tensor<3xui64>, tensor<3xui64>) -> tensor<3xui64>
  return %1 : tensor<3xui64>
}

// -----

// Unsigned max pooling starts from 0 and compares unsigned.
// CHECK-LABEL: func @maxpool_u8
// CHECK: %[[Z:.*]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[Z]] : i8)
// CHECK: arith.maxui
func.func @maxpool_u8(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x3x3xui8> {
  %0, %1 = onnx.MaxPool(%x) {kernel_shape = [2, 2]} : (tensor<1x1x4x4xui8>) -> (tensor<1x1x3x3xui8>, none)
  return %0 : tensor<1x1x3x3xui8>
}

// -----

// ReduceMin of uint8 starts from 255 (-1 as i8); ArgMax compares unsigned.
// CHECK-LABEL: func @reduce_u8
// CHECK: %[[M:.*]] = arith.constant -1 : i8
// CHECK: linalg.fill ins(%[[M]] : i8)
// CHECK: arith.minui
// CHECK: arith.cmpi ugt
func.func @reduce_u8(%x: tensor<2x3xui8>) -> (tensor<2xui8>, tensor<2xi64>) {
  %axes = onnx.Constant() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = onnx.ReduceMin(%x, %axes) {keepdims = 0} : (tensor<2x3xui8>, tensor<1xi64>) -> tensor<2xui8>
  %1 = onnx.ArgMax(%x) {axis = 1, keepdims = 0} : (tensor<2x3xui8>) -> tensor<2xi64>
  return %0, %1 : tensor<2xui8>, tensor<2xi64>
}

// -----

// Casts: uint -> float is uitofp, float -> uint fptoui, uint widening extui.
// CHECK-LABEL: func @cast_u
// CHECK: arith.uitofp %{{.*}} : i16 to f32
// CHECK: arith.fptoui %{{.*}} : f32 to i8
// CHECK: arith.extui %{{.*}} : i8 to i64
func.func @cast_u(%x: tensor<3xui16>) -> tensor<3xi64> {
  %0 = onnx.Cast(%x) {to = 1} : (tensor<3xui16>) -> tensor<3xf32>
  %1 = onnx.Cast(%0) {to = 2} : (tensor<3xf32>) -> tensor<3xui8>
  %2 = onnx.Cast(%1) {to = 7} : (tensor<3xui8>) -> tensor<3xi64>
  return %2 : tensor<3xi64>
}

// -----

// float32 -> bfloat16 rounds to nearest even on the bits: add 0x7fff plus
// the kept lsb, keep the upper half; NaN stays NaN. bfloat16 -> float32
// shifts the bits back up.
// CHECK-LABEL: func @cast_bf16
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.constant 32767 : i32
// CHECK: arith.cmpf uno
// CHECK: arith.trunci %{{.*}} : i32 to i16
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
// CHECK: arith.bitcast %{{.*}} : bf16 to i16
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
func.func @cast_bf16(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = onnx.Cast(%x) {to = 16} : (tensor<3xf32>) -> tensor<3xbf16>
  %1 = onnx.Cast(%0) {to = 1} : (tensor<3xbf16>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}
