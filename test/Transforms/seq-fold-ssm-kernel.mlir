// RUN: seqc-opt %s --seq-fold-ssm-kernel --split-input-file | FileCheck %s
// RUN: seqc-opt %s --seq-fold-ssm-kernel=max-elements=2 --split-input-file | FileCheck %s --check-prefix=LIMIT

// A real decaying mode, dt = 1, ZOH: Abar = e^-1/2, Bbar = 2 (1 - e^-1/2),
// K_l = 2 Re(C Bbar Abar^l) = 2 (1 - e^-1/2) e^(-l/2). The parameters'
// constants go with the op.
// CHECK-LABEL: func.func @zoh_real
// CHECK-NOT: complex
// CHECK: %[[K:.*]] = arith.constant dense<{{\[\[}}0.786938667, 0.477302432, 0.289498568, 0.175589755]]> : tensor<1x4xf32>
// CHECK-NOT: seq.ssm_kernel
// CHECK: return %[[K]]
// LIMIT-LABEL: func.func @zoh_real
// LIMIT: seq.ssm_kernel
func.func @zoh_real() -> tensor<1x4xf32> {
  %a = arith.constant dense<[[(-0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %k = seq.ssm_kernel %a, %b, %c, %dt {discretization = #seq.discretization<zoh>}
      : (tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>) -> tensor<1x4xf32>
  return %k : tensor<1x4xf32>
}

// -----

// A rotating mode, A = i pi/2, dt = 1: Abar = i, Bbar = (i - 1) / A =
// (2/pi)(1 + i), so K_l = (4/pi) Re((1 + i) i^l) = 4/pi (1, -1, -1, 1)
// (up to the rounding of pi/2 to f32).
// CHECK-LABEL: func.func @zoh_rotating
// CHECK: arith.constant dense<{{\[\[}}1.27323949, -1.27323961, -1.27323937, 1.27323973]]>
func.func @zoh_rotating() -> tensor<1x4xf32> {
  %a = arith.constant dense<[[(0.0, 1.57079637)]]> : tensor<1x1xcomplex<f32>>
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %k = seq.ssm_kernel %a, %b, %c, %dt
      : (tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>) -> tensor<1x4xf32>
  return %k : tensor<1x4xf32>
}

// -----

// Bilinear, dt = 1, A = -1: Abar = (1 - 1/2) / (1 + 1/2) = 1/3,
// Bbar = 1 / (1 + 1/2) = 2/3, K_l = 2 (1/2) (2/3) 3^-l.
// CHECK-LABEL: func.func @bilinear
// CHECK: arith.constant dense<{{\[\[}}0.666666686, 0.222222224, 0.0740740746, 0.0246913582]]>
// CHECK-NOT: seq.ssm_kernel
func.func @bilinear() -> tensor<1x4xf32> {
  %a = arith.constant dense<[[(-1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %k = seq.ssm_kernel %a, %b, %c, %dt {discretization = #seq.discretization<bilinear>}
      : (tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>) -> tensor<1x4xf32>
  return %k : tensor<1x4xf32>
}

// -----

// A dynamic result length given by a constant: a static constant, cast back.
// Parameters behind tensor.cast are read through it.
// CHECK-LABEL: func.func @dynamic_length
// CHECK: %[[K:.*]] = arith.constant dense<{{.*}}> : tensor<1x3xf32>
// CHECK: %[[CAST:.*]] = tensor.cast %[[K]] : tensor<1x3xf32> to tensor<1x?xf32>
// CHECK: return %[[CAST]]
func.func @dynamic_length() -> tensor<1x?xf32> {
  %a0 = arith.constant dense<[[(-0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %a = tensor.cast %a0 : tensor<1x1xcomplex<f32>> to tensor<?x?xcomplex<f32>>
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %n = arith.constant 3 : index
  %k = seq.ssm_kernel %a, %b, %c, %dt length %n
      : (tensor<?x?xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>, index) -> tensor<1x?xf32>
  return %k : tensor<1x?xf32>
}

// -----

// The folded kernel feeds a long convolution, which now has a constant
// kernel.
// CHECK-LABEL: func.func @feeds_long_conv
// CHECK: %[[K:.*]] = arith.constant dense<{{.*}}> : tensor<1x4xf32>
// CHECK: seq.long_conv %{{.*}}, %[[K]]
func.func @feeds_long_conv(%x: tensor<1x1x16xf32>) -> tensor<1x1x16xf32> {
  %a = arith.constant dense<[[(-0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %k = seq.ssm_kernel %a, %b, %c, %dt
      : (tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>) -> tensor<1x4xf32>
  %y = seq.long_conv %x, %k : (tensor<1x1x16xf32>, tensor<1x4xf32>) -> tensor<1x1x16xf32>
  return %y : tensor<1x1x16xf32>
}

// -----

// Parameters computed at run time, or a length known only at run time:
// nothing to fold.
// CHECK-LABEL: func.func @not_constant
// CHECK: seq.ssm_kernel %arg0
// CHECK-LABEL: func.func @unknown_length
// CHECK: seq.ssm_kernel {{.*}} length %arg0
func.func @not_constant(%a: tensor<1x1xcomplex<f32>>) -> tensor<1x4xf32> {
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %k = seq.ssm_kernel %a, %b, %c, %dt
      : (tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>) -> tensor<1x4xf32>
  return %k : tensor<1x4xf32>
}
func.func @unknown_length(%n: index) -> tensor<1x?xf32> {
  %a = arith.constant dense<[[(-0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %b = arith.constant dense<[[(1.0, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %c = arith.constant dense<[[(0.5, 0.0)]]> : tensor<1x1xcomplex<f32>>
  %dt = arith.constant dense<0.0> : tensor<1xf32>
  %k = seq.ssm_kernel %a, %b, %c, %dt length %n
      : (tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1x1xcomplex<f32>>, tensor<1xf32>, index) -> tensor<1x?xf32>
  return %k : tensor<1x?xf32>
}
