// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// If: branches of different static shapes yield the common, more dynamic
// type; the then branch (region 1 of onnx.If) reads an outer value.
// CHECK-LABEL: func @if_branch_shapes
// CHECK-SAME: %[[C:[^:]+]]: tensor<i1>, %[[X:[^:]+]]: tensor<4xf32>
// CHECK: %[[B:.*]] = tensor.extract %[[C]][] : tensor<i1>
// CHECK: %[[R:.*]] = scf.if %[[B]] -> (tensor<?xf32>) {
// CHECK:   linalg.generic {{.*}} ins(%[[X]] : tensor<4xf32>)
// CHECK:     arith.negf
// CHECK:   %[[T:.*]] = tensor.cast %{{.*}} : tensor<4xf32> to tensor<?xf32>
// CHECK:   scf.yield %[[T]] : tensor<?xf32>
// CHECK: } else {
// CHECK:   %[[E:.*]] = tensor.cast %{{.*}} : tensor<2xf32> to tensor<?xf32>
// CHECK:   scf.yield %[[E]] : tensor<?xf32>
// CHECK: return %[[R]]
// CHECK-NOT: onnx.

func.func @if_branch_shapes(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<?xf32> {
  %r = "onnx.If"(%c) ({
    %e = onnx.Constant() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
    onnx.Yield %e : tensor<2xf32>
  }, {
    %t = onnx.Neg(%x) : (tensor<4xf32>) -> tensor<4xf32>
    onnx.Yield %t : tensor<4xf32>
  }) : (tensor<i1>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Loop with a trip count and a condition: scf.while stops at M or when the
// body's condition is false; the scan output's buffer starts with min(M, 16)
// rows, doubles when full, and the rows written are sliced off at the end.
// CHECK-LABEL: func @loop_cond
// CHECK: %[[M:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[BUF:.*]] = tensor.empty(%{{.*}}) : tensor<?x2xf32>
// CHECK: %[[W:.*]]:4 = scf.while (%[[I:.*]] = %{{.*}}, %[[GO:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %[[BUF]]) : (index, i1, tensor<2xf32>, tensor<?x2xf32>)
// CHECK:   %[[LT:.*]] = arith.cmpi slt, %[[I]], %[[M]] : index
// CHECK:   %[[AND:.*]] = arith.andi %[[GO]], %[[LT]] : i1
// CHECK:   scf.condition(%[[AND]])
// CHECK: } do {
// CHECK: ^bb0(%[[J:[^:]+]]: index, %{{[^:]+}}: i1, %[[Y:[^:]+]]: tensor<2xf32>, %[[S:[^:]+]]: tensor<?x2xf32>):
// CHECK:   %[[J64:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK:   tensor.from_elements %[[J64]] : tensor<i64>
// CHECK:   %[[CAP:.*]] = tensor.dim %[[S]], %{{.*}} : tensor<?x2xf32>
// CHECK:   %[[FULL:.*]] = arith.cmpi uge, %[[J]], %[[CAP]] : index
// CHECK:   %[[G:.*]] = scf.if %[[FULL]] -> (tensor<?x2xf32>) {
// CHECK:     arith.muli %[[CAP]]
// CHECK:     tensor.extract_slice %[[S]][0, 0] [%[[J]], 2] [1, 1]
// CHECK:   %[[ST:.*]] = tensor.insert_slice %{{.*}} into %[[G]][%[[J]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<?x2xf32>
// CHECK:   scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %[[ST]] : index, i1, tensor<2xf32>, tensor<?x2xf32>
// CHECK: tensor.extract_slice %[[W]]#3[0, 0] [%[[W]]#0, 2] [1, 1]
// CHECK-NOT: onnx.

func.func @loop_cond(%m: tensor<i64>, %c: tensor<i1>, %y: tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>) {
  %r:2 = "onnx.Loop"(%m, %c, %y) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %yi: tensor<2xf32>):
    %a = onnx.Add(%yi, %yi) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %lim = onnx.Constant() {value = dense<3> : tensor<i64>} : () -> tensor<i64>
    %go = onnx.Less(%i, %lim) : (tensor<i64>, tensor<i64>) -> tensor<i1>
    onnx.Yield %go, %a, %a : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>)
  return %r#0, %r#1 : tensor<2xf32>, tensor<?x2xf32>
}

// -----

// Loop whose condition the body passes on: the trip count is M (or 0 when
// the condition starts false), so the scan output is allocated once with
// that many rows and stored without any growth check.
// CHECK-LABEL: func @loop_counted
// CHECK: %[[M:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[SEL:.*]] = arith.select %{{.*}}, %[[M]], %{{.*}} : index
// CHECK: %[[ROWS:.*]] = arith.maxsi %[[SEL]], %{{.*}} : index
// CHECK: %[[BUF:.*]] = tensor.empty(%[[ROWS]]) : tensor<?x2xf32>
// CHECK: scf.while
// CHECK: } do {
// CHECK-NOT: scf.if
// CHECK:   arith.mulf
// CHECK-NOT: scf.if
// CHECK:   tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<?x2xf32>
// CHECK:   scf.yield

func.func @loop_counted(%m: tensor<i64>, %y: tensor<2xf32>, %w: tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>) {
  %t = onnx.Constant() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  %r:2 = "onnx.Loop"(%m, %t, %y) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %yi: tensor<2xf32>):
    %a = onnx.Mul(%yi, %w) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %cc = onnx.Identity(%ci) : (tensor<i1>) -> tensor<i1>
    onnx.Yield %cc, %a, %a : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>)
  return %r#0, %r#1 : tensor<2xf32>, tensor<?x2xf32>
}

