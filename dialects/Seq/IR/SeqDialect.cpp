//===- SeqDialect.cpp - The seq dialect -------------------------*- C++ -*-===//
//
// Registers the ops and attributes of the seq dialect and holds the
// generated definitions of its enums and attributes.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace seqc::seq;

#include "seqc/Dialect/Seq/IR/SeqOpsDialect.cpp.inc"

#include "seqc/Dialect/Seq/IR/SeqEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "seqc/Dialect/Seq/IR/SeqAttrs.cpp.inc"

void SeqDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "seqc/Dialect/Seq/IR/SeqAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "seqc/Dialect/Seq/IR/SeqOps.cpp.inc"
      >();
}
