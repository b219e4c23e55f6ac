// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// Det: per matrix, LU elimination with partial pivoting in scf loops.
// CHECK-LABEL: func @det
// CHECK: scf.for
// CHECK: tensor.extract_slice
// CHECK: linalg.copy
// CHECK: scf.for
// CHECK: math.absf
// CHECK: arith.negf
// CHECK: scf.if
// CHECK: arith.divf
func.func @det(%x: tensor<?x3x3xf32>) -> tensor<?xf32> {
  %0 = onnx.Det(%x) : (tensor<?x3x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