// -----

// Scan over axis 1, backwards, the output stacked along the last axis and
// written back to front: both read and write at len - 1 - t. The new state
// is computed into the old one (no buffer per step).
// CHECK-LABEL: func @scan_axes
// CHECK-SAME: %[[H:[^:]+]]: tensor<3xf32>, %[[X:[^:]+]]: tensor<3x5xf32>
// CHECK: %[[LEN:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<3x5xf32>
// CHECK: %[[LAST:.*]] = arith.subi %[[LEN]], %{{.*}} : index
// CHECK: %[[OUT:.*]] = tensor.empty(%[[LEN]]) : tensor<3x?xf32>
// CHECK: %[[F:.*]]:2 = scf.for %[[T:.*]] = %{{.*}} to %[[LEN]] step %{{.*}} iter_args(%[[S:.*]] = %[[H]], %[[O:.*]] = %[[OUT]]) -> (tensor<3xf32>, tensor<3x?xf32>)
// CHECK:   %[[BACK:.*]] = arith.subi %[[LAST]], %[[T]] : index
// CHECK:   %[[E:.*]] = tensor.extract_slice %[[X]][0, %[[BACK]]] [3, 1] [1, 1] : tensor<3x5xf32> to tensor<3xf32>
// CHECK:   %[[A:.*]] = linalg.generic {{.*}} ins(%[[S]], %[[E]] : tensor<3xf32>, tensor<3xf32>) outs(%[[S]] : tensor<3xf32>)
// CHECK:   %[[W:.*]] = tensor.insert_slice %[[A]] into %[[O]][0, %[[BACK]]] [3, 1] [1, 1] : tensor<3xf32> into tensor<3x?xf32>
// CHECK:   scf.yield %[[A]], %[[W]]
// CHECK: tensor.cast %[[F]]#1 : tensor<3x?xf32> to tensor<3x5xf32>

