//===- SeqcExtension.cpp - The _seqc Python extension -----------*- C++ -*-===//
//
// pybind11 bindings over the C API (include/seqc/CAPI/seqc.h) and the C ABI
// of compiled models (include/seqc/Runtime/seqc_runtime.h). Nothing here
// raises for a compile or input error: functions return the diagnostics or
// the runtime's status and message, and the Python layer (seqc/compiler.py,
// seqc/runtime.py) turns them into seqc.CompileError and seqc.InputError.
// The GIL is released while compiling and while a model runs.
//
//===----------------------------------------------------------------------===//

#include "seqc/CAPI/seqc.h"
#include "seqc/Runtime/seqc_runtime.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace py = pybind11;

namespace {

/// Takes ownership of a string returned by the C API.
std::string takeString(char *s) {
  std::string out = s ? s : "";
  seqc_free(s);
  return out;
}

/// An imported model (owns the seqc_module).
class Module {
public:
  explicit Module(seqc_module m) : handle(m, seqc_module_destroy) {}

  std::string print(bool weights) const {
    return takeString(seqc_module_print(handle.get(), weights));
  }
  std::string implReport(bool json) const {
    return takeString(seqc_module_impl_report(handle.get(), json));
  }

  /// Compiles to `soPath`; returns whether it worked, the diagnostics and
  /// the mixer report (JSON) of what was compiled.
  std::tuple<bool, std::string, std::string>
  compile(const std::string &soPath, const std::string &target,
          unsigned optLevel, const std::string &mcpu, const std::string &mattr,
          const std::string &impl, const std::string &modelName) const {
    seqc_compile_options options;
    seqc_compile_options_init(&options);
    options.target = target.c_str();
    options.opt_level = optLevel;
    options.mcpu = mcpu.c_str();
    options.mattr = mattr.c_str();
    options.impl = impl.c_str();
    options.model_name = modelName.empty() ? nullptr : modelName.c_str();
    char *diagnostics = nullptr, *report = nullptr;
    int rc;
    {
      py::gil_scoped_release release;
      rc = seqc_module_compile(handle.get(), &options, soPath.c_str(), &report,
                               &diagnostics);
    }
    return {rc == 0, takeString(diagnostics), takeString(report)};
  }

private:
  std::shared_ptr<seqc_module_impl> handle;
};

using ImportResult = std::tuple<std::optional<Module>, std::string>;

ImportResult finishImport(seqc_module m, char *diagnostics) {
  std::string text = takeString(diagnostics);
  if (!m)
    return {std::nullopt, text};
  return {Module(m), text};
}

ImportResult importFile(const std::string &path, bool shapeInference) {
  char *diagnostics = nullptr;
  seqc_module m;
  {
    py::gil_scoped_release release;
    m = seqc_import_onnx_file(path.c_str(), shapeInference, &diagnostics);
  }
  return finishImport(m, diagnostics);
}

ImportResult importBytes(const py::bytes &data, const std::string &name,
                         bool shapeInference) {
  std::string bytes = data; // a copy the import may outlive the GIL with
  char *diagnostics = nullptr;
  seqc_module m;
  {
    py::gil_scoped_release release;
    m = seqc_import_onnx_bytes(bytes.data(), bytes.size(), name.c_str(),
                               shapeInference, &diagnostics);
  }
  return finishImport(m, diagnostics);
}

ImportResult parseMlir(const std::string &text, const std::string &name) {
  char *diagnostics = nullptr;
  seqc_module m;
  {
    py::gil_scoped_release release;
    m = seqc_parse_mlir(text.data(), text.size(), name.c_str(), &diagnostics);
  }
  return finishImport(m, diagnostics);
}

//===----------------------------------------------------------------------===//
// Compiled models
//===----------------------------------------------------------------------===//

using RunFn = int (*)(const seqc_tensor *, size_t, seqc_tensor *, size_t,
                      char *, size_t);
using SignatureFn = const char *(*)();

/// The numpy dtype of a seqc dtype. numpy has no bfloat16: its bits travel
/// as 2-byte void ('V2') arrays, which seqc/runtime.py converts from and to
/// float32.
py::dtype numpyDtype(seqc_dtype dtype) {
  if (dtype == SEQC_DTYPE_BFLOAT16)
    return py::dtype("V2");
  return py::dtype(std::string(seqc_dtype_name(dtype)));
}

/// The seqc dtype of a numpy array (SEQC_DTYPE_INVALID if none).
seqc_dtype seqcDtype(const py::array &a) {
  char kind = a.dtype().kind();
  py::ssize_t size = a.itemsize();
  if (kind == 'f')
    return size == 4   ? SEQC_DTYPE_FLOAT32
           : size == 8 ? SEQC_DTYPE_FLOAT64
           : size == 2 ? SEQC_DTYPE_FLOAT16
                       : SEQC_DTYPE_INVALID;
  if (kind == 'i')
    return size == 1   ? SEQC_DTYPE_INT8
           : size == 2 ? SEQC_DTYPE_INT16
           : size == 4 ? SEQC_DTYPE_INT32
           : size == 8 ? SEQC_DTYPE_INT64
                       : SEQC_DTYPE_INVALID;
  if (kind == 'u')
    return size == 1   ? SEQC_DTYPE_UINT8
           : size == 2 ? SEQC_DTYPE_UINT16
           : size == 4 ? SEQC_DTYPE_UINT32
           : size == 8 ? SEQC_DTYPE_UINT64
                       : SEQC_DTYPE_INVALID;
  if (kind == 'b' && size == 1)
    return SEQC_DTYPE_BOOL;
  if (kind == 'V' && size == 2)
    return SEQC_DTYPE_BFLOAT16;
  return SEQC_DTYPE_INVALID;
}

/// A shared library compiled by seqc, opened with dlopen.
class Library {
public:
  /// Opens `path`; on failure returns the reason instead.
  static std::tuple<std::optional<Library>, std::string>
  open(const std::string &path) {
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *err = dlerror();
      return {std::nullopt, err ? err : "dlopen failed"};
    }
    auto run = reinterpret_cast<RunFn>(dlsym(handle, "seqc_model_run"));
    auto sig =
        reinterpret_cast<SignatureFn>(dlsym(handle, "seqc_model_signature"));
    if (!run || !sig) {
      dlclose(handle);
      return {std::nullopt, path + " is not a model compiled by seqc (no "
                                   "seqc_model_run/seqc_model_signature)"};
    }
    Library lib;
    lib.state = std::make_shared<State>();
    lib.state->handle = handle;
    lib.state->run = run;
    lib.state->setThreads =
        reinterpret_cast<void (*)(int)>(dlsym(handle, "seqc_set_num_threads"));
    lib.state->signature = sig();
    return {std::move(lib), ""};
  }

