//===- SharedLibrary.cpp - Signature, entry points, linking -----*- C++ -*-===//
//
// A compiled model is a shared library: the object file of the model, the
// runtime (lib/Runtime), and small generated C entry points that check the
// inputs against the signature, build memref descriptors, call the model's
// C interface (_mlir_ciface_main_graph) and hand back dense outputs. The
// entry points are generated as C because they only marshal data; the
// system C compiler links them (it is needed to link the library anyway).
//
//===----------------------------------------------------------------------===//

#include "seqc/Target/ModelTarget.h"
#include "seqc/Utils/AttrNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <set>

#ifndef SEQC_RUNTIME_LIBRARY
#define SEQC_RUNTIME_LIBRARY ""
#endif
#ifndef SEQC_INCLUDE_DIR
#define SEQC_INCLUDE_DIR ""
#endif

using namespace mlir;
using namespace seqc;

// The values of seqc_dtype in seqc_runtime.h.
enum { F32 = 1, F64, F16, I8, I16, I32, I64, U8, BOOL, U16, U32, U64, BF16 };

static int dtypeOf(Type t) {
  if (t.isF32())
    return F32;
  if (t.isF64())
    return F64;
  if (t.isF16())
    return F16;
  if (t.isBF16())
    return BF16;
  if (t.isInteger(1))
    return BOOL;
  if (auto it = llvm::dyn_cast<IntegerType>(t)) {
    if (it.isUnsigned()) {
      switch (it.getWidth()) {
      case 8:
        return U8;
      case 16:
        return U16;
      case 32:
        return U32;
      case 64:
        return U64;
      }
      return 0;
    }
    switch (it.getWidth()) {
    case 8:
      return I8;
    case 16:
      return I16;
    case 32:
      return I32;
    case 64:
      return I64;
    }
  }
  return 0;
}

static const char *dtypeName(int d) {
  static const char *names[] = {"invalid", "float32", "float64", "float16",
                                "int8",    "int16",   "int32",   "int64",
                                "uint8",   "bool",    "uint16",  "uint32",
                                "uint64",  "bfloat16"};
  return d >= 0 && d <= BF16 ? names[d] : "invalid";
}

static const char *dtypeEnum(int d) {
  static const char *names[] = {
      "SEQC_DTYPE_INVALID", "SEQC_DTYPE_FLOAT32", "SEQC_DTYPE_FLOAT64",
      "SEQC_DTYPE_FLOAT16", "SEQC_DTYPE_INT8",    "SEQC_DTYPE_INT16",
      "SEQC_DTYPE_INT32",   "SEQC_DTYPE_INT64",   "SEQC_DTYPE_UINT8",
      "SEQC_DTYPE_BOOL",    "SEQC_DTYPE_UINT16",  "SEQC_DTYPE_UINT32",
      "SEQC_DTYPE_UINT64",  "SEQC_DTYPE_BFLOAT16"};
  return d >= 0 && d <= BF16 ? names[d] : names[0];
}

FailureOr<ModelSignature> seqc::extractSignature(ModuleOp module,
                                                 StringRef name) {
  auto func = module.lookupSymbol<func::FuncOp>("main_graph");
  if (!func)
    return module.emitError("the module has no func.func @main_graph");
  ModelSignature sig;
  sig.name = name.str();
  auto spec = [&](Type type, StringAttr nameAttr, ArrayAttr dimParams,
                  StringRef what, unsigned i) -> FailureOr<TensorSpec> {
    auto t = llvm::dyn_cast<RankedTensorType>(type);
    if (!t)
      return func.emitError()
             << what << " " << i << " must be a ranked tensor, got " << type;
    if (t.getRank() > 8)
      return func.emitError() << what << " " << i << " has rank " << t.getRank()
                              << "; the C ABI allows 8";
    TensorSpec s;
    s.name = nameAttr ? nameAttr.str() : (what + std::to_string(i)).str();
    s.dtype = dtypeOf(t.getElementType());
    if (!s.dtype)
      return func.emitError()
             << what << " '" << s.name << "' has unsupported element type "
             << t.getElementType();
    for (int64_t d = 0; d < t.getRank(); ++d) {
      s.dims.push_back(t.isDynamicDim(d) ? -1 : t.getDimSize(d));
      std::string dn;
      if (dimParams && d < static_cast<int64_t>(dimParams.size()))
        if (auto str = llvm::dyn_cast<StringAttr>(dimParams[d]))
          dn = str.str();
      s.dimNames.push_back(dn);
    }
    return s;
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto s =
        spec(func.getArgument(i).getType(),
             func.getArgAttrOfType<StringAttr>(i, seqc::attrs::kOnnxName),
             func.getArgAttrOfType<ArrayAttr>(i, seqc::attrs::kOnnxDimParams),
             "input", i);
    if (failed(s))
      return failure();
    sig.inputs.push_back(*s);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto s =
        spec(func.getResultTypes()[i],
             func.getResultAttrOfType<StringAttr>(i, seqc::attrs::kOnnxName),
             ArrayAttr(), "output", i);
    if (failed(s))
      return failure();
    sig.outputs.push_back(*s);
  }
  if (sig.outputs.empty())
    return func.emitError("the model has no outputs");
  return sig;
}

