//===- InitAllDialects.h - Dialects seqc parses -----------------*- C++ -*-===//
//
// The one list of dialects that seqc-opt, the seqc driver and the Python
// package register. Only dialects that appear in parsed or printed IR are
// listed.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_INITALLDIALECTS_H
#define SEQC_INITALLDIALECTS_H

#include "seqc/Dialect/Onnx/IR/Onnx.h"
#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Complex/IR/Complex.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace seqc {

/// Registers the seq dialect, the upstream dialects the pipelines produce,
/// and the external models (bufferization, inlining, LLVM translation
/// interfaces) those dialects need.
void registerAllDialects(mlir::DialectRegistry &registry);

} // namespace seqc

#endif // SEQC_INITALLDIALECTS_H
