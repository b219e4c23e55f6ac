//===- Utils.h - Helpers of the reference lowerings -------------*- C++ -*-===//
//
// Small builders shared by the reference lowerings: shapes with dynamic dims,
// filled tensors, and linalg.generic with the usual parallel/reduction maps.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_PASSES_REFERENCE_UTILS_H
#define SEQC_PASSES_REFERENCE_UTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace seqc::ref {

using mlir::Value;

/// Sizes of `v`, static where known, `tensor.dim` otherwise.
llvm::SmallVector<mlir::OpFoldResult> sizesOf(mlir::OpBuilder &b,
                                              mlir::Location loc, Value v);
/// Size `i` of `v` as an index value.
Value dimValue(mlir::OpBuilder &b, mlir::Location loc, Value v, int64_t i);

/// A tensor of `sizes` x `elem` holding `fill` (no fill if `fill` is null).
Value filled(mlir::OpBuilder &b, mlir::Location loc,
             llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::Type elem,
             Value fill);
Value floatConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type t,
                 double v);
Value indexConst(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// Builds a linalg.generic with one output and returns its result.
/// `iters` is a string of 'p' (parallel) and 'r' (reduction), one per loop.
Value generic(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange ins,
              Value init, llvm::ArrayRef<mlir::AffineMap> maps,
              llvm::StringRef iters,
              llvm::function_ref<void(mlir::OpBuilder &, mlir::Location,
                                      mlir::ValueRange)>
                  body);

/// Affine map of `numDims` loops selecting `dims` (a projection).
mlir::AffineMap proj(mlir::MLIRContext *ctx, unsigned numDims,
                     llvm::ArrayRef<unsigned> dims);

/// linalg.index of loop `d` inside a generic body.
Value loopIndex(mlir::OpBuilder &b, mlir::Location loc, int64_t d);

/// The slice of `v` at position `pos` of dimension `axis`, with that
/// dimension dropped (rank-reducing extract_slice).
Value sliceAt(mlir::OpBuilder &b, mlir::Location loc, Value v, int64_t axis,
              Value pos);
/// Inserts `slice` (rank one less) into `dest` at `pos` along `axis`.
Value insertAt(mlir::OpBuilder &b, mlir::Location loc, Value slice, Value dest,
               int64_t axis, Value pos);

/// Reads `src` at `idx` (one index per dim of `src`) with numpy broadcasting:
/// a dim of size 1 -- statically, or at run time when it is dynamic -- reads
/// index 0.
Value readBroadcast(mlir::OpBuilder &b, mlir::Location loc, Value src,
                    mlir::ValueRange idx);

/// Whether `t` has a dynamic dim (so broadcasting must be decided at run
/// time).
bool hasDynamicDim(mlir::Type t);

/// Casts an index value to the float type `t`.
Value indexToFloat(mlir::OpBuilder &b, mlir::Location loc, Value i,
                   mlir::Type t);

} // namespace seqc::ref

#endif // SEQC_PASSES_REFERENCE_UTILS_H
