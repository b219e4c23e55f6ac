//===- SeqDialect.td - The seq dialect ---------------------*- tablegen -*-===//
//
// The `seq` dialect holds the token mixers of long-sequence models as
// first-class ops: attention with a structured mask, linear attention, state
// space scans, linear recurrences, long convolutions, FFTs and the S4 kernel.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQDIALECT_TD
#define SEQC_DIALECT_SEQ_IR_SEQDIALECT_TD

include "mlir/IR/OpBase.td"

def Seq_Dialect : Dialect {
  let name = "seq";
  let cppNamespace = "::seqc::seq";
  let summary = "Token mixers of long-sequence models";
  let description = [{
    The `seq` dialect makes the expensive part of long-sequence models -- the
    token mixers -- first-class operations, so that rewrite passes can choose
    an algorithm for each (tile-skipping attention, FFT convolution, chunked or
    parallel scans, convolution-mode SSMs). Every op has a *reference*
    lowering (`seq-lower-reference`): the plain loops of its definition, which
    is the oracle for every fast implementation.

    Shapes are given in the canonical layouts below; importers insert
    transposes where a model uses another layout.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 0;
  let dependentDialects = [];
}

class Seq_Op<string mnemonic, list<Trait> traits = []>
    : Op<Seq_Dialect, mnemonic, traits>;

#endif // SEQC_DIALECT_SEQ_IR_SEQDIALECT_TD
