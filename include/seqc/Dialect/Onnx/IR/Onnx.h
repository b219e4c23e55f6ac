//===- Onnx.h - The onnx dialect --------------------------------*- C++ -*-===//
//
// The one header to include for the onnx dialect. Its C++ namespace is
// seqc::onnxir, so that it never shadows the protobuf namespace ::onnx.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_DIALECT_ONNX_IR_ONNX_H
#define SEQC_DIALECT_ONNX_IR_ONNX_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "seqc/Dialect/Onnx/IR/OnnxOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "seqc/Dialect/Onnx/IR/OnnxOps.h.inc"

#endif // SEQC_DIALECT_ONNX_IR_ONNX_H
