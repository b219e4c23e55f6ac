//===- ModelReader.cpp - Reading ONNX models and their tensors --*- C++ -*-===//
//
// Everything that touches bytes from outside: parsing the ModelProto, reading
// external data files (confined to the model's folder), and turning
// TensorProtos into MLIR attributes with their sizes checked against their
// dims before anything is allocated. Large tensors become dense resources
// that take over the protobuf's buffer instead of copying it.
//
//===----------------------------------------------------------------------===//

#include "ModelReader.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace seqc::detail;

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

static bool parseFromStream(google::protobuf::io::ZeroCopyInputStream &in,
                            onnx::ModelProto &model) {
  google::protobuf::io::CodedInputStream coded(&in);
  coded.SetTotalBytesLimit(INT_MAX);
  return model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
}

std::optional<std::string> seqc::detail::readModel(llvm::StringRef path,
                                                   onnx::ModelProto &model) {
  if (path == "-") {
    auto buf = llvm::MemoryBuffer::getSTDIN();
    if (!buf)
      return "cannot read standard input: " + buf.getError().message();
    return parseModelBytes((*buf)->getBuffer(), model);
  }
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::string("cannot open: ") + std::strerror(errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::string("not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return std::string("empty file: not an ONNX model");
  }
  if (st.st_size >= INT_MAX) {
    ::close(fd);
    return std::string("model file is 2 GiB or more; keep large weights in "
                       "external data files");
  }
  // Parse straight from the file: the file is never held in memory whole,
  // so the protobuf's own buffers are the only copy of the weights.
  google::protobuf::io::FileInputStream in(fd);
  in.SetCloseOnDelete(true);
  if (!parseFromStream(in, model))
    return std::string("not a valid ONNX model: the protobuf is truncated "
                       "or corrupt");
  return checkIsModel(model);
}

std::optional<std::string>
seqc::detail::parseModelBytes(llvm::StringRef bytes, onnx::ModelProto &model) {
  if (bytes.empty())
    return std::string("empty input: not an ONNX model");
  if (bytes.size() >= INT_MAX)
    return std::string("model is 2 GiB or more");
  google::protobuf::io::ArrayInputStream in(bytes.data(),
                                            static_cast<int>(bytes.size()));
  if (!parseFromStream(in, model))
    return std::string("not a valid ONNX model: the protobuf is truncated "
                       "or corrupt");
  return checkIsModel(model);
}

std::optional<std::string>
seqc::detail::checkIsModel(const onnx::ModelProto &model) {
  // Protobuf accepts many byte strings as some message; an ONNX model has an
  // IR version, a graph and opset imports.
  if (model.ir_version() <= 0 || !model.has_graph() ||
      model.opset_import_size() == 0)
    return std::string("not an ONNX model (no IR version, graph or opset "
                       "import)");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type seqc::detail::elementType(MLIRContext *ctx, int32_t dtype) {
  Builder b(ctx);
  using TP = onnx::TensorProto;
  switch (dtype) {
  case TP::FLOAT:
    return b.getF32Type();
  case TP::DOUBLE:
    return b.getF64Type();
  case TP::FLOAT16:
    return b.getF16Type();
  case TP::BFLOAT16:
    return b.getBF16Type();
  case TP::INT8:
    return b.getIntegerType(8);
  case TP::INT16:
    return b.getIntegerType(16);
  case TP::INT32:
    return b.getIntegerType(32);
  case TP::INT64:
    return b.getIntegerType(64);
  case TP::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case TP::UINT16:
    return b.getIntegerType(16, false);
  case TP::UINT32:
    return b.getIntegerType(32, false);
  case TP::UINT64:
    return b.getIntegerType(64, false);
  case TP::BOOL:
    return b.getI1Type();
  case TP::COMPLEX64:
    return ComplexType::get(b.getF32Type());
  case TP::COMPLEX128:
    return ComplexType::get(b.getF64Type());
  default:
    return {};
  }
}

std::string seqc::detail::dtypeName(int32_t dtype) {
  if (onnx::TensorProto_DataType_IsValid(dtype))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(dtype));
  return "data type " + std::to_string(dtype);
}

/// Bytes per element in ONNX's raw_data layout (0 if unsupported).
static size_t rawElementBytes(int32_t dtype) {
  using TP = onnx::TensorProto;
  switch (dtype) {
  case TP::BOOL:
  case TP::INT8:
  case TP::UINT8:
    return 1;
  case TP::FLOAT16:
  case TP::BFLOAT16:
  case TP::INT16:
  case TP::UINT16:
    return 2;
  case TP::FLOAT:
  case TP::INT32:
  case TP::UINT32:
    return 4;
  case TP::DOUBLE:
  case TP::INT64:
  case TP::UINT64:
  case TP::COMPLEX64:
    return 8;
  case TP::COMPLEX128:
    return 16;
  default:
    return 0;
  }
}

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

/// Reads `length` bytes at `offset` of the external file named in `tensor`,
/// after checking that the file lies inside `baseDir` and holds the bytes.
static std::optional<std::string> readExternal(const onnx::TensorProto &tensor,
                                               llvm::StringRef baseDir,
                                               uint64_t expected,
                                               std::unique_ptr<char[]> &out) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &kv : tensor.external_data()) {
    auto parseU64 = [&](const std::string &s) -> std::optional<uint64_t> {
      if (s.empty() || s.size() > 19 ||
          s.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
      return std::stoull(s);
    };
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      auto v = parseU64(kv.value());
      if (!v)
        return "external data " + kv.key() + " '" + kv.value() +
               "' is not a non-negative integer";
      if (kv.key() == "offset")
        offset = *v;
      else
        length = *v;
    }
  }
  if (location.empty())
    return std::string("external data without a location");
  if (baseDir.empty())
    return "external data '" + location +
           "' needs the model's folder: read the model from a file";
  if (llvm::sys::path::is_absolute(location))
    return "external data path '" + location + "' must be relative";
  llvm::SmallString<256> joined(baseDir);
  llvm::sys::path::append(joined, location);
  llvm::SmallString<256> realBase, realFile;
  if (llvm::sys::fs::real_path(baseDir, realBase))
    return "cannot resolve the model folder '" + baseDir.str() + "'";
  if (llvm::sys::fs::real_path(joined, realFile))
    return "external data file '" + location + "' does not exist";
  llvm::StringRef fileRef = realFile;
  if (!fileRef.starts_with(realBase) ||
      (fileRef.size() > realBase.size() &&
       !llvm::sys::path::is_separator(fileRef[realBase.size()])))
    return "external data path '" + location + "' leaves the model's folder";
  int fd = ::open(realFile.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return "cannot open external data file '" + location +
           "': " + std::strerror(errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return "external data '" + location + "' is not a regular file";
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t want = length ? *length : (offset <= size ? size - offset : 0);
  if (offset > size || want > size - offset) {
    ::close(fd);
    return "external data '" + location + "' is too short: needs " +
           std::to_string(want) + " bytes at offset " + std::to_string(offset) +
           ", file has " + std::to_string(size);
  }
  if (want != expected) {
    ::close(fd);
    return "external data '" + location + "' holds " + std::to_string(want) +
           " bytes but the tensor's dims need " + std::to_string(expected);
  }
  // The size is bounded by the real file, so this allocation is safe.
  out.reset(new char[expected ? expected : 1]);
  uint64_t done = 0;
  while (done < expected) {
    ssize_t n = ::pread(fd, out.get() + done, expected - done,
                        static_cast<off_t>(offset + done));
    if (n <= 0) {
      ::close(fd);
      return "cannot read external data '" + location + "'";
    }
    done += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// Copies `count` values of type T from a repeated field into `raw` as
/// `bytes`-wide little-endian values.
template <typename Src>
static void packInts(const Src &src, size_t bytes, std::vector<char> &raw) {
  raw.resize(src.size() * bytes);
  for (int i = 0; i < src.size(); ++i) {
    uint64_t v = static_cast<uint64_t>(src.Get(i));
    std::memcpy(raw.data() + i * bytes, &v, bytes);
  }
}

/// The dims of `t`, checked (none negative, at most 2^48 elements), and
/// their product.
static LogicalResult tensorShape(const onnx::TensorProto &t,
                                 SmallVectorImpl<int64_t> &shape,
                                 uint64_t &numel, std::string &error) {
  numel = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error = "tensor '" + t.name() + "' has a negative dim";
      return failure();
    }
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel) ||
        numel > (uint64_t(1) << 48)) {
      error = "tensor '" + t.name() + "' has too many elements";
      return failure();
    }
    shape.push_back(d);
  }
  return success();
}

