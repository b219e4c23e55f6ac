//===- SequenceExpansion.h - Sequences inside a graph as tensors -*- C++
//-*-===//
//
// ONNX sequence operators (SequenceEmpty, SequenceConstruct, SequenceInsert,
// SequenceErase, SequenceAt, SequenceLength, SplitToSequence,
// ConcatFromSequence, and Identity of a sequence) whose sequences live only
// inside the model are rewritten into ordinary ONNX tensor operators before
// the graph is imported, so that the onnx dialect and everything after it
// never see a sequence type.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_IMPORT_SEQUENCEEXPANSION_H
#define SEQC_LIB_IMPORT_SEQUENCEEXPANSION_H

#include "OnnxImportInternal.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace seqc::detail {

/// Whether `op` (default domain) is rewritten by expandSequenceOps.
bool isExpandedSequenceOp(llvm::StringRef op);

/// Whether any graph of the model uses such an operator.
bool usesSequenceOps(const onnx::GraphProto &g);

/// Why a sequence could not be expanded: the node (a copy; empty for a graph
/// output) and the reason.
struct SequenceExpansionError {
  onnx::NodeProto node;
  std::string message;
};

/// Rewrites every sequence operator of `model` (subgraphs included) into
/// tensor operators valid at `opset`. Types come from ONNX shape inference
/// run on a copy of the model first (when `inferTypes`).
std::optional<SequenceExpansionError>
expandSequenceOps(onnx::ModelProto &model, int64_t opset, bool inferTypes);

} // namespace seqc::detail

#endif // SEQC_LIB_IMPORT_SEQUENCEEXPANSION_H
