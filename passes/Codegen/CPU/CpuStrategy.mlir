// CpuStrategy.mlir - seqc's CPU code-generation strategy (seqc-cpu-codegen)
//
// A transform-dialect library, embedded in seqc at build time
// (passes/CMakeLists.txt) and applied by passes/Codegen/CPU/CpuCodegen.cpp
// to the module on tensors, before bufferization. The pass marks each f32
// matmul with the unit attribute of its class -- seqc.mm / seqc.bmm (2-D or
// batched), with _pm / _pn when the M / N tile loop needs peeling (a dynamic
// or ragged extent) -- and @__transform_main runs the class's sequence on
// each marked op.
//
// Matrix multiplications: split among threads by an scf.forall (chunks of 64
// rows, or one batch entry each), then register tiles of 8x32x1, vectorized;
// the 8x32 accumulator is hoisted out of the k loop and the contraction
// lowered to outer products, so each k step loads 32 floats of B, broadcasts
// 8 of A and issues 8 vector<32xf32> FMAs (16 AVX-512 FMAs into 16
// registers). Peeled tile loops keep full tiles vectorized without masks;
// the remainders are masked.
//
// The tile sizes here (64, 8, 32) are the kChunkM, kTileM and kTileN of
// CpuCodegen.cpp, which decides the peeling: change them together.

module attributes {transform.with_named_sequence} {

  //===--------------------------------------------------------------------===//
  // Tiling: threads, then register tiles. Yields the forall and the M and N
  // tile loops.
  //===--------------------------------------------------------------------===//

  transform.named_sequence @tile_mm(%op: !transform.any_op {transform.consumed})
      -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">) {
    %chunk, %forall = transform.structured.tile_using_forall %op tile_sizes [64]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %tile, %loops:3 = transform.structured.tile_using_for %chunk tile_sizes [8, 32, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %m = transform.cast %loops#0 : !transform.any_op to !transform.op<"scf.for">
    %n = transform.cast %loops#1 : !transform.any_op to !transform.op<"scf.for">
    transform.yield %forall, %m, %n
        : !transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">
  }

