//===- MaskPredicate.h - #seq.mask as IR -----------------------*- C++ -*-===//
//
// Emits the boolean M(p, j) of a #seq.mask as arith ops on index values, for
// lowerings that test the mask element by element (the reference lowering,
// and boundary tiles of the tiled lowerings).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_MASKPREDICATE_H
#define SEQC_TRANSFORMS_MASKPREDICATE_H

#include "seqc/Dialect/Seq/IR/Seq.h"

#include "mlir/IR/Builders.h"

namespace seqc {

/// Returns an i1 that is true iff the query at position `p` may attend key
/// `j` under `mask`. `p` and `j` are `index` values.
mlir::Value emitMaskPredicate(mlir::OpBuilder &b, mlir::Location loc,
                              seq::MaskAttr mask, mlir::Value p, mlir::Value j);

} // namespace seqc

#endif // SEQC_TRANSFORMS_MASKPREDICATE_H
