//===- SeqOps.td - Operations of the seq dialect -----------*- tablegen -*-===//
//
// The token mixers. Each op states its exact math; `seq-lower-reference`
// implements exactly that and is the oracle of every fast lowering.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQOPS_TD
#define SEQC_DIALECT_SEQ_IR_SEQOPS_TD

include "seqc/Dialect/Seq/IR/SeqDialect.td"
include "seqc/Dialect/Seq/IR/SeqAttrs.td"
include "seqc/Dialect/Seq/IR/SeqInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Seq_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Seq_ComplexTensor : RankedTensorOf<[Complex<AnyFloat>]>;
def Seq_MaskOrMasks : AnyAttrOf<[Seq_MaskAttr, TypedArrayAttrBase<Seq_MaskAttr,
    "one mask per query head">]>;

/// Token mixers: ops that carry an optional `impl = #seq.impl<...>` and
/// implement ImplInterface. `overridden` names the interface methods with a
/// default that the op implements itself (e.g. estimateWork).
class Seq_MixerOp<string mnemonic, list<Trait> traits = [],
                  list<string> overridden = []>
    : Seq_Op<mnemonic, !listconcat(traits, [Pure,
          DeclareOpInterfaceMethods<Seq_ImplInterface, overridden>])> {
  let hasVerifier = 1;
  code extraMixerDecls = "";
}

//===----------------------------------------------------------------------===//
// seq.attention
//===----------------------------------------------------------------------===//

def Seq_AttentionOp : Seq_MixerOp<"attention"> {
  let summary = "scaled dot-product attention with a structured mask";
  let description = [{
    Inputs `query` (B, Hq, Lq, D), `key` (B, Hkv, Lk, D), `value`
    (B, Hkv, Lk, Dv) and an optional additive `bias` broadcastable (numpy
    rules, aligned right) to (B, Hq, Lq, Lk). Hkv divides Hq: query head `h`
    reads key/value head `h floordiv (Hq / Hkv)` (grouped and multi-query
    attention). Query row `r` sits at position `p = r + (Lk - Lq)`.

    ```
    s[b,h,r,j] = scale * sum_d q[b,h,r,d] * k[b,h',j,d]
    s          = softcap * tanh(s / softcap)          (if softcap is set)
    s          = s + bias[b,h,r,j]                    (if bias is given)
    s          = -inf where not M_h(p, j)
    out[b,h,r,:] = sum_j softmax_j(s[b,h,r,:]) * v[b,h',j,:]
    ```

    `mask` is one `#seq.mask` or an array with one per query head. A row with
    no attendable key (all scores -inf) yields zeros.

    ```mlir
    %o = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 0.125 : f32}
        : (tensor<1x8x128x64xf32>, tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
        -> tensor<1x8x128x64xf32>
    ```
  }];
  let arguments = (ins Seq_FloatTensor:$query, Seq_FloatTensor:$key,
                       Seq_FloatTensor:$value,
                       Optional<Seq_FloatTensor>:$bias,
                       Seq_MaskOrMasks:$mask, F32Attr:$scale,
                       OptionalAttr<F32Attr>:$softcap,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$out);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
  let extraClassDeclaration = extraMixerDecls # [{
    /// The mask of query head `h` (the single mask if there is one).
    MaskAttr getHeadMask(int64_t h);
    /// Whether every query head has the same mask.
    bool hasUniformMask();
  }];
}

//===----------------------------------------------------------------------===//
// seq.linear_attention
//===----------------------------------------------------------------------===//

