//===- OnnxShapeInference.cpp - ONNX's shape inference, contained -*- C++
//-*-===//
//
// ONNX's shape inference reports problems with C++ exceptions. This file, and
// only this one, is compiled with exceptions so that none escapes into the
// rest of seqc (built without them).
//
//===----------------------------------------------------------------------===//

#include "OnnxImportInternal.h"

#include "onnx/shape_inference/implementation.h"

#include <exception>

/// Runs `body`; an exception becomes `error` and a false result.
template <typename Body> static bool guarded(std::string &error, Body body) {
  try {
    return body();
  } catch (const std::exception &e) {
    error = e.what();
  } catch (...) {
    error = "unknown error";
  }
  return false;
}

bool seqc::detail::runOnnxShapeInference(onnx::ModelProto &model,
                                         std::string &error) {
  return guarded(error, [&] {
    onnx::ShapeInferenceOptions options(/*check_type=*/false,
                                        /*error_mode=*/0,
                                        /*enable_data_propagation=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
    return true;
  });
}

const onnx::OpSchema *seqc::detail::lookupSchema(const std::string &op,
                                                 int version) {
  try {
    return onnx::OpSchemaRegistry::Schema(op, version, "");
  } catch (...) {
    return nullptr;
  }
}

bool seqc::detail::verifyNode(const onnx::NodeProto &node, int opset,
                              std::string &error) {
  return guarded(error, [&] {
    // ai.seqc operators are all at version 1 so far.
    bool custom = isSeqcDomain(node.domain());
    int version = custom ? 1 : opset;
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
        node.op_type(), version, custom ? node.domain() : "");
    if (!schema) {
      error = "has no ONNX schema at opset " + std::to_string(version);
      return false;
    }
    schema->Verify(node);
    return true;
  });
}
