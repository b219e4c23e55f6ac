//===- seqc-run.cpp - Run, check and time a compiled model ------*- C++ -*-===//
//
//   seqc-run libmodel.so|model.onnx --input NAME=FILE.npy ... [--random]
//            [--dim NAME=N] [--output-dir DIR] [--compare DIR]
//            [--rtol R --atol A] [--bench N] [--concurrent N]
//
// Loads a model compiled by seqc (compiling a .onnx first with the seqc next
// to this tool), feeds it .npy inputs or random ones drawn from the
// signature, writes the outputs as NAME.npy, compares them with expected
// outputs (an ONNX backend-test folder of test_data_set_*/{input,output}_*.pb,
// or NAME.npy files), checks that threads may run it at once, and times N
// runs, printing `median_ms: X` (milliseconds, fixed notation) last.
//
//===----------------------------------------------------------------------===//

#include "NpyIO.h"
#include "ToolOptions.h"

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
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <random>
#include <thread>

using namespace llvm;
using namespace seqc::run;

namespace {
cl::OptionCategory runCat("seqc-run options");
cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                               cl::desc("<libmodel.so | model.onnx>"),
                               cl::cat(runCat));
cl::list<std::string> inputArgs(
    "input",
    cl::desc("Feed the model input NAME from a .npy file (repeatable)"),
    cl::value_desc("NAME=FILE"), cl::cat(runCat));
cl::opt<bool> randomInputs(
    "random",
    cl::desc("Draw the inputs that --input and --compare do not give at "
             "random (normal; integers rounded; seed 0)"),
    cl::cat(runCat));
cl::list<std::string> dimArgs(
    "dim",
    cl::desc("Size of symbolic dim NAME for --random inputs (repeatable; "
             "default 8)"),
    cl::value_desc("NAME=N"), cl::cat(runCat));
cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write each output as DIR/NAME.npy (default: none)"),
              cl::value_desc("DIR"), cl::cat(runCat));
cl::opt<std::string> compareWith(
    "compare",
    cl::desc("Compare the outputs with the expected ones in DIR, an ONNX "
             "backend-test folder (test_data_set_0/*.pb, whose inputs are "
             "fed too) or NAME.npy files; prints PASS/FAIL per output"),
    cl::value_desc("DIR"), cl::cat(runCat));
cl::opt<double>
    rtolOpt("rtol", cl::init(1e-3),
            cl::desc("Relative tolerance of --compare (default 1e-3)"),
            cl::cat(runCat));
cl::opt<double>
    atolOpt("atol", cl::init(1e-5),
            cl::desc("Absolute tolerance of --compare (default 1e-5)"),
            cl::cat(runCat));
cl::opt<unsigned>
    bench("bench", cl::init(0),
          cl::desc("Time N runs after a warm-up run and print `median_ms: X` "
                   "last (default 0: no timing)"),
          cl::value_desc("N"), cl::cat(runCat));
cl::opt<unsigned> concurrent(
    "concurrent", cl::init(0),
    cl::desc("Also run the model on N threads at once and check that every "
             "thread's outputs equal a sequential run's (reentrancy; "
             "default 0: off)"),
    cl::value_desc("N"), cl::cat(runCat));

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
  bool isUnsigned =
      t.dtype == SEQC_DTYPE_UINT8 || t.dtype == SEQC_DTYPE_UINT16 ||
      t.dtype == SEQC_DTYPE_UINT32 || t.dtype == SEQC_DTYPE_UINT64;
  for (int64_t i = 0; i < n; ++i)
    t.setDouble(i, t.dtype == SEQC_DTYPE_BOOL ? (normal(rng) > 0)
                   : isFloat(t.dtype)         ? normal(rng)
                   : isUnsigned ? std::fabs(std::floor(normal(rng) * 3))
                                : std::floor(normal(rng) * 3));
  return t;
}
} // namespace

//===----------------------------------------------------------------------===//
// The model and its inputs
//===----------------------------------------------------------------------===//

namespace {
/// A model compiled by seqc, loaded: its entry point and its signature.
struct LoadedModel {
  RunFn run = nullptr;
  std::vector<IOSpec> inputs, outputs;
};

/// The inputs to run a model on and, with --compare, the outputs expected.
struct RunData {
  std::vector<Tensor> inputs;
  std::vector<Tensor> expected;
};

/// One call of the model on fixed inputs, into `out`; `error` receives the
/// model's message when it fails.
struct Invocation {
  RunFn run;
  const std::vector<seqc_tensor> &in;
  char error[512] = {0};
  int operator()(std::vector<seqc_tensor> &out) {
    return run(in.data(), in.size(), out.data(), out.size(), error,
               sizeof(error));
  }
};

Error makeError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}
} // namespace