func.func @scan_axes(%h: tensor<3xf32>, %x: tensor<3x5xf32>) -> (tensor<3xf32>, tensor<3x5xf32>) {
  %r:2 = "onnx.Scan"(%h, %x) ({
  ^bb0(%hi: tensor<3xf32>, %xi: tensor<3xf32>):
    %a = onnx.Add(%hi, %xi) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %a, %a : tensor<3xf32>, tensor<3xf32>
  }) {num_scan_inputs = 1 : i64, scan_input_axes = [1], scan_input_directions = [1], scan_output_axes = [-1], scan_output_directions = [1]} : (tensor<3xf32>, tensor<3x5xf32>) -> (tensor<3xf32>, tensor<3x5xf32>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3x5xf32>
}

// -----

// Scan-8 (marked by the importer): an scf.for over the batch around the
// scan of each batch element (scan axis 1 of the operand, 0 of the slice).
// CHECK-LABEL: func @scan8_batch
// CHECK-SAME: %[[H:[^:]+]]: tensor<2x3xf32>, %[[X:[^:]+]]: tensor<2x5x3xf32>
// CHECK: %[[B:.*]] = tensor.dim %[[H]], %{{.*}} : tensor<2x3xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[B]] step %{{.*}} iter_args(%[[HS:.*]] = %{{.*}}, %[[YS:.*]] = %{{.*}}) -> (tensor<?x3xf32>, tensor<?x5x3xf32>)
// CHECK:   tensor.extract_slice %[[H]][%[[I]], 0] [1, 3] [1, 1] : tensor<2x3xf32> to tensor<3xf32>
// CHECK:   %[[XB:.*]] = tensor.extract_slice %[[X]][%[[I]], 0, 0] [1, 5, 3] [1, 1, 1] : tensor<2x5x3xf32> to tensor<5x3xf32>
// CHECK:   scf.for
// CHECK:     tensor.extract_slice %[[XB]][%{{.*}}, 0] [1, 3] [1, 1] : tensor<5x3xf32> to tensor<3xf32>
// CHECK:     arith.addf
// CHECK:   tensor.insert_slice %{{.*}} into %[[HS]][%[[I]], 0] [1, 3] [1, 1]
// CHECK:   tensor.insert_slice %{{.*}} into %[[YS]][%[[I]], 0, 0] [1, 5, 3] [1, 1, 1]

func.func @scan8_batch(%h: tensor<2x3xf32>, %x: tensor<2x5x3xf32>) -> (tensor<2x3xf32>, tensor<2x5x3xf32>) {
  %r:2 = "onnx.Scan"(%h, %x) ({
  ^bb0(%hi: tensor<3xf32>, %xi: tensor<3xf32>):
    %a = onnx.Add(%hi, %xi) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %a, %a : tensor<3xf32>, tensor<3xf32>
  }) {num_scan_inputs = 1 : i64, seqc.scan8_batch} : (tensor<2x3xf32>, tensor<2x5x3xf32>) -> (tensor<2x3xf32>, tensor<2x5x3xf32>)
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<2x5x3xf32>
}

// -----

// An If nested in a Loop body reads the iteration number, a loop-carried
// value and a value of the function; the absent condition stays true.
// CHECK-LABEL: func @nested_if_in_loop
// CHECK-SAME: %{{[^:]+}}: tensor<i64>, %{{[^:]+}}: tensor<2xf32>, %[[W:[^:]+]]: tensor<2xf32>
// CHECK: scf.while
// CHECK: } do {
// CHECK: ^bb0(%{{[^:]+}}: index, %[[GO:[^:]+]]: i1, %[[Y:[^:]+]]: tensor<2xf32>):
// CHECK:   arith.cmpi slt
// CHECK:   %[[V:.*]] = scf.if %{{.*}} -> (tensor<2xf32>) {
// CHECK:     linalg.generic {{.*}} ins(%[[Y]], %[[W]] : tensor<2xf32>, tensor<2xf32>)
// CHECK:   } else {
// CHECK:     scf.yield %[[Y]] : tensor<2xf32>
// CHECK:   scf.yield %{{.*}}, %[[GO]], %[[V]] : index, i1, tensor<2xf32>
// CHECK-NOT: onnx.

func.func @nested_if_in_loop(%m: tensor<i64>, %y: tensor<2xf32>, %w: tensor<2xf32>) -> tensor<2xf32> {
  %none = onnx.NoValue
  %r = "onnx.Loop"(%m, %none, %y) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %yi: tensor<2xf32>):
    %two = onnx.Constant() {value = dense<2> : tensor<i64>} : () -> tensor<i64>
    %odd = onnx.Less(%i, %two) : (tensor<i64>, tensor<i64>) -> tensor<i1>
    %v = "onnx.If"(%odd) ({
      onnx.Yield %yi : tensor<2xf32>
    }, {
      %s = onnx.Add(%yi, %w) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      onnx.Yield %s : tensor<2xf32>
    }) : (tensor<i1>) -> tensor<2xf32>
    onnx.Yield %ci, %v : tensor<i1>, tensor<2xf32>
  }) : (tensor<i64>, none, tensor<2xf32>) -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// Branch outputs of different ranks have no common type.

func.func @if_rank_mismatch(%c: tensor<i1>, %x: tensor<4xf32>, %z: tensor<2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'onnx.If' cannot be lowered to linalg (yet) in this form}}
  %r = "onnx.If"(%c) ({
    onnx.Yield %z : tensor<2x2xf32>
  }, {
    onnx.Yield %x : tensor<4xf32>
  }) : (tensor<i1>) -> tensor<*xf32>
  return %r : tensor<*xf32>
}

// -----

// A Loop result declared unranked: the onnx op using it is lowered with the
// loop's ranked value, the return gets a cast to the declared type.
// CHECK-LABEL: func @loop_unranked_result
// CHECK: %[[W:.*]]:3 = scf.while
// CHECK-DAG: linalg.generic {{.*}} ins(%[[W]]#2 : tensor<3xf32>)
// CHECK-DAG: %[[C:.*]] = tensor.cast %[[W]]#2 : tensor<3xf32> to tensor<*xf32>
// CHECK: return %[[C]], %{{.*}} : tensor<*xf32>, tensor<3xf32>
func.func @loop_unranked_result(%m: tensor<i64>, %x: tensor<3xf32>) -> (tensor<*xf32>, tensor<3xf32>) {
  %none = onnx.NoValue
  %r = "onnx.Loop"(%m, %none, %x) ({
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %xi: tensor<3xf32>):
    %a = onnx.Add(%xi, %xi) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %ci, %a : tensor<i1>, tensor<3xf32>
  }) : (tensor<i64>, none, tensor<3xf32>) -> tensor<*xf32>
  %n = onnx.Neg(%r) : (tensor<*xf32>) -> tensor<3xf32>
  return %r, %n : tensor<*xf32>, tensor<3xf32>
}