  const std::string &signature() const { return state->signature; }

  /// The OpenMP thread count of this library's later runs (0: default);
  /// false if the library predates the setting.
  bool setNumThreads(int n) const {
    if (!state->setThreads)
      return false;
    state->setThreads(n);
    return true;
  }

  /// Runs the model once: (status, message, outputs). Inputs must be
  /// C-contiguous arrays; they are passed without a copy.
  std::tuple<int, std::string, py::list> run(const py::list &inputs,
                                             size_t numOutputs) const {
    std::vector<seqc_tensor> in;
    std::string error;
    if (int rc = views(inputs, in, error))
      return {rc, error, py::list()};
    std::vector<seqc_tensor> out(numOutputs);
    char message[1024] = {0};
    int rc;
    {
      py::gil_scoped_release release;
      rc = state->run(in.data(), in.size(), out.data(), out.size(), message,
                      sizeof(message));
    }
    py::list results;
    if (rc != SEQC_OK)
      return {rc, message, results};
    for (seqc_tensor &t : out)
      results.append(adopt(t));
    return {rc, "", results};
  }

  /// Runs the model `warmup + n` times: (status, message, milliseconds of
  /// each of the last n runs).
  std::tuple<int, std::string, std::vector<double>>
  bench(const py::list &inputs, size_t numOutputs, unsigned n,
        unsigned warmup) const {
    std::vector<seqc_tensor> in;
    std::string error;
    std::vector<double> ms;
    if (int rc = views(inputs, in, error))
      return {rc, error, ms};
    std::vector<seqc_tensor> out(numOutputs);
    char message[1024] = {0};
    int rc = SEQC_OK;
    {
      py::gil_scoped_release release;
      for (unsigned i = 0; i < warmup + n && rc == SEQC_OK; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        rc = state->run(in.data(), in.size(), out.data(), out.size(), message,
                        sizeof(message));
        auto t1 = std::chrono::steady_clock::now();
        if (rc == SEQC_OK)
          for (seqc_tensor &t : out)
            seqc_tensor_free(&t);
        if (i >= warmup)
          ms.push_back(
              std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    }
    return {rc, message, ms};
  }

private:
  struct State {
    ~State() {
      if (handle)
        dlclose(handle);
    }
    void *handle = nullptr;
    RunFn run = nullptr;
    void (*setThreads)(int) = nullptr; // absent in libraries before OpenMP
    std::string signature;
  };

  /// seqc_tensor views of numpy arrays; nonzero status if one cannot be.
  static int views(const py::list &inputs, std::vector<seqc_tensor> &out,
                   std::string &error) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!py::isinstance<py::array>(inputs[i])) {
        error = "input " + std::to_string(i) + " is not a numpy array";
        return SEQC_ERROR_ARGUMENT;
      }
      py::array a = inputs[i].cast<py::array>();
      if (a.ndim() > SEQC_MAX_RANK) {
        error = "input " + std::to_string(i) + " has rank " +
                std::to_string(a.ndim()) + "; the C ABI allows " +
                std::to_string(SEQC_MAX_RANK);
        return SEQC_ERROR_RANK;
      }
      if (!(a.flags() & py::array::c_style)) {
        error = "input " + std::to_string(i) + " is not C-contiguous";
        return SEQC_ERROR_ARGUMENT;
      }
      seqc_tensor t;
      std::memset(&t, 0, sizeof(t));
      t.data = const_cast<void *>(a.data());
      t.dtype = seqcDtype(a);
      t.rank = static_cast<int32_t>(a.ndim());
      for (py::ssize_t d = 0; d < a.ndim(); ++d)
        t.shape[d] = a.shape(d);
      out.push_back(t);
    }
    return SEQC_OK;
  }

  /// A numpy array that owns an output's malloc'd buffer (no copy).
  static py::array adopt(seqc_tensor &t) {
    std::vector<py::ssize_t> shape(t.shape, t.shape + t.rank);
    void *data = t.data;
    py::capsule owner(data, [](void *p) { std::free(p); });
    t.data = nullptr;
    return py::array(numpyDtype(t.dtype), shape, data, owner);
  }

  std::shared_ptr<State> state;
};

} // namespace

