// RUN: seqc-opt %s --seqc-math-approximation | FileCheck %s

// f32 exp, tanh and erf (scalars and vectors) become polynomial arith code:
// no math op and no libm call is left.
// CHECK-LABEL: func.func @approximated
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: arith.mulf
// CHECK: return
func.func @approximated(%x: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>, f32) {
  %0 = math.exp %x : f32
  %1 = math.tanh %v : vector<16xf32>
  %2 = math.erf %x : f32
  return %0, %1, %2 : f32, vector<16xf32>, f32
}

// f64 math and f32 sin/cos (argument reduction loses accuracy for large
// arguments) are left to libm.
// CHECK-LABEL: func.func @kept
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.sin %{{.*}} : f32
// CHECK: math.cos %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f32, f32) {
  %0 = math.exp %x : f64
  %1 = math.sin %y : f32
  %2 = math.cos %y : f32
  return %0, %1, %2 : f64, f32, f32
}
