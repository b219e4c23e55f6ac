// RUN: seqc-opt %s --seqc-parallel-regions --split-input-file | FileCheck %s

// Enough work: the first dim stays parallel, the others become scf.for.
// CHECK-LABEL: func.func @kept
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK: scf.for
// CHECK-NOT: scf.parallel
func.func @kept(%m: memref<64x128xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c128) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<64x128xf32>
  }
  return
}

// -----

// Too little work (16 x 16 < 4096): sequential.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
func.func @small(%m: memref<16x16xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c16) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<16x16xf32>
  }
  return
}

// -----

// Nested in a sequential loop: sequential.
// CHECK-LABEL: func.func @nested
// CHECK-NOT: scf.parallel
func.func @nested(%m: memref<1024x1024xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  scf.for %t = %c0 to %c1024 step %c1 {
    scf.parallel (%i) = (%c0) to (%c1024) step (%c1) {
      memref.store %v, %m[%t, %i] : memref<1024x1024xf32>
    }
  }
  return
}

// -----

// 16 tasks whose bodies hold a deep nest of loops (an FFT task's stages):
// the product of the trip counts exceeds int64 and must saturate, not wrap
// to "no work" (which serialized the FFT tasks).
// CHECK-LABEL: func.func @deep
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
func.func @deep(%m: memref<16xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c65536 = arith.constant 65536 : index
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    scf.for %a = %c0 to %c65536 step %c1 {
      scf.for %b = %c0 to %c65536 step %c1 {
        scf.for %c = %c0 to %c65536 step %c1 {
          scf.for %d = %c0 to %c65536 step %c1 {
            scf.for %e = %c0 to %c65536 step %c1 {
              memref.store %v, %m[%i] : memref<16xf32>
            }
          }
        }
      }
    }
  }
  return
}