PYBIND11_MODULE(_seqc, m) {
  m.doc() = "seqc's native extension: the C API and the model runtime. Use "
            "the seqc package instead.";

  py::class_<Module>(m, "Module")
      .def("print", &Module::print, py::arg("weights") = false)
      .def("impl_report", &Module::implReport, py::arg("json") = true)
      .def("compile", &Module::compile, py::arg("so_path"), py::arg("target"),
           py::arg("opt_level"), py::arg("mcpu"), py::arg("mattr"),
           py::arg("impl"), py::arg("model_name"));
  m.def("import_onnx_file", &importFile, py::arg("path"),
        py::arg("shape_inference") = true);
  m.def("import_onnx_bytes", &importBytes, py::arg("data"), py::arg("name"),
        py::arg("shape_inference") = true);
  m.def("parse_mlir", &parseMlir, py::arg("text"), py::arg("name"));

  py::class_<Library>(m, "Library")
      .def_static("open", &Library::open, py::arg("path"))
      .def_property_readonly("signature", &Library::signature)
      .def("run", &Library::run, py::arg("inputs"), py::arg("num_outputs"))
      .def("set_num_threads", &Library::setNumThreads, py::arg("n"))
      .def("bench", &Library::bench, py::arg("inputs"), py::arg("num_outputs"),
           py::arg("n"), py::arg("warmup") = 1);

  m.attr("STATUS_OK") = int(SEQC_OK);
  m.attr("STATUS_ARGUMENT") = int(SEQC_ERROR_ARGUMENT);
  m.attr("STATUS_DTYPE") = int(SEQC_ERROR_DTYPE);
  m.attr("STATUS_RANK") = int(SEQC_ERROR_RANK);
  m.attr("STATUS_SHAPE") = int(SEQC_ERROR_SHAPE);
  m.attr("STATUS_OUT_OF_MEMORY") = int(SEQC_ERROR_OUT_OF_MEMORY);
}
