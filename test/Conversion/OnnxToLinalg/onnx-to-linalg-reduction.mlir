// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// ReduceSum with axes only known at run time and shapes that allow axis 1
// or 2: both are lowered, an index_switch on the run-time axis mask picks.
// CHECK-LABEL: func @reduce_runtime_axes
// CHECK: %[[M:.*]] = scf.for
// CHECK: arith.shli
// CHECK: arith.ori
// CHECK: %[[SEL:.*]] = arith.select %{{.*}}, %{{.*}}, %[[M]] : index
// CHECK: scf.index_switch %[[SEL]] -> tensor<3x2xf32>
// CHECK: case 4 {
// CHECK: default {
func.func @reduce_runtime_axes(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = onnx.ReduceSum(%x, %axes) {keepdims = 0 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
