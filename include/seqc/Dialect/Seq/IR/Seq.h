//===- Seq.h - The seq dialect: dialect, attributes, ops --------*- C++ -*-===//
//
// The one header to include for the seq dialect.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQ_H
#define SEQC_DIALECT_SEQ_IR_SEQ_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "seqc/Dialect/Seq/IR/SeqOpsDialect.h.inc"

#include "seqc/Dialect/Seq/IR/SeqEnums.h.inc"

namespace seqc::seq {
class MaskAttr;
} // namespace seqc::seq

#define GET_ATTRDEF_CLASSES
#include "seqc/Dialect/Seq/IR/SeqAttrs.h.inc"

#include "seqc/Dialect/Seq/IR/ImplWork.h"
#include "seqc/Dialect/Seq/IR/SeqInterfaces.h.inc"

#define GET_OP_CLASSES
#include "seqc/Dialect/Seq/IR/SeqOps.h.inc"

#endif // SEQC_DIALECT_SEQ_IR_SEQ_H
