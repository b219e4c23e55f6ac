// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// NonZero: an scf.for collects the flat positions of the nonzero elements;
// a generic over (rank, count) splits them into indices.
// CHECK-LABEL: func @nonzero
// CHECK: tensor.collapse_shape
// CHECK: %[[L:.*]]:2 = scf.for
// CHECK: scf.if
// CHECK: tensor.empty(%[[L]]#1) : tensor<2x?xi64>
// CHECK: linalg.generic
// CHECK: arith.remui
func.func @nonzero(%x: tensor<2x?xi1>) -> tensor<2x?xi64> {
  %0 = onnx.NonZero(%x) : (tensor<2x?xi1>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// ReverseSequence: each element reads the input at the reversed time index
// when it lies within its batch entry's length.
// CHECK-LABEL: func @reverse_sequence
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<4xi64>
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}} : tensor<?x4x3xf32>
func.func @reverse_sequence(%x: tensor<?x4x3xf32>, %lens: tensor<4xi64>) -> tensor<?x4x3xf32> {
  %0 = onnx.ReverseSequence(%x, %lens) {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<?x4x3xf32>, tensor<4xi64>) -> tensor<?x4x3xf32>
  return %0 : tensor<?x4x3xf32>
}

// -----

// Unique: first occurrences, their ranks (sorted: by lexicographic slice
// comparison), then the four outputs sized by the run-time count.
// CHECK-LABEL: func @unique_axis
// CHECK: scf.for
// CHECK: %[[R:.*]]:2 = scf.for
// CHECK: scf.for
// CHECK: tensor.empty(%[[R]]#1) : tensor<?x3xf32>
// CHECK: linalg.generic
func.func @unique_axis(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) {
  %y, %i, %inv, %c = onnx.Unique(%x) {axis = 0 : i64, sorted = 1 : i64} : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return %y, %i, %inv, %c : tensor<?x3xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
}

// -----

// GatherND whose index depth is dynamic: the ranks give it (3 + 3 - 0 - 2
// = 4 result dims means depth 2); each read of the indices' last dim is
// clamped below its run-time size.
// CHECK-LABEL: func @gathernd_dynamic_depth
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %c2 : tensor<?x?x?xi64>
// CHECK: %[[LAST:.*]] = arith.maxsi
// CHECK: linalg.generic
// CHECK: arith.minsi %{{.*}}, %[[LAST]]
// CHECK: tensor.extract %{{.*}} : tensor<?x?x?xi64>
// CHECK: arith.minsi %{{.*}}, %[[LAST]]
// CHECK: tensor.extract %{{.*}} : tensor<?x?x?xi64>
// CHECK: tensor.extract %{{.*}} : tensor<?x?x?xf32>
func.func @gathernd_dynamic_depth(%d: tensor<?x?x?xf32>, %i: tensor<?x?x?xi64>) -> tensor<?x?x?xf32> {
  %0 = onnx.GatherND(%d, %i) : (tensor<?x?x?xf32>, tensor<?x?x?xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// Slice with a run-time number of starts: an scf.for over the entries all
// lists have carries each dim's start, step and size (3 x rank values).
// CHECK-LABEL: func @slice_dynamic_count
// CHECK: %[[N0:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?xi64>
// CHECK: %[[N1:.*]] = arith.minsi %[[N0]]
// CHECK: %[[L:.*]]:6 = scf.for %{{.*}} = %{{.*}} to %[[N1]]
// CHECK: linalg.generic
// CHECK: arith.muli %{{.*}}, %[[L]]#2
func.func @slice_dynamic_count(%x: tensor<?x?xf32>, %s: tensor<?xi64>, %e: tensor<?xi64>) -> tensor<?x?xf32> {
  %none = onnx.NoValue
  %0 = onnx.Slice(%x, %s, %e, %none, %none) : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xi64>, none, none) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
