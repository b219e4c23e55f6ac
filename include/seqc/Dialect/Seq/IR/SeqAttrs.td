//===- SeqAttrs.td - Attributes of the seq dialect ---------*- tablegen -*-===//
//
// The mask algebra of `seq.attention` (`#seq.mask<...>`), the chosen algorithm
// (`#seq.impl<...>`) and the small enums the ops carry.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQATTRS_TD
#define SEQC_DIALECT_SEQ_IR_SEQATTRS_TD

include "seqc/Dialect/Seq/IR/SeqDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Seq_ImplKind : I32EnumAttr<"ImplKind", "algorithm that implements a seq op", [
    I32EnumAttrCase<"reference", 0>,     // the loops of the definition
    I32EnumAttrCase<"direct", 1>,        // long_conv: direct sum
    I32EnumAttrCase<"fft", 2>,           // long_conv: FFT of size >= L+K-1
    I32EnumAttrCase<"overlap_save", 3>,  // long_conv: blocked FFT
    I32EnumAttrCase<"dense", 4>,         // attention: all key tiles
    I32EnumAttrCase<"tiled", 5>,         // attention: tile-skipping flash
    I32EnumAttrCase<"recurrent", 6>,     // scans: one step at a time
    I32EnumAttrCase<"chunked", 7>,       // scans: matmuls per chunk
    I32EnumAttrCase<"parallel", 8>,      // scans: associative (Blelloch) scan
    I32EnumAttrCase<"quadratic", 9>,     // linear_attention: (QK^T . D) V
    I32EnumAttrCase<"mixed_radix", 10>,  // fft: Cooley-Tukey mixed radix
    I32EnumAttrCase<"bluestein", 11>,    // fft: chirp-z for large primes
    I32EnumAttrCase<"vandermonde", 12>   // ssm_kernel: O(N L) Vandermonde
  ]> {
  let cppNamespace = "::seqc::seq";
  let genSpecializedAttr = 0;
}

def Seq_ImplAttr : EnumAttr<Seq_Dialect, Seq_ImplKind, "impl"> {
  let summary = "the algorithm chosen for a seq op";
  let description = [{
    Set by `seq-select-impl` (or by hand) and read by the lowerings, so every
    algorithm decision is visible in the IR: `#seq.impl<fft>`. Each op accepts
    only the algorithms that can implement it; `reference` is valid for all.
  }];
  let assemblyFormat = "`<` $value `>`";
}

def Seq_ConvMode : I32EnumAttr<"ConvMode", "alignment of a long convolution", [
    I32EnumAttrCase<"causal", 0>,
    I32EnumAttrCase<"centered", 1>
  ]> {
  let cppNamespace = "::seqc::seq";
  let genSpecializedAttr = 0;
}
def Seq_ConvModeAttr : EnumAttr<Seq_Dialect, Seq_ConvMode, "conv_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

def Seq_Discretization : I32EnumAttr<"Discretization",
    "discretization of a continuous-time SSM", [
    I32EnumAttrCase<"zoh", 0>,
    I32EnumAttrCase<"bilinear", 1>
  ]> {
  let cppNamespace = "::seqc::seq";
  let genSpecializedAttr = 0;
}
def Seq_DiscretizationAttr
    : EnumAttr<Seq_Dialect, Seq_Discretization, "discretization"> {
  let assemblyFormat = "`<` $value `>`";
}

def Seq_Normalizer : I32EnumAttr<"Normalizer",
    "output normalizer of linear attention", [
    I32EnumAttrCase<"none", 0>,    // o_t = S_t^T q_t
    I32EnumAttrCase<"sum", 1>,     // o_t = S_t^T q_t / (n_t . q_t)
    I32EnumAttrCase<"clamped", 2>  // o_t = S_t^T q_t / max(|n_t . q_t|, 1)
  ]> {
  let cppNamespace = "::seqc::seq";
  let genSpecializedAttr = 0;
}
def Seq_NormalizerAttr : EnumAttr<Seq_Dialect, Seq_Normalizer, "normalizer"> {
  let assemblyFormat = "`<` $value `>`";
}

