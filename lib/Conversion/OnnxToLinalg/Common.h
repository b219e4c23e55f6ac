//===- Common.h - Helpers of the onnx-to-linalg patterns --------*- C++ -*-===//
//
// Numpy broadcasting as affine maps, result sizes with dynamic dims, reading
// constant operands, and a few scalar builders shared by the pattern files.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_CONVERSION_ONNXTOLINALG_COMMON_H
#define SEQC_LIB_CONVERSION_ONNXTOLINALG_COMMON_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace seqc::onnx_to_linalg {

using mlir::Value;

/// The map reading `operand` (ranked) inside loops over `result`'s dims,
/// numpy-broadcast: dims aligned right, static size-1 dims read index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             mlir::RankedTensorType operand,
                             mlir::RankedTensorType result);

/// The sizes of a broadcast `result`: static dims as attributes, dynamic
/// dims from a static operand size other than 1, else the largest of the
/// operands' run-time sizes.
llvm::SmallVector<mlir::OpFoldResult>
broadcastSizes(mlir::OpBuilder &b, mlir::Location loc,
               mlir::RankedTensorType result, mlir::ValueRange operands);

/// `operand` with each dynamic dim that is 1 at run time, where the result's
/// is not, broadcast to the result's size (an scf.if around a copy that runs
/// only then), so that broadcastMap's identity for dynamic dims holds. A dim
/// where no other of `operands` (all the op's operands, right-aligned) can
/// be larger than 1 needs no check: the result's size is this operand's.
Value expandDynamicBroadcast(mlir::OpBuilder &b, mlir::Location loc,
                             Value operand, mlir::RankedTensorType result,
                             llvm::ArrayRef<mlir::OpFoldResult> resultSizes,
                             mlir::ValueRange operands = {});

/// The same for an operand whose dims are not right-aligned with a result:
/// dynamic dim i broadcasts to `targets[i]` when that is set.
Value expandDynamicDims(mlir::OpBuilder &b, mlir::Location loc, Value operand,
                        llvm::ArrayRef<mlir::OpFoldResult> targets);

/// Resolves ONNX `auto_pad` (VALID, SAME_UPPER, SAME_LOWER; NOTSET keeps
/// `pads`) for a conv or pool over the spatial dims of `x` (N x C x ...):
/// `pads` holds the begin pads then the end pads. SAME needs static dims.
mlir::LogicalResult resolveAutoPad(llvm::StringRef autoPad,
                                   mlir::RankedTensorType x,
                                   llvm::ArrayRef<int64_t> kernel,
                                   llvm::ArrayRef<int64_t> strides,
                                   llvm::ArrayRef<int64_t> dilations,
                                   llvm::SmallVectorImpl<int64_t> &pads);

/// The attributes of an ONNX Conv-like op (Conv, ConvInteger, QLinearConv)
/// over x (N, C, D...) and w (M, C/group, K...): auto_pad resolved into
/// `pads` (begins, then ends).
struct ConvParams {
  int64_t groups = 1;
  llvm::SmallVector<int64_t> strides, dilations, pads;
};

/// Reads them; fails unless w has x's rank, the static ones of C, M and
/// w's C/group agree with group, the attributes have one entry per spatial
/// dim, and SAME padding has static input dims and kernel sizes. Channel
/// counts and w's sizes may otherwise be dynamic (buildConv reads them at
/// run time).
mlir::LogicalResult readConvParams(mlir::Operation *op,
                                   mlir::RankedTensorType xt,
                                   mlir::RankedTensorType wt, ConvParams &p);

/// The N-d grouped convolution of `x` and `w` [+ `bias` (M), may be null or
/// none] into `result`, zero padded, accumulating in the element type
/// (floats, or integers that wrap: ConvInteger accumulates i32).
Value buildConv(mlir::OpBuilder &b, mlir::Location loc, Value x, Value w,
                Value bias, mlir::RankedTensorType result, const ConvParams &p);

/// tensor.empty of `type` with the given (possibly dynamic) sizes.
Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                  mlir::RankedTensorType type,
                  llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// `v` as `type` (a tensor.cast when their static shapes differ).
Value castIfNeeded(mlir::OpBuilder &b, mlir::Location loc, Value v,
                   mlir::Type type);

/// The integer values of a constant operand (onnx.Constant or
/// arith.constant with dense integer data), if it is one.
std::optional<llvm::SmallVector<int64_t>> constantInts(Value v);

/// Whether `v` is an absent optional input (type none).
bool isNone(Value v);

