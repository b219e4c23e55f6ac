// RUN: seqc-opt %s -seq-lower-reference -split-input-file | FileCheck %s

// The structure of each reference lowering: no seq op is left, and each op
// becomes the loops of its definition. Numbers are checked in test/e2e.

// GQA: query head h reads kv head h floordiv 2.
// CHECK: #[[KV:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 2, d3, d4)>
// CHECK-LABEL: func @attention
// CHECK-NOT: seq.attention
// Scores: a reduction over the head dim.
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KV]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// The mask is evaluated per element: causal is j <= p.
// CHECK: linalg.generic
// CHECK: %[[P:.*]] = arith.addi
// CHECK: %[[J:.*]] = linalg.index 3
// CHECK: %[[OK:.*]] = arith.cmpi sle, %[[J]], %[[P]]
// CHECK: arith.select %[[OK]]
// Row max, exp, row sum, PV, normalization.
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK-COUNT-2: linalg.generic
// CHECK: arith.divf
// CHECK: return
func.func @attention(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %0 = seq.attention %q, %k, %k {mask = #seq.mask<causal>, scale = 0.25 : f32}
      : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// Dynamic head counts expand K/V heads with tensor.generate.
// CHECK-LABEL: func @attention_dynamic_heads
// CHECK: tensor.generate
// CHECK: arith.divui
// CHECK: tensor.extract
func.func @attention_dynamic_heads(%q: tensor<1x?x8x16xf32>, %k: tensor<1x?x8x16xf32>) -> tensor<1x?x8x16xf32> {
  %0 = seq.attention %q, %k, %k {mask = #seq.mask<full>, scale = 0.25 : f32}
      : (tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32>, tensor<1x?x8x16xf32>) -> tensor<1x?x8x16xf32>
  return %0 : tensor<1x?x8x16xf32>
}

// -----

// Recurrences are one scf.for over the sequence carrying the state.
// CHECK-LABEL: func @selective_scan
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[Y:.*]] = %{{.*}}) -> (tensor<?x?x?xf32>, tensor<2x8x16xf32>)
// CHECK: math.exp
// CHECK: tensor.insert_slice
// CHECK: scf.yield
func.func @selective_scan(%u: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>) -> tensor<2x8x16xf32> {
  %y, %h = seq.selective_scan %u, %u, %A, %B, %B
      : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return %y : tensor<2x8x16xf32>
}

// -----

// CHECK-LABEL: func @linear_scan_reverse
// CHECK: scf.for
// CHECK: arith.subi
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @linear_scan_reverse(%a: tensor<4x1xf32>, %b: tensor<4x3xf32>) -> tensor<3xf32> {
  %0 = seq.linear_scan %a, %b {axis = 0 : i64, reverse, last} : (tensor<4x1xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @linear_attention
// CHECK: scf.for
// CHECK-COUNT-3: linalg.generic
// CHECK: scf.yield
func.func @linear_attention(%q: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>) -> tensor<1x2x8x6xf32> {
  %o, %s = seq.linear_attention %q, %q, %v
      : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return %o : tensor<1x2x8x6xf32>
}

// -----

// The direct O(L K) sum with bounds-checked reads.
// CHECK-LABEL: func @long_conv
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.subi
// CHECK-DAG: arith.cmpi sge
// CHECK-DAG: arith.cmpi slt
// CHECK: tensor.extract
func.func @long_conv(%x: tensor<1x4x32xf32>, %k: tensor<4x32xf32>) -> tensor<1x4x32xf32> {
  %0 = seq.long_conv %x, %k : (tensor<1x4x32xf32>, tensor<4x32xf32>) -> tensor<1x4x32xf32>
  return %0 : tensor<1x4x32xf32>
}

// -----

// The O(N^2) DFT with exactly reduced twiddle angles.
// CHECK-LABEL: func @rfft
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.remui
// CHECK: math.cos
// CHECK: math.sin
// CHECK: complex.create
// CHECK: -> tensor<4x9xcomplex<f32>>
func.func @rfft(%x: tensor<4x16xf32>) -> tensor<4x9xcomplex<f32>> {
  %0 = seq.rfft %x {axis = 1 : i64} : (tensor<4x16xf32>) -> tensor<4x9xcomplex<f32>>
  return %0 : tensor<4x9xcomplex<f32>>
}

// -----

// CHECK-LABEL: func @ssm_kernel
// CHECK: linalg.generic
// CHECK: complex.exp
// CHECK: complex.re
func.func @ssm_kernel(%A: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf32>) -> tensor<8x32xf32> {
  %0 = seq.ssm_kernel %A, %A, %A, %dt : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf32>) -> tensor<8x32xf32>
  return %0 : tensor<8x32xf32>
}