/// Fails with: `t` of `shape` holds `have` `unit`s, not `numel` elements.
static LogicalResult mismatch(const onnx::TensorProto &t,
                              ArrayRef<int64_t> shape, uint64_t numel,
                              uint64_t have, const char *unit,
                              std::string &error) {
  std::string dimsStr;
  {
    llvm::raw_string_ostream os(dimsStr);
    os << "[";
    llvm::interleaveComma(shape, os);
    os << "]";
  }
  error = "tensor '" + t.name() + "' has dims " + dimsStr + " (" +
          std::to_string(numel) + " elements) but holds " +
          std::to_string(have) + " " + unit;
  return failure();
}

/// Packs the typed data fields of `t` (float_data, int64_data, ...) into
/// `packed`, checking their count against `numel`.
static LogicalResult packTypedData(const onnx::TensorProto &t,
                                   ArrayRef<int64_t> shape, uint64_t numel,
                                   size_t elemBytes, std::vector<char> &packed,
                                   std::string &error) {
  using TP = onnx::TensorProto;
  auto wrongCount = [&](uint64_t have, const char *unit) {
    return mismatch(t, shape, numel, have, unit, error);
  };
  switch (t.data_type()) {
  case TP::FLOAT:
  case TP::COMPLEX64: {
    uint64_t want = numel * (t.data_type() == TP::COMPLEX64 ? 2 : 1);
    if (static_cast<uint64_t>(t.float_data_size()) != want)
      return wrongCount(t.float_data_size(), "floats");
    packed.resize(want * 4);
    std::memcpy(packed.data(), t.float_data().data(), packed.size());
    return success();
  }
  case TP::DOUBLE:
  case TP::COMPLEX128: {
    uint64_t want = numel * (t.data_type() == TP::COMPLEX128 ? 2 : 1);
    if (static_cast<uint64_t>(t.double_data_size()) != want)
      return wrongCount(t.double_data_size(), "doubles");
    packed.resize(want * 8);
    std::memcpy(packed.data(), t.double_data().data(), packed.size());
    return success();
  }
  case TP::INT64:
    if (static_cast<uint64_t>(t.int64_data_size()) != numel)
      return wrongCount(t.int64_data_size(), "int64 values");
    packInts(t.int64_data(), 8, packed);
    return success();
  case TP::UINT32:
  case TP::UINT64:
    if (static_cast<uint64_t>(t.uint64_data_size()) != numel)
      return wrongCount(t.uint64_data_size(), "uint64 values");
    packInts(t.uint64_data(), elemBytes, packed);
    return success();
  default: // int32, int16, int8, uint16, uint8, bool, float16, bfloat16
    if (static_cast<uint64_t>(t.int32_data_size()) != numel)
      return wrongCount(t.int32_data_size(), "int32 values");
    packInts(t.int32_data(), elemBytes, packed);
    return success();
  }
}

