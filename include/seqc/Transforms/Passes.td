//===- Passes.td - seqc rewrite passes ---------------------*- tablegen -*-===//
//
// Every pass of seqc is declared here; its flag, options and dependent
// dialects live in this file and nowhere else. The implementation of a pass
// is one file of passes/<Stage>/ named after its flag (seq-lower-fft ->
// passes/Lower/LowerFFT.cpp); the stage folders follow the pipeline.
//
// Flag prefixes, one rule: a pass is named after the IR it rewrites.
//   onnx-...   rewrites onnx ops into onnx ops          (passes/Onnx/)
//   seq-...    creates, chooses for or lowers seq ops   (passes/Raise/,
//              Select/, Lower/)
//   seqc-...   seqc's code generation on upstream dialects (linalg, vector,
//              scf, math), the CPU strategy             (passes/Codegen/CPU/)
//   convert-X-to-Y  dialect conversions (include/seqc/Conversion/Passes.td)
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_PASSES_TD
#define SEQC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Onnx: onnx-level rewrites (passes/Onnx/)
//===----------------------------------------------------------------------===//

def OnnxInferShapesPass : Pass<"onnx-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Refine the result types of onnx ops left unranked or dynamic";
  let description = [{
    ONNX's shape inference (run at import) cannot follow reshape targets
    that exporters compute at run time through Constant nodes
    (Shape -> Gather -> Div -> Unsqueeze -> Concat). This pass evaluates such
    small integer tensors element by element (each known or unknown), derives
    ranks and static dims from them, and propagates shapes through
    elementwise ops (numpy broadcasting), MatMul, Transpose, Reshape,
    Squeeze/Unsqueeze, Expand, ConstantOfShape and shape-preserving ops.
    Types only become more precise.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Raise: onnx -> seq (passes/Raise/)
//===----------------------------------------------------------------------===//

def SeqRaiseOnnxPass : Pass<"seq-raise-onnx", "::mlir::ModuleOp"> {
  let summary = "Raise ONNX subgraphs that are token mixers to seq ops";
  let description = [{
    Recognizes the ONNX forms of the token mixers and replaces them by the
    `seq` op, keeping the ONNX node's location:

    - a depthwise 1-D `onnx.Conv` (group = C, weight C x 1 x K, unit strides
      and dilations) with causal pads (K-1, 0) or centred pads
      (K-1 - (K-1)/2, (K-1)/2) becomes `seq.long_conv` (causal / centered)
      with the kernel reversed (ONNX Conv correlates); a constant weight is
      reversed at compile time.
    - `onnx.DFT` (opset 17; constant or absent dft_length) becomes
      `seq.fft` (complex, or real and two-sided, forward or inverse) or
      `seq.rfft` (real, onesided), with the trailing (re, im) dim of ONNX
      converted to and from complex<f32>.
    - `onnx.STFT` (opset 17): windowed frames (step and length may be run-time
      values) then `seq.rfft` (onesided) or `seq.fft` along the frame axis.
    - a 1-D `onnx.Conv` whose constant weights are a windowed DFT basis (an
      STFT written as a convolution) becomes windowed frames + `seq.rfft`.
    - an FFT convolution written with DFT ops, the real part of
      `DFT^-1(DFT(x) * DFT(k))` (full spectra, or onesided ones with the
      product's conjugated mirror appended; the complex product as torch
      exports it), becomes one causal `seq.long_conv` when N >= L + K - 1
      (passes/Raise/RaiseFFTConv.cpp).
  }];
  let dependentDialects = [
    "::seqc::seq::SeqDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqFoldSSMKernelPass : Pass<"seq-fold-ssm-kernel"> {
  let summary = "Evaluate seq.ssm_kernel at compile time when its parameters "
                "are constants";
  let description = [{
    Replaces a `seq.ssm_kernel` whose A, B, C, log_dt (and `length`, when the
    result length is dynamic) are constants (`arith.constant`,
    `onnx.Constant`, dense or resource elements, possibly behind
    `tensor.cast`) by an `arith.constant` holding the kernel, computed in
    double precision from the op's definition (ZOH or bilinear, the factor 2
    of the conjugate pairs) and rounded once to the result's element type.
    An SSM in convolution mode then leaves only its convolution to run time,
    and a `seq.long_conv` fed by it gets a constant kernel (whose spectrum
    seq-lower-long-conv computes at compile time). Kernels of more than
    `max-elements` elements are left alone.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", "int64_t(1) << 26",
           "Largest kernel (channels x length) folded into a constant">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Select: the algorithm of each seq op (passes/Select/)
//===----------------------------------------------------------------------===//

def SeqSelectImplPass : Pass<"seq-select-impl", "::mlir::ModuleOp"> {
  let summary = "Choose the algorithm of each seq op without an `impl`";
  let description = [{
    Sets `impl` on every token mixer (ImplInterface) that has none: for each
    algorithm the op allows, its estimated work on the op's shapes
    (ImplInterface::estimateWork, formulas in seqc/Dialect/Seq/IR/ImplWork.h)
    divided by the rate of seqc's generated code for it
    (seqc/Transforms/CostModel.h, calibrated by bench/calibrate_long_conv.py);
    the smallest time wins. An `impl` already present (written in the IR, or
    from `seqc --impl`) is kept.

    - `seq.long_conv`: `direct` (2 L K flops per channel), `fft` (three
      length-N transforms, N the power of two >= L + K - 1, two when the
      kernel is a constant) and `overlap_save` (blocks of n < N points, n a
      power of two >= 2K, when K is static). A dynamic L is taken to be K;
      a dynamic K takes `fft`.
    - `seq.fft`, `seq.rfft`, `seq.irfft`: `mixed_radix` when the length is
      static and its prime factors are <= 31, `bluestein` otherwise.
    - every other op: `reference` (their fast lowerings come later).
  }];
  let options = [
    Option<"longConvDirectGflops", "long-conv-direct-gflops", "double",
           /*default=*/"::seqc::CostModel().longConvDirect",
           "GFLOP/s of long_conv's direct sum on one thread">,
    Option<"longConvFFTGflops", "long-conv-fft-gflops", "double",
           /*default=*/"::seqc::CostModel().longConvFFT",
           "GFLOP/s of long_conv's FFT convolution on one thread">,
    Option<"longConvOverlapSaveGflops", "long-conv-overlap-save-gflops",
           "double", /*default=*/"::seqc::CostModel().longConvOverlapSave",
           "GFLOP/s of long_conv's overlap-save on one thread">,
    Option<"fftGflops", "fft-gflops", "double",
           /*default=*/"::seqc::CostModel().fft",
           "GFLOP/s of the FFT stages (mixed radix and Bluestein)">,
  ];
  let dependentDialects = ["::seqc::seq::SeqDialect"];
}

//===----------------------------------------------------------------------===//
// Lower: seq ops -> linalg / scf / vector (passes/Lower/)
//===----------------------------------------------------------------------===//

def SeqLowerLongConvPass : Pass<"seq-lower-long-conv", "::mlir::ModuleOp"> {
  let summary = "Lower seq.long_conv with impl = fft or direct to fast code";
  let description = [{
    `seq.long_conv {impl = #seq.impl<fft>}` becomes generated FFT code on
    tensors: the input, zero-padded to N (the power of two >= L + K - 1), is
    laid out as N x B x C (channels innermost, so every butterfly is a vector
    operation across channels) and transformed by log2(N) radix-2 Stockham
    stages (one linalg.generic each, in an scf.for); the product with the
    kernel's spectrum is transformed back through the conjugate trick and
    the first L (or, centred, the shifted L) outputs kept. When the kernel
    is a constant and N is static, its spectrum is computed at compile time
    (in double precision) and becomes a constant; twiddle factors are
    compile-time constants when N is static.

    `impl = direct` becomes the direct sum, vectorized and register-blocked
    (passes/Lower/LongConvDirect.cpp): one scf.forall task per (batch, channel)
    row; blocks of 8 x 16 outputs accumulate in vector registers over the
    taps, reading the left-padded input with unaligned vector loads.
    `impl = reference` is left to seq-lower-reference.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SeqLowerFFTPass : Pass<"seq-lower-fft", "::mlir::ModuleOp"> {
  let summary = "Lower seq.fft / rfft / irfft to generated FFT code";
  let description = [{
    `seq.fft`, `seq.rfft` and `seq.irfft` with impl `mixed_radix` or
    `bluestein` become generated code on tensors (passes/Lower/FFTBuilder.h): the
    transform axis is moved to the front and the other dims batched
    innermost, the signal split into real and imaginary planes, then
    mixed-radix Stockham stages (static lengths whose prime factors are
    <= 31; vector butterflies across 4-64 static signals) or Bluestein's
    chirp-z transform over power-of-two stages (other lengths, and lengths
    known only at run time). Twiddle tables and the Bluestein filter
    spectrum are compile-time constants for static lengths. Inverses use the
    conjugate identity; real transforms of even length run as half-length
    complex ones. With the transform axis last and static lengths (four or
    more signals, or a run-time count), each scf.forall task takes 16
    signals and moves them between the model's layout and the planes with
    in-register 16x16 block transposes (passes/Lower/FFTLayout.cpp). Ops with impl `reference` are
    left to seq-lower-reference.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::complex::ComplexDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

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

//===----------------------------------------------------------------------===//
// Codegen: CPU code generation on upstream dialects (passes/Codegen/CPU/)
//===----------------------------------------------------------------------===//

def SeqcCpuCodegenPass : Pass<"seqc-cpu-codegen", "::mlir::ModuleOp"> {
  let summary = "Tile and vectorize the hot linalg ops for the host CPU";
  let description = [{
    Applies seqc's CPU strategy, the transform-dialect library
    passes/Codegen/CPU/CpuStrategy.mlir (embedded at build time), to the
    module on tensors: f32 matmuls and batched matmuls are split among
    threads (scf.forall), cut into 8x32 register tiles, vectorized, with the
    accumulator hoisted out of the reduction loop and the contraction lowered
    to vector FMAs; tile loops over dynamic or ragged extents are peeled.
  }];
  let dependentDialects = [
    "::mlir::transform::TransformDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SeqcMathApproximationPass
    : Pass<"seqc-math-approximation", "::mlir::ModuleOp"> {
  let summary = "Replace f32 transcendental math ops by polynomial code";
  let description = [{
    Rewrites f32 `math.exp`, `math.erf`, `math.tanh`, `math.log`, `math.log1p`,
    `math.sin`, `math.cos`, ... (scalars and vectors) into arith
    polynomial approximations (MLIR's math approximation patterns, accurate
    to a few ulp). Unlike a libm call, the result vectorizes: the softmax,
    GELU and SiLU loops of a model no longer make one scalar call per
    element. f64 ops are left to libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SeqcFuseElementwisePass
    : Pass<"seqc-fuse-elementwise", "::mlir::ModuleOp"> {
  let summary = "Elementwise fusion that leaves seqc's in-place kernels alone";
  let description = [{
    Upstream `linalg-fuse-elementwise-ops` (producer-consumer fusion of
    elementwise generics with single-use producers, reshape folding by
    expansion) applied to every op except linalg ops marked
    `seqc.in_place`: its outs-dependency removal would give those a fresh
    destination and undo the buffer reuse they were built with (the FFT
    stages write over the planes their predecessor read).
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqcParallelRegionsPass
    : Pass<"seqc-parallel-regions", "::mlir::ModuleOp"> {
  let summary = "Choose the scf.parallel loops that become thread-parallel";
  let description = [{
    Keeps `scf.parallel` only where a parallel region pays off: the
    outermost parallel loop of a loop nest (not inside another loop), and
    only when its iteration space is dynamic or has at least
    `min-iterations` iterations times inner work. Every other
    `scf.parallel` (nested ones, tiny ones) becomes a nest of `scf.for`, so
    that `convert-scf-to-openmp` opens one parallel region per top-level
    loop nest instead of one per iteration of an enclosing sequential loop.
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", "4096",
           "Smallest static iteration count (all nested loops' trip counts "
           "multiplied) worth a parallel region">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

#endif // SEQC_TRANSFORMS_PASSES_TD
