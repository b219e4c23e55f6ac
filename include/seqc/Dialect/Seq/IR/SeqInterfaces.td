//===- SeqInterfaces.td - Interfaces of the seq dialect ----*- tablegen -*-===//
//
// ImplInterface: what every token mixer tells the algorithm selector.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQINTERFACES_TD
#define SEQC_DIALECT_SEQ_IR_SEQINTERFACES_TD

include "mlir/IR/OpBase.td"

def Seq_ImplInterface : OpInterface<"ImplInterface"> {
  let cppNamespace = "::seqc::seq";
  let description = [{
    A token mixer whose algorithm is a choice: the op lists the algorithms
    that can implement it, carries the chosen one as its `impl` attribute
    (`#seq.impl<fft>`), and estimates the work each algorithm would do on its
    shapes. `seq-select-impl` is generic over this interface: it divides each
    estimate by the rate the target's cost model gives the (op, algorithm)
    pair (seqc/Transforms/CostModel.h) and records the fastest. The op knows
    its math; the cost model knows the machine.
  }];
  let methods = [
    StaticInterfaceMethod<
      "The algorithms that can implement this op (`reference` is always one).",
      "::llvm::ArrayRef<::seqc::seq::ImplKind>", "getAllowedImpls">,
    InterfaceMethod<"The algorithm chosen for this op, if any.",
      "::std::optional<::seqc::seq::ImplKind>", "getImplKind", (ins), [{}],
      [{ return $_op.getImpl(); }]>,
    InterfaceMethod<"Records `kind` as the algorithm of this op.",
      "void", "setImplKind", (ins "::seqc::seq::ImplKind":$kind), [{}],
      [{ $_op.setImplAttr(
             ::seqc::seq::ImplKindAttr::get($_op.getContext(), kind)); }]>,
    InterfaceMethod<[{
        The work of implementing this op with `kind` on its shapes
        (ImplWork.h), or nullopt when `kind` cannot implement this instance
        (a length with a large prime factor for mixed radix, a kernel length
        known only at run time for the direct sum, ...). `isConstant` says
        whether an operand is known at compile time (work on it is folded).
        Ops that only have their reference lowering estimate nothing.
      }],
      "::std::optional<::seqc::seq::ImplWork>", "estimateWork",
      (ins "::seqc::seq::ImplKind":$kind,
           "::llvm::function_ref<bool(::mlir::Value)>":$isConstant), [{}],
      [{ return std::nullopt; }]>,
  ];
}

#endif // SEQC_DIALECT_SEQ_IR_SEQINTERFACES_TD