def Seq_LinearAttentionOp : Seq_MixerOp<"linear_attention",
    [AttrSizedOperandSegments]> {
  let summary = "linear attention / gated matrix-state recurrence";
  let description = [{
    Inputs `query`, `key` (B, H, L, Dk), `value` (B, H, L, Dv), an optional
    `decay` a of shape (B, H, L) (a scalar per step, RetNet / Mamba-2 SSD) or
    (B, H, L, Dk) (a vector per step, GLA), and an optional initial state
    (B, H, Dk, Dv). With S_{-1} = state0 (or 0), n_{-1} = 0 and a = 1 when no
    decay is given:

    ```
    S_t = a_t (.) S_{t-1} + k_t v_t^T        (a_t scales the rows of S)
    n_t = a_t (.) n_{t-1} + k_t
    o_t = S_t^T q_t                          normalizer = none
    o_t = S_t^T q_t / (n_t . q_t)            normalizer = sum  (Katharopoulos)
    o_t = S_t^T q_t / max(|n_t . q_t|, 1)    normalizer = clamped  (mLSTM)
    ```

    Results: `out` (B, H, L, Dv) and the final `state` S_{L-1} (B, H, Dk, Dv).
    One op covers linear attention, RetNet, Mamba-2 SSD, GLA and xLSTM's mLSTM
    (gates are folded into `key` and `decay` by the producer).

    ```mlir
    %o, %s = seq.linear_attention %q, %k, %v decay %a
        {normalizer = #seq.normalizer<none>}
        : (tensor<1x4x256x32xf32>, tensor<1x4x256x32xf32>,
           tensor<1x4x256x64xf32>, tensor<1x4x256xf32>)
        -> (tensor<1x4x256x64xf32>, tensor<1x4x32x64xf32>)
    ```
  }];
  let arguments = (ins Seq_FloatTensor:$query, Seq_FloatTensor:$key,
                       Seq_FloatTensor:$value,
                       Optional<Seq_FloatTensor>:$decay,
                       Optional<Seq_FloatTensor>:$state0,
                       DefaultValuedAttr<Seq_NormalizerAttr,
                           "::seqc::seq::Normalizer::none">:$normalizer,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$out, Seq_FloatTensor:$state);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`decay` $decay^)? (`state0` $state0^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = extraMixerDecls;
}

//===----------------------------------------------------------------------===//
// seq.selective_scan
//===----------------------------------------------------------------------===//

