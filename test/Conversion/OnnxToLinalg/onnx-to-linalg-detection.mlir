// RUN: seqc-opt %s -convert-onnx-to-linalg -split-input-file | FileCheck %s

// RoiAlign: a generic over (rois, C, out_h, out_w) whose body loops over the
// sampling grid and reads the four bilinear corners of each sample.
// CHECK-LABEL: func @roi_align
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x10x10xf32>
// CHECK: arith.divf
func.func @roi_align(%x: tensor<1x1x10x10xf32>, %rois: tensor<3x4xf32>, %b: tensor<3xi64>) -> tensor<3x1x5x5xf32> {
  %0 = onnx.RoiAlign(%x, %rois, %b) {output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
  return %0 : tensor<3x1x5x5xf32>
}

// -----

// NonMaxSuppression: greedy selection in loops over batch, class and the
// selections; the result is the first `count` rows of a (B*C*N, 3) buffer.
// CHECK-LABEL: func @nms
// CHECK: %[[BUF:.*]] = tensor.empty(%{{.*}}) : tensor<?x3xi64>
// CHECK: %[[R:.*]]:2 = scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.extract_slice %[[R]]#0[0, 0] [%[[R]]#1, 3] [1, 1]
func.func @nms(%boxes: tensor<?x?x4xf32>, %scores: tensor<?x?x?xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %st: tensor<1xf32>) -> tensor<?x3xi64> {
  %0 = onnx.NonMaxSuppression(%boxes, %scores, %m, %iou, %st) {center_point_box = 1 : i64} : (tensor<?x?x4xf32>, tensor<?x?x?xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}
