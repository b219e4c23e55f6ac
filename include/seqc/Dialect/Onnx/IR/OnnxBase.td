//===- OnnxBase.td - The onnx dialect: base definitions ----*- tablegen -*-===//
//
// The `onnx` dialect mirrors ONNX graphs 1:1: one op per ONNX operator, with
// ONNX's names for ops, inputs, outputs and attributes. The operator
// definitions are generated at build time from the ONNX schemas
// (onnx_ods_gen.py); this file holds the dialect, the base class and the two
// ops that are not ONNX operators (onnx.NoValue, onnx.Yield).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_ONNX_IR_ONNXBASE_TD
#define SEQC_DIALECT_ONNX_IR_ONNXBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::seqc::onnxir";
  let summary = "ONNX graphs, one op per ONNX operator";
  let description = [{
    The import target of seqc's ONNX reader. Absent optional inputs and
    outputs are values of type `none`; subgraphs (If, Loop, Scan) are regions
    ended by `onnx.Yield`; initializers are dense resources. The module
    records the model's opset imports (`onnx.opset_import`) and the graph's
    input and output names (`onnx.name` argument/result attributes);
    symbolic dimensions keep their names in `onnx.dim_params`.
  }];
}

/// ONNX's INT attribute: a 64-bit signless integer attribute read as int64_t
/// (upstream I64Attr reads uint64_t, which turns axis = -1 into 2^64 - 1).
def Onnx_IntAttr : TypedSignlessIntegerAttrBase<
    I64, "int64_t", "64-bit integer attribute (ONNX INT)">;

/// A tensor, or `none` for an absent optional input or output.
def Onnx_TensorOrNone : AnyTypeOf<[AnyTensor, NoneType]>;

/// An ONNX operator introduced (in its current form) at opset `since`.
class Onnx_Op<string mnemonic, int since, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, traits> {
  let extraClassDeclaration = "static constexpr int64_t kSinceVersion = "
                              # since # ";";
}

def Onnx_NoValueOp : Op<Onnx_Dialect, "NoValue", [Pure]> {
  let summary = "an absent optional input";
  let description = [{
    Stands for an optional ONNX input the node leaves empty.
    ```mlir
    %none = onnx.NoValue
    ```
  }];
  let results = (outs NoneType:$none);
  let assemblyFormat = "attr-dict";
}

def Onnx_YieldOp : Op<Onnx_Dialect, "Yield", [Pure, Terminator, ReturnLike]> {
  let summary = "the outputs of a subgraph (If branch, Loop or Scan body)";
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
}

#endif // SEQC_DIALECT_ONNX_IR_ONNXBASE_TD
