//===- Passes.td - seqc conversion passes ------------------*- tablegen -*-===//
//
// Conversions between dialects. Each pass's flag, options and dependent
// dialects are declared here and nowhere else.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_CONVERSION_PASSES_TD
#define SEQC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertOnnxToLinalgPass : Pass<"convert-onnx-to-linalg"> {
  let summary = "Lower onnx dialect ops to linalg, tensor, arith and math";
  let description = [{
    Converts the ONNX operators the CPU pipeline supports (elementwise math
    with numpy broadcasting, MatMul/Gemm, Softmax, reductions, and the shape
    ops whose shape operands are constants) into linalg named and generic
    ops on tensors. Dynamic dimensions flow through as `tensor.dim` values.
    Subgraph operators become scf: If -> scf.if, Loop -> scf.while, Scan ->
    scf.for over extract_slice/insert_slice (their bodies, which read outer
    values directly, are lowered first by the same patterns).
    An operator it cannot lower is reported at the node's location (ONNX
    node name and op type) and the pass fails.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // SEQC_CONVERSION_PASSES_TD
