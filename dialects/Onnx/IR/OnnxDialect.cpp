//===- OnnxDialect.cpp - The onnx dialect -----------------------*- C++ -*-===//
//
// Registers the generated ONNX operator definitions.
//
//===----------------------------------------------------------------------===//

#include "seqc/Dialect/Onnx/IR/Onnx.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace seqc::onnxir;

#include "seqc/Dialect/Onnx/IR/OnnxOpsDialect.cpp.inc"

void OnnxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "seqc/Dialect/Onnx/IR/OnnxOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "seqc/Dialect/Onnx/IR/OnnxOps.cpp.inc"