def Seq_MaskKind : I32EnumAttr<"MaskKind", "node of the attention mask algebra", [
    I32EnumAttrCase<"full", 0>,
    I32EnumAttrCase<"window", 1>,   // causal is window<-1, 0>
    I32EnumAttrCase<"sinks", 2>,
    I32EnumAttrCase<"global_tokens", 3, "global">,
    I32EnumAttrCase<"dilated", 4>,
    I32EnumAttrCase<"blocks", 5>,
    I32EnumAttrCase<"and_", 6, "and">,
    I32EnumAttrCase<"or_", 7, "or">
  ]> {
  let cppNamespace = "::seqc::seq";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// #seq.mask
//===----------------------------------------------------------------------===//

def Seq_MaskAttr : AttrDef<Seq_Dialect, "Mask"> {
  let mnemonic = "mask";
  let summary = "structured attention mask: a small algebra, not a tensor";
  let description = [{
    `M(p, j)` says whether the query at *position* `p` may attend key `j`.
    Query row `r` of an attention with `Lq` queries and `Lk` keys sits at
    position `p = r + (Lk - Lq)` (bottom-right alignment, as FlashAttention
    and ONNX Attention).

    | form | M(p, j) |
    |---|---|
    | `full` | true |
    | `causal` | j <= p |
    | `window<l, r>` | p - l <= j <= p + r; -1 means unbounded on that side (FlashAttention-2 `window_size`) |
    | `sinks<n>` | j < n (StreamingLLM attention sinks, LM-Infinite global branch) |
    | `global<[g0, g1, ...]>` | p in G or j in G (Longformer global tokens, symmetric) |
    | `dilated<w, d>` | j = p + k*d for some integer k with \|k\| <= floor(w/2) (Longformer dilated window) |
    | `blocks<s, layout>` | layout[floor(p/s)][floor(j/s)]; blocks outside the layout are masked (BigBird, block-sparse) |
    | `A and B`, `A or B` | conjunction, disjunction; `and` binds tighter than `or` |

    The printed form is canonical: `causal` is `window<-1, 0>`, nested `and`s
    and `or`s are flattened, duplicates removed, operands sorted, `full`
    dropped from `and` (and absorbing in `or`), windows in an `and`
    intersected, and global tokens sorted.

    ```mlir
    #seq.mask<causal>
    #seq.mask<window<256, 256> or global<[0]>>           // Longformer
    #seq.mask<causal and (window<2048, 0> or sinks<4>)>  // LM-Infinite
    #seq.mask<blocks<64, dense<[[true, false], [true, true]]> : tensor<2x2xi1>>>
    ```

    A query row that no key may attend produces zeros.
  }];
  let parameters = (ins
    EnumParameter<Seq_MaskKind>:$kind,
    OptionalArrayRefParameter<"int64_t">:$params,
    OptionalParameter<"::mlir::DenseIntElementsAttr">:$layout,
    OptionalArrayRefParameter<"::seqc::seq::MaskAttr">:$operands
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Builders of the canonical form of each node.
    static MaskAttr getFull(::mlir::MLIRContext *ctx);
    static MaskAttr getCausal(::mlir::MLIRContext *ctx);
    static MaskAttr getWindow(::mlir::MLIRContext *ctx, int64_t left,
                              int64_t right);
    static MaskAttr getSinks(::mlir::MLIRContext *ctx, int64_t n);
    static MaskAttr getGlobal(::mlir::MLIRContext *ctx,
                              ::llvm::ArrayRef<int64_t> tokens);
    static MaskAttr getDilated(::mlir::MLIRContext *ctx, int64_t w, int64_t d);
    static MaskAttr getBlocks(::mlir::MLIRContext *ctx, int64_t size,
                              ::mlir::DenseIntElementsAttr layout);
    /// Canonical conjunction / disjunction (flattened, simplified, sorted).
    static MaskAttr getAnd(::mlir::MLIRContext *ctx,
                           ::llvm::ArrayRef<MaskAttr> operands);
    static MaskAttr getOr(::mlir::MLIRContext *ctx,
                          ::llvm::ArrayRef<MaskAttr> operands);

    bool isFull() const { return getKind() == MaskKind::full; }
    bool isCausal() const;
    /// Whether the query at position `p` may attend key `j`.
    bool contains(int64_t p, int64_t j) const;
    /// Number of block rows/cols of a `blocks` layout.
    int64_t getLayoutRows() const;
    int64_t getLayoutCols() const;
    bool getLayoutBit(int64_t row, int64_t col) const;
  }];
}

#endif // SEQC_DIALECT_SEQ_IR_SEQATTRS_TD