namespace {
/// The bytes of a tensor in MLIR's raw layout, and what holds them: the
/// protobuf's raw_data taken over, an external file's contents, or the
/// typed fields packed.
struct TensorBytes {
  std::unique_ptr<std::string> raw;
  std::unique_ptr<char[]> external;
  std::vector<char> packed;
  ArrayRef<char> bytes;
};
} // namespace

/// Reads the `nbytes` bytes of `t` (of `numel` elements) into `out`.
static LogicalResult readTensorBytes(onnx::TensorProto &t,
                                     const TensorContext &tc,
                                     ArrayRef<int64_t> shape, uint64_t numel,
                                     size_t elemBytes, TensorBytes &out,
                                     std::string &error) {
  uint64_t nbytes = numel * elemBytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (auto err = readExternal(t, tc.baseDir, nbytes, out.external)) {
      error = "tensor '" + t.name() + "': " + *err;
      return failure();
    }
    out.bytes = ArrayRef<char>(out.external.get(), nbytes);
    return success();
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != nbytes)
      return mismatch(t, shape, numel, t.raw_data().size(), "bytes", error);
    // Take the protobuf's buffer over instead of copying it.
    out.raw = std::make_unique<std::string>(std::move(*t.mutable_raw_data()));
    t.clear_raw_data();
    out.bytes = ArrayRef<char>(out.raw->data(), out.raw->size());
    return success();
  }
  if (failed(packTypedData(t, shape, numel, elemBytes, out.packed, error)))
    return failure();
  out.bytes = ArrayRef<char>(out.packed.data(), out.packed.size());
  return success();
}

