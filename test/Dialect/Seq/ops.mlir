// RUN: seqc-opt %s | seqc-opt | FileCheck %s
// RUN: seqc-opt %s --mlir-print-op-generic | seqc-opt | FileCheck %s

// Every seq op and every mask form round-trips, and masks print in their
// canonical form.

// CHECK-LABEL: func @attention_forms
func.func @attention_forms(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x16x8xf32>,
                           %v: tensor<1x2x16x4xf32>, %bias: tensor<16x16xf32>) {
  // CHECK: seq.attention %{{.*}}, %{{.*}}, %{{.*}} {mask = #seq.mask<full>, scale = 1.250000e-01 : f32}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<full>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // CHECK: mask = #seq.mask<causal>
  %1 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // window<-1, 0> is causal.
  // CHECK: mask = #seq.mask<causal>
  %2 = seq.attention %q, %k, %v {mask = #seq.mask<window<-1, 0>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // CHECK: mask = #seq.mask<window<3, 2>>
  %3 = seq.attention %q, %k, %v {mask = #seq.mask<window<3, 2>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // CHECK: mask = #seq.mask<sinks<4>>
  %4 = seq.attention %q, %k, %v {mask = #seq.mask<sinks<4>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // Tokens are sorted and deduplicated.
  // CHECK: mask = #seq.mask<global<[0, 5, 9]>>
  %5 = seq.attention %q, %k, %v {mask = #seq.mask<global<[9, 0, 5, 0]>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // CHECK: mask = #seq.mask<dilated<4, 2>>
  %6 = seq.attention %q, %k, %v {mask = #seq.mask<dilated<4, 2>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // A dilation of one is a symmetric window.
  // CHECK: mask = #seq.mask<window<2, 2>>
  %7 = seq.attention %q, %k, %v {mask = #seq.mask<dilated<4, 1>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // CHECK: mask = #seq.mask<blocks<8, dense<{{\[}}[true, false], [true, true]]> : tensor<2x2xi1>>>
  %8 = seq.attention %q, %k, %v {mask = #seq.mask<blocks<8, dense<[[true, false], [true, true]]> : tensor<2x2xi1>>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // LM-Infinite's Lambda mask; `and` binds tighter than `or`.
  // CHECK: mask = #seq.mask<causal and (window<4, -1> or sinks<2>)>
  %9 = seq.attention %q, %k, %v {mask = #seq.mask<(sinks<2> or window<4, -1>) and causal>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // Windows in an `and` intersect; `full` drops out of `and`.
  // CHECK: mask = #seq.mask<window<4, 0>>
  %10 = seq.attention %q, %k, %v {mask = #seq.mask<causal and window<4, 4> and full>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // `full` absorbs an `or`; nested `or`s flatten, duplicates go, operands sort.
  // CHECK: mask = #seq.mask<full>
  %11 = seq.attention %q, %k, %v {mask = #seq.mask<causal or full>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // CHECK: mask = #seq.mask<window<8, 8> or sinks<1> or global<[0]>>
  %12 = seq.attention %q, %k, %v {mask = #seq.mask<global<[0]> or (sinks<1> or window<8, 8>) or sinks<1>>, scale = 0.125 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>) -> tensor<1x4x16x4xf32>
  // One mask per query head, a bias, a softcap and an impl.
  // CHECK: seq.attention %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {impl = #seq.impl<tiled>, mask = [#seq.mask<causal>, #seq.mask<window<2, 0>>, #seq.mask<causal>, #seq.mask<window<2, 0> or sinks<1>>], scale = 1.250000e-01 : f32, softcap = 3.000000e+01 : f32}
  %13 = seq.attention %q, %k, %v bias %bias {impl = #seq.impl<tiled>, mask = [#seq.mask<causal>, #seq.mask<window<2, 0>>, #seq.mask<causal>, #seq.mask<window<2, 0> or sinks<1>>], scale = 0.125 : f32, softcap = 30.0 : f32}
      : (tensor<1x4x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x4xf32>, tensor<16x16xf32>) -> tensor<1x4x16x4xf32>
  return
}

// CHECK-LABEL: func @attention_dynamic
func.func @attention_dynamic(%q: tensor<?x?x?x64xf32>, %k: tensor<?x?x?x64xf32>, %v: tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32> {
  // CHECK: seq.attention {{.*}} : (tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32>
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 0.125 : f32}
      : (tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>, tensor<?x?x?x64xf32>) -> tensor<?x?x?x64xf32>
  return %0 : tensor<?x?x?x64xf32>
}

// CHECK-LABEL: func @linear_attention
func.func @linear_attention(%q: tensor<2x4x32x8xf32>, %k: tensor<2x4x32x8xf32>, %v: tensor<2x4x32x16xf32>,
                            %a: tensor<2x4x32xf32>, %ag: tensor<2x4x32x8xf32>, %s0: tensor<2x4x8x16xf32>) {
  // CHECK: seq.linear_attention %{{.*}}, %{{.*}}, %{{.*}} :
  %0:2 = seq.linear_attention %q, %k, %v
      : (tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x16xf32>) -> (tensor<2x4x32x16xf32>, tensor<2x4x8x16xf32>)
  // CHECK: seq.linear_attention %{{.*}}, %{{.*}}, %{{.*}} decay %{{.*}} state0 %{{.*}} {impl = #seq.impl<chunked>, normalizer = #seq.normalizer<clamped>}
  %1:2 = seq.linear_attention %q, %k, %v decay %a state0 %s0 {normalizer = #seq.normalizer<clamped>, impl = #seq.impl<chunked>}
      : (tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x32x16xf32>, tensor<2x4x8x16xf32>)
  // CHECK: seq.linear_attention %{{.*}}, %{{.*}}, %{{.*}} decay %{{.*}} {normalizer = #seq.normalizer<sum>}
  %2:2 = seq.linear_attention %q, %k, %v decay %ag {normalizer = #seq.normalizer<sum>}
      : (tensor<2x4x32x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x8xf32>) -> (tensor<2x4x32x16xf32>, tensor<2x4x8x16xf32>)
  return
}

// CHECK-LABEL: func @selective_scan
func.func @selective_scan(%u: tensor<2x8x64xf32>, %dt: tensor<2x8x64xf32>, %A: tensor<8x4xf32>,
                          %B: tensor<2x4x64xf32>, %C: tensor<2x4x64xf32>, %D: tensor<8xf32>,
                          %z: tensor<2x8x64xf32>, %Bg: tensor<2x2x4x64xf32>) {
  // CHECK: seq.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} :
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C
      : (tensor<2x8x64xf32>, tensor<2x8x64xf32>, tensor<8x4xf32>, tensor<2x4x64xf32>, tensor<2x4x64xf32>) -> (tensor<2x8x64xf32>, tensor<2x8x4xf32>)
  // CHECK: seq.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D %{{.*}} z %{{.*}} delta_bias %{{.*}} {delta_softplus}
  %1:2 = seq.selective_scan %u, %dt, %A, %Bg, %Bg D %D z %z delta_bias %D {delta_softplus}
      : (tensor<2x8x64xf32>, tensor<2x8x64xf32>, tensor<8x4xf32>, tensor<2x2x4x64xf32>, tensor<2x2x4x64xf32>, tensor<8xf32>, tensor<2x8x64xf32>, tensor<8xf32>) -> (tensor<2x8x64xf32>, tensor<2x8x4xf32>)
  return
}

// CHECK-LABEL: func @linear_scan
func.func @linear_scan(%a: tensor<1x1x64xf32>, %b: tensor<4x8x64xf32>, %h0: tensor<4x8xf32>) {
  // CHECK: seq.linear_scan %{{.*}}, %{{.*}} {axis = 2 : i64}
  %0 = seq.linear_scan %a, %b {axis = 2 : i64} : (tensor<1x1x64xf32>, tensor<4x8x64xf32>) -> tensor<4x8x64xf32>
  // CHECK: seq.linear_scan %{{.*}}, %{{.*}} h0 %{{.*}} {axis = 2 : i64, last, reverse}
  %1 = seq.linear_scan %a, %b h0 %h0 {axis = 2 : i64, reverse, last} : (tensor<1x1x64xf32>, tensor<4x8x64xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// CHECK-LABEL: func @long_conv
func.func @long_conv(%x: tensor<2x16x?xf32>, %k: tensor<16x128xf32>, %b: tensor<16xf32>) {
  // CHECK: seq.long_conv %{{.*}}, %{{.*}} :
  %0 = seq.long_conv %x, %k : (tensor<2x16x?xf32>, tensor<16x128xf32>) -> tensor<2x16x?xf32>
  // CHECK: seq.long_conv %{{.*}}, %{{.*}} bias %{{.*}} {impl = #seq.impl<fft>, mode = #seq.conv_mode<centered>}
  %1 = seq.long_conv %x, %k bias %b {mode = #seq.conv_mode<centered>, impl = #seq.impl<fft>} : (tensor<2x16x?xf32>, tensor<16x128xf32>, tensor<16xf32>) -> tensor<2x16x?xf32>
  return
}

// CHECK-LABEL: func @ffts
func.func @ffts(%c: tensor<4x1000xcomplex<f32>>, %r: tensor<4x1024xf32>, %s: tensor<4x1025xcomplex<f32>>) {
  // CHECK: seq.fft %{{.*}} {axis = 1 : i64} : (tensor<4x1000xcomplex<f32>>) -> tensor<4x1000xcomplex<f32>>
  %0 = seq.fft %c {axis = 1 : i64} : (tensor<4x1000xcomplex<f32>>) -> tensor<4x1000xcomplex<f32>>
  // CHECK: seq.fft %{{.*}} {axis = 1 : i64, inverse, length = 997 : i64}
  %1 = seq.fft %c {axis = 1 : i64, inverse, length = 997 : i64} : (tensor<4x1000xcomplex<f32>>) -> tensor<4x997xcomplex<f32>>
  // CHECK: seq.rfft %{{.*}} {axis = 1 : i64, impl = #seq.impl<mixed_radix>, length = 2048 : i64} : (tensor<4x1024xf32>) -> tensor<4x1025xcomplex<f32>>
  %2 = seq.rfft %r {axis = 1 : i64, length = 2048 : i64, impl = #seq.impl<mixed_radix>} : (tensor<4x1024xf32>) -> tensor<4x1025xcomplex<f32>>
  // CHECK: seq.irfft %{{.*}} {axis = 1 : i64} : (tensor<4x1025xcomplex<f32>>) -> tensor<4x2048xf32>
  %3 = seq.irfft %s {axis = 1 : i64} : (tensor<4x1025xcomplex<f32>>) -> tensor<4x2048xf32>
  // CHECK: seq.irfft %{{.*}} {axis = 0 : i64, length = 7 : i64} : (tensor<4x1025xcomplex<f32>>) -> tensor<7x1025xf32>
  %4 = seq.irfft %s {axis = 0 : i64, length = 7 : i64} : (tensor<4x1025xcomplex<f32>>) -> tensor<7x1025xf32>
  return
}

// CHECK-LABEL: func @ssm_kernel
func.func @ssm_kernel(%A: tensor<16x8xcomplex<f32>>, %dt: tensor<16xf32>, %n: index) {
  // CHECK: seq.ssm_kernel %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : {{.*}} -> tensor<16x256xf32>
  %0 = seq.ssm_kernel %A, %A, %A, %dt : (tensor<16x8xcomplex<f32>>, tensor<16x8xcomplex<f32>>, tensor<16x8xcomplex<f32>>, tensor<16xf32>) -> tensor<16x256xf32>
  // CHECK: seq.ssm_kernel %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} length %{{.*}} {discretization = #seq.discretization<bilinear>, impl = #seq.impl<vandermonde>}
  %1 = seq.ssm_kernel %A, %A, %A, %dt length %n {discretization = #seq.discretization<bilinear>, impl = #seq.impl<vandermonde>} : (tensor<16x8xcomplex<f32>>, tensor<16x8xcomplex<f32>>, tensor<16x8xcomplex<f32>>, tensor<16xf32>, index) -> tensor<16x?xf32>
  return
}