/// Loads the model (compiling a .onnx first) and reads its signature.
static Expected<LoadedModel> loadModel(const char *argv0) {
  std::string lib = modelPath;
  if (StringRef(lib).ends_with(".onnx")) {
    auto compiled = compileFirst(argv0);
    if (!compiled)
      return makeError("compiling " + modelPath + " failed");
    lib = *compiled;
  }
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return makeError(Twine("cannot load ") + lib + ": " + dlerror());
  LoadedModel m;
  m.run = reinterpret_cast<RunFn>(dlsym(handle, "seqc_model_run"));
  auto sigFn = reinterpret_cast<SigFn>(dlsym(handle, "seqc_model_signature"));
  if (!m.run || !sigFn)
    return makeError(lib + " is not a model compiled by seqc");
  auto sig = json::parse(sigFn());
  if (!sig || !sig->getAsObject())
    return makeError("the model's signature is not valid JSON");
  m.inputs = parseSpecs(*sig->getAsObject()->getArray("inputs"));
  m.outputs = parseSpecs(*sig->getAsObject()->getArray("outputs"));
  return m;
}

/// The inputs given by name: from the --compare folder, then --input.
/// Fills `expected` with the --compare folder's outputs.
static Expected<std::map<std::string, Tensor>>
givenInputs(const LoadedModel &m, std::vector<Tensor> &expected) {
  std::map<std::string, Tensor> given;
  if (!compareWith.empty()) {
    auto loaded = loadExpected(compareWith, m.inputs, m.outputs);
    if (!loaded)
      return loaded.takeError();
    for (size_t i = 0; i < loaded->inputs.size(); ++i)
      given[m.inputs[i].name] = std::move(loaded->inputs[i]);
    expected = std::move(loaded->outputs);
  }
  for (const std::string &arg : inputArgs) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return makeError("--input expects NAME=FILE.npy, got '" + arg + "'");
    auto t = readNpy(arg.substr(eq + 1));
    if (!t)
      return t.takeError();
    given[arg.substr(0, eq)] = std::move(*t);
  }
  return given;
}

/// The --dim values, by dim name.
static Expected<std::map<std::string, int64_t>> symbolicDims() {
  std::map<std::string, int64_t> dims;
  for (const std::string &arg : dimArgs) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return makeError("--dim expects NAME=N, got '" + arg + "'");
    dims[arg.substr(0, eq)] = std::atoll(arg.c_str() + eq + 1);
  }
  return dims;
}

/// Every input of the model, in its order: given, or random (--random).
static Expected<RunData> prepareInputs(const LoadedModel &m) {
  RunData data;
  auto given = givenInputs(m, data.expected);
  if (!given)
    return given.takeError();
  auto dims = symbolicDims();
  if (!dims)
    return dims.takeError();
  std::mt19937 rng(0);
  for (const IOSpec &s : m.inputs) {
    auto it = given->find(s.name);
    if (it != given->end()) {
      // numpy has no bfloat16: a float .npy feeds a bfloat16 input.
      if (s.dtype == SEQC_DTYPE_BFLOAT16 && isFloat(it->second.dtype) &&
          it->second.dtype != SEQC_DTYPE_BFLOAT16)
        it->second = toBFloat16(it->second);
      data.inputs.push_back(std::move(it->second));
      given->erase(it);
    } else if (randomInputs) {
      data.inputs.push_back(randomTensor(s, *dims, rng));
    } else {
      return makeError("no value for input '" + s.name + "' (give --input " +
                       s.name + "=FILE.npy or --random)");
    }
  }
  if (!given->empty())
    return makeError("the model has no input named '" + given->begin()->first +
                     "'");
  return data;
}

//===----------------------------------------------------------------------===//
// Checks and timing
//===----------------------------------------------------------------------===//

/// Takes over the outputs of the first run: writes them (--output-dir) and
/// compares them with `expected`, printing PASS or FAIL for each. Returns
/// whether all match.
static Expected<bool> checkOutputs(const LoadedModel &m,
                                   std::vector<seqc_tensor> &results,
                                   const std::vector<Tensor> &expected) {
  bool ok = true;
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    Tensor out = Tensor::adopt(results[i]);
    if (!outputDir.empty()) {
      SmallString<256> path(outputDir);
      sys::fs::create_directories(outputDir);
      sys::path::append(path, m.outputs[i].name + ".npy");
      if (Error e = writeNpy(out, path))
        return std::move(e);
    }
    if (i < expected.size()) {
      CompareResult c = compareTensors(out, expected[i], rtolOpt, atolOpt);
      outs() << (c.ok ? "PASS" : "FAIL") << " " << m.outputs[i].name
             << ": max abs diff " << c.maxAbs << ", mismatches " << c.mismatches
             << "/" << c.count << c.note << "\n";
      ok &= c.ok;
    }
  }
  return ok;
}