/// A dense resource named `name` over `in`'s bytes, which it takes over
/// (or copies, when they were packed here).
static ElementsAttr resourceAttr(RankedTensorType type, llvm::StringRef name,
                                 size_t elemBytes, TensorBytes &in) {
  size_t align = std::min<size_t>(elemBytes, alignof(uint64_t));
  AsmResourceBlob blob;
  if (in.raw) {
    std::string *raw = in.raw.release();
    blob = AsmResourceBlob(
        in.bytes, align, [raw](void *, size_t, size_t) { delete raw; },
        /*dataIsMutable=*/false);
  } else if (in.external) {
    char *ptr = in.external.release();
    blob = AsmResourceBlob(
        in.bytes, align, [ptr](void *, size_t, size_t) { delete[] ptr; },
        false);
  } else {
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(in.bytes, align);
  }
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

FailureOr<ElementsAttr> seqc::detail::convertTensor(MLIRContext *ctx,
                                                    onnx::TensorProto &t,
                                                    const TensorContext &tc,
                                                    std::string &error) {
  Type elem = elementType(ctx, t.data_type());
  size_t elemBytes = rawElementBytes(t.data_type());
  if (!elem || !elemBytes) {
    error =
        "tensor '" + t.name() + "' has unsupported " + dtypeName(t.data_type());
    return failure();
  }
  SmallVector<int64_t> shape;
  uint64_t numel;
  if (failed(tensorShape(t, shape, numel, error)))
    return failure();
  auto type = RankedTensorType::get(shape, elem);
  uint64_t nbytes = numel * elemBytes;
  TensorBytes bytes;
  if (failed(readTensorBytes(t, tc, shape, numel, elemBytes, bytes, error)))
    return failure();

  // Booleans: MLIR packs i1 differently from ONNX's one byte per value.
  if (t.data_type() == onnx::TensorProto::BOOL) {
    SmallVector<bool> values;
    values.reserve(numel);
    for (char c : bytes.bytes)
      values.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, ArrayRef<bool>(values)));
  }
  if (nbytes >= tc.resourceThreshold && nbytes > 0)
    return resourceAttr(type, t.name().empty() ? "tensor" : t.name(), elemBytes,
                        bytes);
  bool detectedSplat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, bytes.bytes, detectedSplat)) {
    error = "tensor '" + t.name() + "' has an invalid buffer";
    return failure();
  }
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, bytes.bytes));
}