  transform.named_sequence @tile_bmm(%op: !transform.any_op {transform.consumed})
      -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">) {
    %chunk, %forall = transform.structured.tile_using_forall %op tile_sizes [1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %tile, %loops:3 = transform.structured.tile_using_for %chunk tile_sizes [0, 8, 32, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %m = transform.cast %loops#0 : !transform.any_op to !transform.op<"scf.for">
    %n = transform.cast %loops#1 : !transform.any_op to !transform.op<"scf.for">
    transform.yield %forall, %m, %n
        : !transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">
  }

  // Peels a tile loop; yields the main loop (full tiles). Peeling consumes
  // the loop's handle and those of the ops nested in it, so callers peel N
  // (inner) before M (outer) and match the tiles afterwards.
  transform.named_sequence @peel(%loop: !transform.op<"scf.for"> {transform.consumed})
      -> !transform.any_op {
    %main, %rest = transform.loop.peel %loop
        : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
    transform.yield %main : !transform.any_op
  }

  // No canonicalization before vectorizing: it may fold away single-
  // iteration loops that handles still track. The vector sizes cover tiles
  // whose static size is not visible yet; their masks fold away later.
  transform.named_sequence @vectorize_mm(%scope: !transform.any_op {transform.readonly}) {
    %full = transform.structured.match ops{["linalg.matmul"]} in %scope
        : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %full vector_sizes [8, 32, 1] : !transform.any_op
    transform.yield
  }

  transform.named_sequence @vectorize_bmm(%scope: !transform.any_op {transform.readonly}) {
    %full = transform.structured.match ops{["linalg.batch_matmul"]} in %scope
        : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %full vector_sizes [1, 8, 32, 1] : !transform.any_op
    transform.yield
  }

  //===--------------------------------------------------------------------===//
  // One sequence per matmul class.
  //===--------------------------------------------------------------------===//

  transform.named_sequence @mm(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_mm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    transform.include @vectorize_mm failures(propagate) (%forall) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @mm_pn(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_mm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    %nMain = transform.include @peel failures(propagate) (%n) : (!transform.op<"scf.for">) -> !transform.any_op
    transform.include @vectorize_mm failures(propagate) (%nMain) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @mm_pm(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_mm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    %mMain = transform.include @peel failures(propagate) (%m) : (!transform.op<"scf.for">) -> !transform.any_op
    transform.include @vectorize_mm failures(propagate) (%mMain) : (!transform.any_op) -> ()
    transform.yield
  }

  // With both peeled, the M main loop holds full tiles and N-remainder
  // tiles; the vector sizes make the latter masked and leave the former
  // unmasked.
  transform.named_sequence @mm_pm_pn(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_mm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    %nMain = transform.include @peel failures(propagate) (%n) : (!transform.op<"scf.for">) -> !transform.any_op
    %mMain = transform.include @peel failures(propagate) (%m) : (!transform.op<"scf.for">) -> !transform.any_op
    transform.include @vectorize_mm failures(propagate) (%mMain) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @bmm(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_bmm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    transform.include @vectorize_bmm failures(propagate) (%forall) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @bmm_pn(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_bmm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    %nMain = transform.include @peel failures(propagate) (%n) : (!transform.op<"scf.for">) -> !transform.any_op
    transform.include @vectorize_bmm failures(propagate) (%nMain) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @bmm_pm(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_bmm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    %mMain = transform.include @peel failures(propagate) (%m) : (!transform.op<"scf.for">) -> !transform.any_op
    transform.include @vectorize_bmm failures(propagate) (%mMain) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @bmm_pm_pn(%op: !transform.any_op {transform.consumed}) {
    %forall, %m, %n = transform.include @tile_bmm failures(propagate) (%op)
        : (!transform.any_op) -> (!transform.any_op, !transform.op<"scf.for">, !transform.op<"scf.for">)
    %nMain = transform.include @peel failures(propagate) (%n) : (!transform.op<"scf.for">) -> !transform.any_op
    %mMain = transform.include @peel failures(propagate) (%m) : (!transform.op<"scf.for">) -> !transform.any_op
    transform.include @vectorize_bmm failures(propagate) (%mMain) : (!transform.any_op) -> ()
    transform.yield
  }

  //===--------------------------------------------------------------------===//
  // After tiling: contractions to FMAs, invariant accumulators hoisted.
  //===--------------------------------------------------------------------===//

  transform.named_sequence @lower_vectors(%f: !transform.any_op {transform.readonly}) {
    // Multiply + reduce into vector.contract before canonicalization turns
    // the unit-k reduction into a shape_cast; then constant tile sizes into
    // the types, so that the masks of full tiles fold away before masks are
    // lowered.
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.vector.lower_masked_transfers
      transform.apply_patterns.vector.lower_masks
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    %loops = transform.structured.match ops{["scf.for"]} in %f
        : (!transform.any_op) -> !transform.any_op
    transform.apply_licm to %loops : !transform.any_op
    %loops2 = transform.structured.match ops{["scf.for"]} in %f
        : (!transform.any_op) -> !transform.any_op
    transform.loop.hoist_loop_invariant_subsets %loops2 : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction
          lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
    } : !transform.any_op
    transform.yield
  }

  //===--------------------------------------------------------------------===//
  // Entry point: each marked matmul through its class's sequence.
  //===--------------------------------------------------------------------===//

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} attributes{seqc.mm} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %mm : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @mm failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %mm_pn = transform.structured.match ops{["linalg.matmul"]} attributes{seqc.mm_pn} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %mm_pn : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @mm_pn failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %mm_pm = transform.structured.match ops{["linalg.matmul"]} attributes{seqc.mm_pm} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %mm_pm : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @mm_pm failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %mm_pm_pn = transform.structured.match ops{["linalg.matmul"]} attributes{seqc.mm_pm_pn} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %mm_pm_pn : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @mm_pm_pn failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %bmm = transform.structured.match ops{["linalg.batch_matmul"]} attributes{seqc.bmm} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %bmm : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @bmm failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %bmm_pn = transform.structured.match ops{["linalg.batch_matmul"]} attributes{seqc.bmm_pn} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %bmm_pn : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @bmm_pn failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %bmm_pm = transform.structured.match ops{["linalg.batch_matmul"]} attributes{seqc.bmm_pm} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %bmm_pm : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @bmm_pm failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %bmm_pm_pn = transform.structured.match ops{["linalg.batch_matmul"]} attributes{seqc.bmm_pm_pn} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %bmm_pm_pn : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.include @bmm_pm_pn failures(propagate) (%one) : (!transform.any_op) -> ()
    }
    %funcs = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.foreach %funcs : !transform.any_op {
    ^bb0(%f: !transform.any_op):
      transform.include @lower_vectors failures(propagate) (%f) : (!transform.any_op) -> ()
    }
    transform.yield
  }
}