std::string ModelSignature::json() const {
  llvm::json::Array ins, outs;
  auto tensor = [](const TensorSpec &s) {
    llvm::json::Array shape;
    for (size_t d = 0; d < s.dims.size(); ++d) {
      if (s.dims[d] >= 0)
        shape.push_back(s.dims[d]);
      else if (!s.dimNames[d].empty())
        shape.push_back(s.dimNames[d]);
      else
        shape.push_back(nullptr);
    }
    return llvm::json::Object{{"name", s.name},
                              {"dtype", dtypeName(s.dtype)},
                              {"shape", std::move(shape)}};
  };
  for (const auto &s : inputs)
    ins.push_back(tensor(s));
  for (const auto &s : outputs)
    outs.push_back(tensor(s));
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(llvm::json::Object{{"name", name},
                                             {"inputs", std::move(ins)},
                                             {"outputs", std::move(outs)}});
  return text;
}

std::string seqc::modelHeader(const ModelSignature &sig) {
  std::string guard = "SEQC_MODEL_" + llvm::StringRef(sig.name).upper() + "_H";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by seqc: the entry points of model '" << sig.name
     << "'. */\n#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"seqc_runtime.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n"
     << "#endif\n\n/* Inputs:\n";
  auto describe = [&](const TensorSpec &s) {
    os << " *   " << s.name << ": " << dtypeName(s.dtype) << "[";
    for (size_t d = 0; d < s.dims.size(); ++d) {
      os << (d ? ", " : "");
      if (s.dims[d] >= 0)
        os << s.dims[d];
      else
        os << (s.dimNames[d].empty() ? "?" : s.dimNames[d]);
    }
    os << "]\n";
  };
  for (const auto &s : sig.inputs)
    describe(s);
  os << " * Outputs:\n";
  for (const auto &s : sig.outputs)
    describe(s);
  os << " */\n\n/* The signature as JSON. */\nconst char *" << sig.name
     << "_signature(void);\n\n"
     << "/* Runs the model: " << sig.inputs.size() << " inputs, "
     << sig.outputs.size()
     << " outputs (allocated here; free with seqc_tensor_free). Returns\n"
        " * SEQC_OK or a seqc_status with a message in `error`. */\n"
     << "int " << sig.name
     << "_run(const seqc_tensor *inputs, size_t num_inputs,\n"
     << "    seqc_tensor *outputs, size_t num_outputs, char *error, "
        "size_t error_size);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}

/// The C source of the entry points.
static std::string entryPoints(const ModelSignature &sig) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by seqc. */\n#include \"seqc/Runtime/seqc_runtime.h\"\n"
        "#include <string.h>\n\n";
  std::set<size_t> ranks;
  for (const auto *list : {&sig.inputs, &sig.outputs})
    for (const auto &s : *list)
      ranks.insert(s.dims.size());
  for (size_t r : ranks) {
    os << "typedef struct { void *allocated; void *aligned; int64_t offset;";
    if (r)
      os << " int64_t sizes[" << r << "]; int64_t strides[" << r << "];";
    os << " } memref" << r << ";\n";
  }
  const size_t nOut = sig.outputs.size();
  if (nOut > 1) {
    os << "typedef struct {";
    for (size_t i = 0; i < nOut; ++i)
      os << " memref" << sig.outputs[i].dims.size() << " r" << i << ";";
    os << " } results_t;\n";
  } else {
    os << "typedef memref" << sig.outputs[0].dims.size() << " results_t;\n";
  }
  os << "extern void _mlir_ciface_main_graph(results_t *";
  for (const auto &s : sig.inputs)
    os << ", memref" << s.dims.size() << " *";
  os << ");\n\n";
  auto specArray = [&](const char *var, const std::vector<TensorSpec> &list) {
    os << "static const seqc_io_spec " << var << "[] = {\n";
    for (const auto &s : list) {
      os << "  {\"" << llvm::json::fixUTF8(s.name) << "\", "
         << dtypeEnum(s.dtype) << ", " << s.dims.size() << ", {";
      for (size_t d = 0; d < s.dims.size(); ++d)
        os << (d ? ", " : "") << s.dims[d];
      os << "}, {";
      for (size_t d = 0; d < s.dims.size(); ++d) {
        std::string escaped;
        llvm::raw_string_ostream es(escaped);
        es << llvm::json::Value(s.dimNames[d]);
        os << (d ? ", " : "") << escaped;
      }
      os << "}},\n";
    }
    os << "};\n";
  };
  specArray("kInputs", sig.inputs);
  specArray("kOutputs", sig.outputs);
  // The JSON signature as a C string literal.
  std::string json = sig.json(), literal;
  for (char c : json) {
    if (c == '"' || c == '\\')
      literal += '\\';
    literal += c;
  }
  os << "static const seqc_model_spec kSpec = {\"" << sig.name << "\", "
     << sig.inputs.size() << ", kInputs, " << nOut << ", kOutputs};\n"
     << "static const char kSignature[] = \"" << literal << "\";\n\n"
     << "const char *" << sig.name
     << "_signature(void) { return kSignature; }\n\n"
     << "int " << sig.name
     << "_run(const seqc_tensor *in, size_t ni, seqc_tensor *out, size_t no,\n"
        "    char *err, size_t errn) {\n"
        "  seqc_rt_enter();\n"
        "  int rc = seqc_rt_check_inputs(&kSpec, in, ni, out, no, err, errn);\n"
        "  if (rc)\n    return rc;\n";
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    os << "  memref" << sig.inputs[i].dims.size() << " a" << i
       << ";\n  seqc_rt_input_memref(&a" << i << ", &in[" << i << "]);\n";
  os << "  results_t res;\n  _mlir_ciface_main_graph(&res";
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    os << ", &a" << i;
  os << ");\n  void *descs[] = {";
  for (size_t i = 0; i < nOut; ++i)
    os << (i ? ", " : "") << (nOut > 1 ? "&res.r" + std::to_string(i) : "&res");
  os << "};\n"
        "  size_t done = 0;\n"
        "  for (; done < "
     << nOut
     << " && rc == SEQC_OK; ++done)\n"
        "    rc = seqc_rt_copy_output(descs[done], &kOutputs[done], "
        "&out[done], "
        "err, errn);\n"
        "  if (rc)\n    for (size_t i = 0; i < done; ++i)\n"
        "      seqc_tensor_free(&out[i]);\n"
        "  seqc_rt_release_results(descs, "
     << nOut
     << ", in, ni);\n"
        "  return rc;\n}\n\n"
        "/* Generic names, for tools that load any model. */\n"
        "const char *seqc_model_signature(void) { return kSignature; }\n"
        "int seqc_model_run(const seqc_tensor *in, size_t ni, seqc_tensor "
        "*out,\n"
        "    size_t no, char *err, size_t errn) {\n  return "
     << sig.name << "_run(in, ni, out, no, err, errn);\n}\n";
  return text;
}

