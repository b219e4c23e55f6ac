//===- seqc-run.cpp - Run, check and time a compiled model ------*- C++ -*-===//
//
//   seqc-run libmodel.so|model.onnx --input NAME=FILE.npy ... [--random]
//            [--dim NAME=N] [--output-dir DIR] [--compare DIR]
//            [--rtol R --atol A] [--bench N]
//
// Loads a model compiled by seqc (compiling a .onnx first with the seqc next
// to this tool), feeds it .npy inputs or random ones drawn from the
// signature, writes the outputs as NAME.npy, compares them with expected
// outputs (an ONNX backend-test folder of test_data_set_*/{input,output}_*.pb,
// or NAME.npy files), and times N runs, printing `median_ms: X` last.
//
//===----------------------------------------------------------------------===//

#include "NpyIO.h"

#include "seqc/Runtime/seqc_runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <dlfcn.h>
#include <map>
#include <cstring>
#include <random>
#include <thread>

using namespace llvm;
using namespace seqc::run;

namespace {
cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                               cl::desc("<libmodel.so | model.onnx>"));
cl::list<std::string> inputArgs("input", cl::desc("NAME=FILE.npy"),
                                cl::value_desc("NAME=FILE"));
cl::opt<bool> randomInputs("random",
                           cl::desc("Random inputs for those not given"));
cl::list<std::string> dimArgs(
    "dim", cl::desc("Value of a symbolic dim for --random (default 8)"),
    cl::value_desc("NAME=N"));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Write each output as NAME.npy"));
cl::opt<std::string> compareWith(
    "compare",
    cl::desc("Expected outputs: an ONNX backend-test folder or .npy files"));
cl::opt<double> rtolOpt("rtol", cl::init(1e-3), cl::desc("Relative tolerance"));
cl::opt<double> atolOpt("atol", cl::init(1e-5), cl::desc("Absolute tolerance"));
cl::opt<unsigned> bench("bench", cl::init(0),
                        cl::desc("Time N runs; print median_ms last"));
cl::opt<unsigned> concurrent(
    "concurrent", cl::init(0),
    cl::desc("Also run the model on N threads at once and check that every "
             "thread's outputs equal the first run's (reentrancy)"));

using RunFn = int (*)(const seqc_tensor *, size_t, seqc_tensor *, size_t,
                      char *, size_t);
using SigFn = const char *(*)();

int fail(const Twine &msg) {
  errs() << "seqc-run: error: " << msg << "\n";
  return 1;
}
int fail(Error e) { return fail(toString(std::move(e))); }

struct IOSpec {
  std::string name;
  seqc_dtype dtype;
  std::vector<json::Value> shape;
};

std::vector<IOSpec> parseSpecs(const json::Array &arr) {
  std::vector<IOSpec> out;
  for (const json::Value &v : arr) {
    const json::Object *o = v.getAsObject();
    IOSpec s;
    s.name = o->getString("name").value_or("").str();
    s.dtype = dtypeFromName(o->getString("dtype").value_or(""));
    if (const json::Array *shape = o->getArray("shape"))
      for (const json::Value &d : *shape)
        s.shape.push_back(d);
    out.push_back(s);
  }
  return out;
}

/// Compiles a .onnx next to a temporary library with the seqc beside us.
std::optional<std::string> compileFirst(const char *argv0) {
  static int anchor;
  std::string self = sys::fs::getMainExecutable(argv0, &anchor);
  SmallString<256> seqc(sys::path::parent_path(self));
  sys::path::append(seqc, "seqc");
  SmallString<128> dir;
  if (sys::fs::createUniqueDirectory("seqc-run", dir))
    return std::nullopt;
  SmallString<256> so(dir);
  sys::path::append(so, "libmodel.so");
  std::string soStr = so.str().str();
  StringRef args[] = {seqc, modelPath, "-o", soStr};
  if (sys::ExecuteAndWait(seqc, args) != 0)
    return std::nullopt;
  return soStr;
}