/// A scalar constant of `type` (float or integer).
Value scalarConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                  double v);

/// The most negative value of `type` (-inf for floats, 0 for unsigned).
Value lowest(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

/// The largest value of `type` (+inf for floats).
Value highest(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

/// Normalizes an ONNX axis (negative counts from the back).
int64_t normalizeAxis(int64_t axis, int64_t rank);

/// Reads integer attribute `name` of `op`, or `dflt`.
int64_t intAttr(mlir::Operation *op, llvm::StringRef name, int64_t dflt);
float floatAttr(mlir::Operation *op, llvm::StringRef name, float dflt);

/// Combines an accumulator with one element inside a reduction body.
using Combiner = llvm::function_ref<Value(mlir::OpBuilder &, mlir::Location,
                                          Value acc, Value x)>;

/// Reduces `x` over the dims in `reduced` (sorted) into a tensor without
/// them, starting from `init`.
Value reduceDims(mlir::OpBuilder &b, mlir::Location loc, Value x,
                 llvm::ArrayRef<int64_t> reduced, Value init, Combiner combine);

/// Elementwise f(x, r) where r has x's shape without the `reduced` dims.
Value withReduced(
    mlir::OpBuilder &b, mlir::Location loc, Value x, Value r,
    llvm::ArrayRef<int64_t> reduced,
    llvm::function_ref<Value(mlir::OpBuilder &, mlir::Location, Value, Value)>
        f);

/// Elementwise map of a single tensor.
Value mapTensor(
    mlir::OpBuilder &b, mlir::Location loc, Value x,
    llvm::function_ref<Value(mlir::OpBuilder &, mlir::Location, Value)> f);

/// Restores reduced dims as size-1 dims to reach `type` (keepdims=1).
Value keepDims(mlir::OpBuilder &b, mlir::Location loc, Value r,
               mlir::RankedTensorType type, llvm::ArrayRef<int64_t> reduced);

/// The axes an op with a non-constant `axes` operand reduces (or squeezes),
/// read off its static input and result shapes: the dims that become 1
/// (keepdims) or disappear. None when the shapes leave it ambiguous.
std::optional<llvm::SmallVector<int64_t>>
axesFromShapes(mlir::RankedTensorType in, mlir::RankedTensorType out,
               bool keepDims);

/// The integer attribute list `name` of `op`, or `n` copies of `dflt`.
llvm::SmallVector<int64_t> intsAttr(mlir::Operation *op, llvm::StringRef name,
                                    size_t n, int64_t dflt);

/// A string attribute of `op`, or `dflt`.
std::string strAttr(mlir::Operation *op, llvm::StringRef name,
                    llvm::StringRef dflt);

/// An index constant.
Value indexConst(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// The bit mask (an index value, bit a set for each axis a) of the run-time
/// axes in the 1-D integer tensor `axes`, negative axes counted from `rank`.
Value axesMask(mlir::OpBuilder &b, mlir::Location loc, Value axes,
               int64_t rank);

/// The scalar of a rank-0 or one-element tensor, as an index.
Value scalarIndex(mlir::OpBuilder &b, mlir::Location loc, Value t);

/// The integers of an integer array attribute (the value of a generated
/// accessor of an I64ArrayAttr); empty when `a` is null (absent).
llvm::SmallVector<int64_t> intsOf(mlir::ArrayAttr a);

/// An index read from integer tensor element `v`, negative ones counted
/// from the back of a dim of size `dim`, clamped into it (an index out of
/// range, in an invalid model, never reads or writes out of bounds).
Value wrappedIndex(mlir::OpBuilder &b, mlir::Location l, Value v, Value dim);

/// A generic over `rt` (sizes `sizes`) whose body computes each element
/// from the output indices.
Value generateFromIndices(
    mlir::OpBuilder &b, mlir::Location l, mlir::RankedTensorType rt,
    llvm::ArrayRef<mlir::OpFoldResult> sizes,
    llvm::function_ref<Value(mlir::OpBuilder &, mlir::Location,
                             llvm::ArrayRef<Value>)>
        element);

/// Adds the patterns of Selection.cpp (TopK, Compress, NonZero, Unique);
/// part of populateOnnxIndexingToLinalgPatterns.
void populateSelectionPatterns(mlir::RewritePatternSet &patterns);

} // namespace seqc::onnx_to_linalg

#endif // SEQC_LIB_CONVERSION_ONNXTOLINALG_COMMON_H