/// The runtime library and include folder: beside the build's own tools.
/// The OpenMP library: LLVM's libomp.
static std::string findRuntime(StringRef what) {
  const char *env = std::getenv(what == "lib"   ? "SEQC_RUNTIME_LIBRARY"
                                : what == "omp" ? "SEQC_OMP_LIBRARY"
                                                : "SEQC_INCLUDE_DIR");
  if (env)
    return env;
  return what == "lib"   ? SEQC_RUNTIME_LIBRARY
         : what == "omp" ? SEQC_OMP_LIBRARY
                         : SEQC_INCLUDE_DIR;
}

LogicalResult seqc::linkSharedLibrary(const ModelSignature &sig,
                                      StringRef objectPath, StringRef soPath,
                                      Location loc) {
  std::string runtime = findRuntime("lib"), include = findRuntime("include");
  if (!llvm::sys::fs::exists(runtime))
    return emitError(loc) << "the seqc runtime library is missing (" << runtime
                          << "); set SEQC_RUNTIME_LIBRARY";
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return emitError(loc) << "no C compiler ('cc') on PATH to link the "
                             "shared library";
  llvm::SmallString<128> stub;
  if (llvm::sys::fs::createTemporaryFile("seqc-entry", "c", stub))
    return emitError(loc) << "cannot create a temporary file";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(stub, ec);
    if (ec)
      return emitError(loc) << "cannot write " << stub << ": " << ec.message();
    os << entryPoints(sig);
  }
  std::string includeFlag = "-I" + include;
  std::string soStr = soPath.str(), objStr = objectPath.str(),
              stubStr = stub.str().str();
  // libomp runs the parallel loops; the rpath finds it where LLVM is.
  std::string omp = findRuntime("omp");
  std::string rpath = "-Wl,-rpath," + llvm::sys::path::parent_path(omp).str();
  SmallVector<StringRef> args = {
      *cc,     "-shared", "-fPIC", "-O2", "-o",  soStr, includeFlag,
      stubStr, objStr,    runtime, omp,   rpath, "-lm", "-lpthread"};
  std::string errMsg;
  int rc =
      llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &errMsg);
  llvm::sys::fs::remove(stub);
  if (rc != 0)
    return emitError(loc) << "linking " << soPath << " failed (cc exit " << rc
                          << ")" << (errMsg.empty() ? "" : ": ") << errMsg;
  // The header, and the runtime header it includes, beside the library.
  llvm::SmallString<256> header(soPath);
  llvm::sys::path::replace_extension(header, "h");
  llvm::SmallString<256> runtimeHeader(soPath);
  llvm::sys::path::remove_filename(runtimeHeader);
  llvm::sys::path::append(runtimeHeader, "seqc_runtime.h");
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(header, ec);
    if (ec)
      return emitError(loc)
             << "cannot write " << header << ": " << ec.message();
    os << modelHeader(sig);
  }
  llvm::SmallString<256> src(include);
  llvm::sys::path::append(src, "seqc", "Runtime", "seqc_runtime.h");
  if (llvm::sys::fs::copy_file(src, runtimeHeader))
    return emitError(loc) << "cannot copy " << src << " to " << runtimeHeader;
  return success();
}
