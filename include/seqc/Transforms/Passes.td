//===- Passes.td - seqc rewrite passes ---------------------*- tablegen -*-===//
//
// Every pass of seqc is declared here; its flag, options and dependent
// dialects live in this file and nowhere else.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_PASSES_TD
#define SEQC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqLowerReferencePass : Pass<"seq-lower-reference"> {
  let summary = "Lower every seq op to the plain loops of its definition";
  let description = [{
    Rewrites each `seq` op into linalg / tensor / scf / arith / math / complex
    ops on tensors that compute exactly the math in the op's description:
    dense scores with the mask evaluated per element for attention, a
    step-by-step `scf.for` for scans and recurrences, direct sums for long
    convolutions, O(N^2) DFT sums for the FFTs and the Vandermonde sum for
    the SSM kernel. No algorithm choice, no tiling: this is the oracle every
    fast lowering is tested against. It ignores `impl` attributes.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // SEQC_TRANSFORMS_PASSES_TD