/// --concurrent: runs the model on that many threads at once (three times
/// each) and checks every thread's outputs against a sequential run.
/// Returns whether they are identical.
static Expected<bool> checkConcurrent(const LoadedModel &m, Invocation &once) {
  size_t numOut = m.outputs.size();
  // Each thread runs the same inputs into its own outputs.
  std::vector<std::vector<seqc_tensor>> results(
      concurrent, std::vector<seqc_tensor>(numOut));
  std::vector<int> codes(concurrent, 0);
  std::vector<std::string> errors(concurrent);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < concurrent; ++t)
    threads.emplace_back([&, t] {
      char err[512] = {0};
      for (int rep = 0; rep < 3 && !codes[t]; ++rep) {
        for (seqc_tensor &o : results[t])
          seqc_tensor_free(&o);
        codes[t] = m.run(once.in.data(), once.in.size(), results[t].data(),
                         results[t].size(), err, sizeof(err));
      }
      errors[t] = err;
    });
  for (std::thread &th : threads)
    th.join();
  // The reference: a sequential run.
  std::vector<seqc_tensor> refRaw(numOut);
  if (once(refRaw))
    return makeError(Twine("run failed: ") + once.error);
  std::vector<Tensor> ref;
  for (seqc_tensor &r : refRaw)
    ref.push_back(Tensor::adopt(r));
  bool same = true;
  for (unsigned t = 0; t < concurrent; ++t) {
    if (codes[t])
      return makeError("thread " + Twine(t) + " failed: " + errors[t]);
    for (size_t i = 0; i < numOut; ++i) {
      Tensor got = Tensor::adopt(results[t][i]);
      same &= got.shape == ref[i].shape &&
              std::memcmp(got.data.get(), ref[i].data.get(), got.bytes()) == 0;
    }
  }
  outs() << (same ? "concurrent: " : "concurrent MISMATCH: ") << concurrent
         << " threads, outputs "
         << (same ? "identical to a sequential run" : "differ") << "\n";
  return same;
}

/// `ms` in fixed notation with at least 4 significant digits (3 decimals
/// from 1 ms up, more below: 1878.571, 0.01230).
static std::string formatMs(double ms) {
  int decimals = 3;
  if (ms > 0 && ms < 1)
    decimals = std::min(9, 3 - static_cast<int>(std::floor(std::log10(ms))));
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, ms);
  return text;
}

/// --bench: times that many runs after one warm-up run and prints the
/// median as `median_ms: X`, the last line.
static Error benchmark(Invocation &once, std::vector<seqc_tensor> &results) {
  std::vector<double> ms;
  for (unsigned i = 0; i < bench + 1; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (once(results))
      return makeError(Twine("run failed: ") + once.error);
    auto t1 = std::chrono::steady_clock::now();
    for (seqc_tensor &t : results)
      seqc_tensor_free(&t);
    if (i) // the first run warms up
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  outs().flush();
  outs() << "median_ms: " << formatMs(ms[ms.size() / 2]) << "\n";
  return Error::success();
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  seqc::tools::hideLibraryOptions({&runCat});
  seqc::tools::listFirst(runCat);
  cl::ParseCommandLineOptions(argc, argv,
                              "seqc-run: run, check and time a model compiled "
                              "by seqc\n");
  auto model = loadModel(argv[0]);
  if (!model)
    return fail(model.takeError());
  auto data = prepareInputs(*model);
  if (!data)
    return fail(data.takeError());

  std::vector<seqc_tensor> cin(data->inputs.size());
  for (size_t i = 0; i < data->inputs.size(); ++i)
    cin[i] = data->inputs[i].view();
  std::vector<seqc_tensor> cout(model->outputs.size());
  Invocation once{model->run, cin};
  if (int rc = once(cout))
    return fail("the model rejected its inputs (status " + Twine(rc) +
                "): " + once.error);

  auto ok = checkOutputs(*model, cout, data->expected);
  if (!ok)
    return fail(ok.takeError());
  int status = *ok ? 0 : 1;
  if (concurrent) {
    auto same = checkConcurrent(*model, once);
    if (!same)
      return fail(same.takeError());
    if (!*same)
      status = 1;
  }
  if (bench)
    if (Error e = benchmark(once, cout))
      return fail(std::move(e));
  return status;
}