Tensor randomTensor(const IOSpec &s, const std::map<std::string, int64_t> &dims,
                    std::mt19937 &rng) {
  Tensor t;
  t.dtype = s.dtype;
  for (const json::Value &d : s.shape) {
    if (auto n = d.getAsInteger())
      t.shape.push_back(*n);
    else if (auto name = d.getAsString())
      t.shape.push_back(dims.count(name->str()) ? dims.at(name->str()) : 8);
    else
      t.shape.push_back(8);
  }
  t.allocate();
  std::normal_distribution<double> normal;
  int64_t n = t.numel();
  bool isUnsigned = t.dtype == SEQC_DTYPE_UINT8 ||
                    t.dtype == SEQC_DTYPE_UINT16 ||
                    t.dtype == SEQC_DTYPE_UINT32 || t.dtype == SEQC_DTYPE_UINT64;
  for (int64_t i = 0; i < n; ++i)
    t.setDouble(i, t.dtype == SEQC_DTYPE_BOOL ? (normal(rng) > 0)
                   : isFloat(t.dtype)         ? normal(rng)
                   : isUnsigned ? std::fabs(std::floor(normal(rng) * 3))
                                : std::floor(normal(rng) * 3));
  return t;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "seqc-run: run, check and time a model compiled "
                              "by seqc\n");
  std::string lib = modelPath;
  if (StringRef(lib).ends_with(".onnx")) {
    auto compiled = compileFirst(argv[0]);
    if (!compiled)
      return fail("compiling " + modelPath + " failed");
    lib = *compiled;
  }
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return fail(Twine("cannot load ") + lib + ": " + dlerror());
  auto run = reinterpret_cast<RunFn>(dlsym(handle, "seqc_model_run"));
  auto sigFn = reinterpret_cast<SigFn>(dlsym(handle, "seqc_model_signature"));
  if (!run || !sigFn)
    return fail(lib + " is not a model compiled by seqc");
  auto sig = json::parse(sigFn());
  if (!sig || !sig->getAsObject())
    return fail("the model's signature is not valid JSON");
  std::vector<IOSpec> ins = parseSpecs(*sig->getAsObject()->getArray("inputs"));
  std::vector<IOSpec> outSpecs =
      parseSpecs(*sig->getAsObject()->getArray("outputs"));

  // Expected data from an ONNX backend-test folder, if given.
  std::vector<Tensor> expected;
  std::map<std::string, Tensor> given;
  if (!compareWith.empty()) {
    auto loaded = loadExpected(compareWith, ins, outSpecs);
    if (!loaded)
      return fail(loaded.takeError());
    for (size_t i = 0; i < loaded->inputs.size(); ++i)
      given[ins[i].name] = std::move(loaded->inputs[i]);
    expected = std::move(loaded->outputs);
  }
  for (const std::string &arg : inputArgs) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return fail("--input expects NAME=FILE.npy, got '" + arg + "'");
    auto t = readNpy(arg.substr(eq + 1));
    if (!t)
      return fail(t.takeError());
    given[arg.substr(0, eq)] = std::move(*t);
  }
  std::map<std::string, int64_t> dims;
  for (const std::string &arg : dimArgs) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return fail("--dim expects NAME=N, got '" + arg + "'");
    dims[arg.substr(0, eq)] = std::atoll(arg.c_str() + eq + 1);
  }
  std::mt19937 rng(0);
  std::vector<Tensor> inputs;
  for (const IOSpec &s : ins) {
    auto it = given.find(s.name);
    if (it != given.end()) {
      // numpy has no bfloat16: a float .npy feeds a bfloat16 input.
      if (s.dtype == SEQC_DTYPE_BFLOAT16 && isFloat(it->second.dtype) &&
          it->second.dtype != SEQC_DTYPE_BFLOAT16)
        it->second = toBFloat16(it->second);
      inputs.push_back(std::move(it->second));
      given.erase(it);
    } else if (randomInputs) {
      inputs.push_back(randomTensor(s, dims, rng));
    } else {
      return fail("no value for input '" + s.name +
                  "' (give --input " + s.name + "=FILE.npy or --random)");
    }
  }
  if (!given.empty())
    return fail("the model has no input named '" + given.begin()->first + "'");

  std::vector<seqc_tensor> cin(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    cin[i] = inputs[i].view();
  std::vector<seqc_tensor> cout(outSpecs.size());
  char error[512] = {0};
  auto once = [&]() {
    int rc = run(cin.data(), cin.size(), cout.data(), cout.size(), error,
                 sizeof(error));
    return rc;
  };
  if (int rc = once())
    return fail("the model rejected its inputs (status " + Twine(rc) +
                "): " + error);

  int status = 0;
  for (size_t i = 0; i < outSpecs.size(); ++i) {
    Tensor out = Tensor::adopt(cout[i]);
    if (!outputDir.empty()) {
      SmallString<256> path(outputDir);
      sys::fs::create_directories(outputDir);
      sys::path::append(path, outSpecs[i].name + ".npy");
      if (Error e = writeNpy(out, path))
        return fail(std::move(e));
    }
    if (i < expected.size()) {
      CompareResult c = compareTensors(out, expected[i], rtolOpt, atolOpt);
      outs() << (c.ok ? "PASS" : "FAIL") << " " << outSpecs[i].name
                   << ": max abs diff " << c.maxAbs << ", mismatches "
                   << c.mismatches << "/" << c.count << c.note << "\n";
      if (!c.ok)
        status = 1;
    }
  }
  if (concurrent) {
    // Each thread runs the same inputs into its own outputs.
    std::vector<std::vector<seqc_tensor>> results(
        concurrent, std::vector<seqc_tensor>(outSpecs.size()));
    std::vector<int> codes(concurrent, 0);
    std::vector<std::string> errors(concurrent);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < concurrent; ++t)
      threads.emplace_back([&, t] {
        char err[512] = {0};
        for (int rep = 0; rep < 3 && !codes[t]; ++rep) {
          for (seqc_tensor &o : results[t])
            seqc_tensor_free(&o);
          codes[t] = run(cin.data(), cin.size(), results[t].data(),
                         results[t].size(), err, sizeof(err));
        }
        errors[t] = err;
      });
    for (std::thread &th : threads)
      th.join();
    // The reference: a sequential run.
    std::vector<seqc_tensor> refRaw(outSpecs.size());
    if (run(cin.data(), cin.size(), refRaw.data(), refRaw.size(), error,
            sizeof(error)))
      return fail(Twine("run failed: ") + error);
    std::vector<Tensor> ref;
    for (seqc_tensor &r : refRaw)
      ref.push_back(Tensor::adopt(r));
    bool same = true;
    for (unsigned t = 0; t < concurrent; ++t) {
      if (codes[t])
        return fail("thread " + Twine(t) + " failed: " + errors[t]);
      for (size_t i = 0; i < outSpecs.size(); ++i) {
        Tensor got = Tensor::adopt(results[t][i]);
        same &= got.shape == ref[i].shape &&
                std::memcmp(got.data.get(), ref[i].data.get(), got.bytes()) == 0;
      }
    }
    outs() << (same ? "concurrent: " : "concurrent MISMATCH: ") << concurrent
           << " threads, outputs "
           << (same ? "identical to a sequential run" : "differ") << "\n";
    if (!same)
      status = 1;
  }
  if (bench) {
    std::vector<double> ms;
    for (unsigned i = 0; i < bench + 1; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      if (once())
        return fail(Twine("run failed: ") + error);
      auto t1 = std::chrono::steady_clock::now();
      for (seqc_tensor &t : cout)
        seqc_tensor_free(&t);
      if (i) // the first run warms up
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    outs().flush();
    outs() << "median_ms: " << ms[ms.size() / 2] << "\n";
  }
  return status;
}
