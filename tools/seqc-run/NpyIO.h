//===- NpyIO.h - Tensors, .npy files and ONNX test data ---------*- C++ -*-===//

#ifndef SEQC_TOOLS_SEQC_RUN_NPYIO_H
#define SEQC_TOOLS_SEQC_RUN_NPYIO_H

#include "seqc/Runtime/seqc_runtime.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <memory>
#include <string>
#include <vector>

namespace seqc::run {

/// An owning dense tensor.
struct Tensor {
  seqc_dtype dtype = SEQC_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::shared_ptr<char> data;

  int64_t numel() const;
  size_t bytes() const { return numel() * seqc_dtype_size(dtype); }
  void allocate();
  double getDouble(int64_t i) const;
  void setDouble(int64_t i, double v);
  seqc_tensor view() const;
  /// Takes over a model output (malloc'ed by the runtime).
  static Tensor adopt(seqc_tensor &t);
};

seqc_dtype dtypeFromName(llvm::StringRef name);
bool isFloat(seqc_dtype d);
/// `t` rounded to bfloat16 (nearest even), for float inputs of bf16 models.
Tensor toBFloat16(const Tensor &t);

llvm::Expected<Tensor> readNpy(llvm::StringRef path);
llvm::Error writeNpy(const Tensor &t, llvm::StringRef path);

struct CompareResult {
  bool ok = true;
  double maxAbs = 0;
  int64_t mismatches = 0, count = 0;
  std::string note;
};
/// |got - want| <= atol + rtol * |want| elementwise, shapes equal.
CompareResult compareTensors(const Tensor &got, const Tensor &want, double rtol,
                             double atol);

struct TestData {
  std::vector<Tensor> inputs, outputs;
};
llvm::Expected<TestData>
loadExpectedNamed(llvm::StringRef dir, const std::vector<std::string> &ins,
                  const std::vector<std::string> &outs);

/// Inputs and expected outputs from an ONNX backend-test folder
/// (test_data_set_0/input_*.pb, output_*.pb) or a folder of NAME.npy files.
template <typename Spec>
llvm::Expected<TestData> loadExpected(llvm::StringRef dir,
                                      const std::vector<Spec> &ins,
                                      const std::vector<Spec> &outs) {
  std::vector<std::string> inNames, outNames;
  for (const auto &s : ins)
    inNames.push_back(s.name);
  for (const auto &s : outs)
    outNames.push_back(s.name);
  return loadExpectedNamed(dir, inNames, outNames);
}

} // namespace seqc::run

#endif // SEQC_TOOLS_SEQC_RUN_NPYIO_H