def Seq_SelectiveScanOp : Seq_MixerOp<"selective_scan",
    [AttrSizedOperandSegments]> {
  let summary = "Mamba (S6) selective state-space scan";
  let description = [{
    Inputs `u`, `delta` (B, D, L), `A` (D, N), `B`, `C` (B, N, L) or grouped
    (B, G, N, L) with G dividing D (channel d uses group d floordiv (D/G)),
    optional `D` (D), `z` (B, D, L) and `delta_bias` (D). With h_{-1} = 0:

    ```
    dt_t[d]     = delta[b,d,t] + delta_bias[d]; softplus(dt) if delta_softplus
    h_t[d,n]    = exp(dt_t[d] * A[d,n]) * h_{t-1}[d,n] + dt_t[d] * B_t[n] * u_t[d]
    y_t[d]      = sum_n C_t[n] * h_t[d,n] + D[d] * u_t[d]
    y_t[d]     *= silu(z_t[d])                     (if z is given)
    ```

    The B term is Euler (dt * B), as in Mamba's reference. Results: `y`
    (B, D, L) and the last state h_{L-1} (B, D, N).

    ```mlir
    %y, %h = seq.selective_scan %u, %dt, %A, %B, %C D %Dp z %z
        {delta_softplus}
        : (tensor<2x64x512xf32>, tensor<2x64x512xf32>, tensor<64x16xf32>,
           tensor<2x16x512xf32>, tensor<2x16x512xf32>, tensor<64xf32>,
           tensor<2x64x512xf32>) -> (tensor<2x64x512xf32>, tensor<2x64x16xf32>)
    ```
  }];
  let arguments = (ins Seq_FloatTensor:$u, Seq_FloatTensor:$delta,
                       Seq_FloatTensor:$A, Seq_FloatTensor:$B,
                       Seq_FloatTensor:$C,
                       Optional<Seq_FloatTensor>:$D,
                       Optional<Seq_FloatTensor>:$z,
                       Optional<Seq_FloatTensor>:$delta_bias,
                       UnitAttr:$delta_softplus,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$y, Seq_FloatTensor:$last_state);
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C (`D` $D^)? (`z` $z^)?
    (`delta_bias` $delta_bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = extraMixerDecls;
}

//===----------------------------------------------------------------------===//
// seq.linear_scan
//===----------------------------------------------------------------------===//

def Seq_LinearScanOp : Seq_MixerOp<"linear_scan"> {
  let summary = "first-order linear recurrence h_t = a_t * h_{t-1} + b_t";
  let description = [{
    Along dimension `axis` of `b`, with `a` of the same rank as `b` and each
    of its dims equal to b's or 1 (broadcast), and an optional initial state
    `h0` shaped like `b` without `axis` (zero if absent):

    ```
    h_t = a_t * h_{t-1} + b_t,   t = 0 .. L-1      (t = L-1 .. 0 if reverse)
    ```

    The result holds every h_t (shape of `b`), or with `last` only the final
    state (shape of `b` without `axis`). CumSum is `a = 1`; RNN gates and
    ConvS5-style recurrences use it.

    ```mlir
    %h = seq.linear_scan %a, %b {axis = 2 : i64}
        : (tensor<1x1x1024xf32>, tensor<4x16x1024xf32>) -> tensor<4x16x1024xf32>
    ```
  }];
  let arguments = (ins Seq_FloatTensor:$a, Seq_FloatTensor:$b,
                       Optional<Seq_FloatTensor>:$h0,
                       I64Attr:$axis, UnitAttr:$reverse, UnitAttr:$last,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$h);
  let assemblyFormat = [{
    $a `,` $b (`h0` $h0^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = extraMixerDecls;
}

//===----------------------------------------------------------------------===//
// seq.long_conv
//===----------------------------------------------------------------------===//

def Seq_LongConvOp : Seq_MixerOp<"long_conv", [], ["estimateWork"]> {
  let summary = "per-channel (depthwise) long convolution";
  let description = [{
    Input `x` (B, C, L), kernel `kernel` (C, K), optional `bias` (C). A true
    convolution (the kernel is not flipped), zero outside [0, L):

    ```
    causal:    y[b,c,t] = bias[c] + sum_{i<K} k[c,i] * x[b,c,t - i]
    centered:  y[b,c,t] = bias[c] + sum_{i<K} k[c,i] * x[b,c,t - i + (K-1) floordiv 2]
    ```

    Causal is Hyena's `irfft(rfft(x,2L) * rfft(k,2L))[:L]`; an ONNX depthwise
    Conv with pads (K-1, 0) is the causal form with the kernel reversed.

    ```mlir
    %y = seq.long_conv %x, %k {mode = #seq.conv_mode<causal>}
        : (tensor<1x256x4096xf32>, tensor<256x4096xf32>) -> tensor<1x256x4096xf32>
    ```
  }];
  let arguments = (ins Seq_FloatTensor:$x, Seq_FloatTensor:$kernel,
                       Optional<Seq_FloatTensor>:$bias,
                       DefaultValuedAttr<Seq_ConvModeAttr,
                           "::seqc::seq::ConvMode::causal">:$mode,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$y);
  let builders = [
    // The result has the input's type; no algorithm chosen yet.
    OpBuilder<(ins "::mlir::Value":$x, "::mlir::Value":$kernel,
                   CArg<"::mlir::Value", "{}">:$bias,
                   CArg<"::seqc::seq::ConvMode",
                        "::seqc::seq::ConvMode::causal">:$mode)>
  ];
  let assemblyFormat = [{
    $x `,` $kernel (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = extraMixerDecls;
}

//===----------------------------------------------------------------------===//
// FFTs
//===----------------------------------------------------------------------===//

def Seq_FFTOp : Seq_MixerOp<"fft", [], ["estimateWork"]> {
  let summary = "complex discrete Fourier transform along one axis";
  let description = [{
    Along `axis` (0 <= axis < rank) with transform length N = `length` (the
    input is zero-padded or truncated to N; default: the input's size):

    ```
    forward:  y[k] = sum_{n<N} x[n] * exp(-2 pi i k n / N)
    inverse:  y[k] = (1/N) sum_{n<N} x[n] * exp(+2 pi i k n / N)
    ```

    Any N; batched over every other dimension.

    ```mlir
    %y = seq.fft %x {axis = 1 : i64} : (tensor<4x1000xcomplex<f32>>) -> tensor<4x1000xcomplex<f32>>
    ```
  }];
  let arguments = (ins Seq_ComplexTensor:$input, I64Attr:$axis,
                       UnitAttr:$inverse, OptionalAttr<I64Attr>:$length,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_ComplexTensor:$output);
  let builders = [
    // The result type follows from the input, the axis and the length.
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$axis,
                   CArg<"bool", "false">:$inverse,
                   CArg<"std::optional<uint64_t>", "std::nullopt">:$length)>
  ];
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDeclaration = extraMixerDecls;
}

def Seq_RFFTOp : Seq_MixerOp<"rfft", [], ["estimateWork"]> {
  let summary = "real-to-complex DFT along one axis (N/2+1 bins)";
  let description = [{
    The forward DFT of a real signal of length N = `length` (zero-padded or
    truncated; default the input's size) along `axis`, keeping the
    non-negative frequencies: y[k] = sum_{n<N} x[n] exp(-2 pi i k n / N) for
    k = 0 .. floor(N/2). As `numpy.fft.rfft(x, n=N)`.

    ```mlir
    %y = seq.rfft %x {axis = 1 : i64, length = 2048 : i64}
        : (tensor<4x1024xf32>) -> tensor<4x1025xcomplex<f32>>
    ```
  }];
  let arguments = (ins Seq_FloatTensor:$input, I64Attr:$axis,
                       OptionalAttr<I64Attr>:$length,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_ComplexTensor:$output);
  let builders = [
    // The result type follows from the input, the axis and the length.
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$axis,
                   CArg<"std::optional<uint64_t>", "std::nullopt">:$length)>
  ];
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = extraMixerDecls;
}

def Seq_IRFFTOp : Seq_MixerOp<"irfft", [], ["estimateWork"]> {
  let summary = "inverse of rfft: Hermitian spectrum to a real signal";
  let description = [{
    Input bins X[0 .. M-1] along `axis`; output length N = `length`
    (default 2(M-1)). Bins past floor(N/2) are ignored and missing ones are
    zero; the imaginary parts of X[0] and (N even) X[N/2] are ignored:

    ```
    y[t] = (1/N) * sum_{k<N} X[k] exp(2 pi i k t / N),  X[N-k] = conj(X[k])
    ```

    As `numpy.fft.irfft(X, n=N)`.

    ```mlir
    %y = seq.irfft %x {axis = 1 : i64, length = 2048 : i64}
        : (tensor<4x1025xcomplex<f32>>) -> tensor<4x2048xf32>
    ```
  }];
  let arguments = (ins Seq_ComplexTensor:$input, I64Attr:$axis,
                       OptionalAttr<I64Attr>:$length,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$output);
  let builders = [
    // The result type follows from the input, the axis and the length.
    OpBuilder<(ins "::mlir::Value":$input, "int64_t":$axis,
                   CArg<"std::optional<uint64_t>", "std::nullopt">:$length)>
  ];
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = extraMixerDecls;
}

//===----------------------------------------------------------------------===//
// seq.ssm_kernel
//===----------------------------------------------------------------------===//

def Seq_SSMKernelOp : Seq_MixerOp<"ssm_kernel"> {
  let summary = "S4D convolution kernel K_l = C Abar^l Bbar";
  let description = [{
    Diagonal SSM parameters `A`, `B`, `C` (C, N) complex, holding one of each
    conjugate pair, and `log_dt` (C). The kernel has L taps: the static size of
    the result, or the `length` operand when that size is dynamic.

    ```
    dt = exp(log_dt[c]),  dA = dt * A[c,n]
    zoh:       Abar = exp(dA),                  Bbar = (exp(dA) - 1) / A * B
    bilinear:  Abar = (1 + dA/2) / (1 - dA/2),  Bbar = dt * B / (1 - dA/2)
    K[c,l]   = 2 * Re( sum_n C[c,n] * Bbar[c,n] * Abar[c,n]^l ),  l < L
    ```

    ```mlir
    %K = seq.ssm_kernel %A, %B, %C, %logdt {discretization = #seq.discretization<zoh>}
        : (tensor<256x32xcomplex<f32>>, tensor<256x32xcomplex<f32>>,
           tensor<256x32xcomplex<f32>>, tensor<256xf32>) -> tensor<256x4096xf32>
    ```
  }];
  let arguments = (ins Seq_ComplexTensor:$A, Seq_ComplexTensor:$B,
                       Seq_ComplexTensor:$C, Seq_FloatTensor:$log_dt,
                       Optional<Index>:$length,
                       DefaultValuedAttr<Seq_DiscretizationAttr,
                           "::seqc::seq::Discretization::zoh">:$discretization,
                       OptionalAttr<Seq_ImplAttr>:$impl);
  let results = (outs Seq_FloatTensor:$kernel);
  let assemblyFormat = [{
    $A `,` $B `,` $C `,` $log_dt (`length` $length^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = extraMixerDecls;
}

#endif // SEQC_DIALECT_SEQ_IR_SEQOPS_TD
