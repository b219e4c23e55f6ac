//===- NpyIO.cpp - Tensors, .npy files and ONNX test data -------*- C++ -*-===//
//
// The .npy format (version 1.0/2.0, little-endian, C order) for float32,
// float64, float16, int8/16/32/64, uint8/16/32/64 and bool, and ONNX
// TensorProto files of the backend test data. numpy has no bfloat16: a
// bfloat16 tensor is written to .npy as float32 (exact), and a float32 .npy
// given for a bfloat16 input is rounded to nearest even (toBFloat16). Sizes
// read from files are checked against the bytes actually present before
// anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "NpyIO.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace llvm;
using namespace seqc::run;

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void Tensor::allocate() {
  size_t b = bytes();
  data = std::shared_ptr<char>(static_cast<char *>(std::calloc(b ? b : 1, 1)),
                               std::free);
}

bool seqc::run::isFloat(seqc_dtype d) {
  return d == SEQC_DTYPE_FLOAT32 || d == SEQC_DTYPE_FLOAT64 ||
         d == SEQC_DTYPE_FLOAT16 || d == SEQC_DTYPE_BFLOAT16;
}

static float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

static uint16_t floatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f))
    return static_cast<uint16_t>((bits >> 16) | 0x40); // stays a (quiet) NaN
  bits += 0x7fff + ((bits >> 16) & 1);                 // round half to even
  return static_cast<uint16_t>(bits >> 16);
}

Tensor seqc::run::toBFloat16(const Tensor &t) {
  Tensor out;
  out.dtype = SEQC_DTYPE_BFLOAT16;
  out.shape = t.shape;
  out.allocate();
  for (int64_t i = 0, n = t.numel(); i < n; ++i)
    out.setDouble(i, t.getDouble(i));
  return out;
}

static float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float f;
  if (exp == 0)
    f = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    f = mant ? NAN : INFINITY;
  else
    f = std::ldexp(static_cast<float>(mant | 0x400),
                   static_cast<int>(exp) - 25);
  return sign ? -f : f;
}

double Tensor::getDouble(int64_t i) const {
  const char *p = data.get();
  switch (dtype) {
  case SEQC_DTYPE_FLOAT32:
    return reinterpret_cast<const float *>(p)[i];
  case SEQC_DTYPE_FLOAT64:
    return reinterpret_cast<const double *>(p)[i];
  case SEQC_DTYPE_FLOAT16:
    return halfToFloat(reinterpret_cast<const uint16_t *>(p)[i]);
  case SEQC_DTYPE_BFLOAT16:
    return bf16ToFloat(reinterpret_cast<const uint16_t *>(p)[i]);
  case SEQC_DTYPE_UINT16:
    return reinterpret_cast<const uint16_t *>(p)[i];
  case SEQC_DTYPE_UINT32:
    return reinterpret_cast<const uint32_t *>(p)[i];
  case SEQC_DTYPE_UINT64:
    return static_cast<double>(reinterpret_cast<const uint64_t *>(p)[i]);
  case SEQC_DTYPE_INT8:
    return reinterpret_cast<const int8_t *>(p)[i];
  case SEQC_DTYPE_INT16:
    return reinterpret_cast<const int16_t *>(p)[i];
  case SEQC_DTYPE_INT32:
    return reinterpret_cast<const int32_t *>(p)[i];
  case SEQC_DTYPE_INT64:
    return static_cast<double>(reinterpret_cast<const int64_t *>(p)[i]);
  case SEQC_DTYPE_UINT8:
  case SEQC_DTYPE_BOOL:
    return reinterpret_cast<const uint8_t *>(p)[i];
  default:
    return 0;
  }
}

void Tensor::setDouble(int64_t i, double v) {
  char *p = data.get();
  switch (dtype) {
  case SEQC_DTYPE_FLOAT32:
    reinterpret_cast<float *>(p)[i] = static_cast<float>(v);
    break;
  case SEQC_DTYPE_FLOAT64:
    reinterpret_cast<double *>(p)[i] = v;
    break;
  case SEQC_DTYPE_BFLOAT16:
    reinterpret_cast<uint16_t *>(p)[i] = floatToBf16(static_cast<float>(v));
    break;
  case SEQC_DTYPE_UINT16:
    reinterpret_cast<uint16_t *>(p)[i] = static_cast<uint16_t>(v);
    break;
  case SEQC_DTYPE_UINT32:
    reinterpret_cast<uint32_t *>(p)[i] = static_cast<uint32_t>(v);
    break;
  case SEQC_DTYPE_UINT64:
    reinterpret_cast<uint64_t *>(p)[i] = static_cast<uint64_t>(v);
    break;
  case SEQC_DTYPE_INT8:
    reinterpret_cast<int8_t *>(p)[i] = static_cast<int8_t>(v);
    break;
  case SEQC_DTYPE_INT16:
    reinterpret_cast<int16_t *>(p)[i] = static_cast<int16_t>(v);
    break;
  case SEQC_DTYPE_INT32:
    reinterpret_cast<int32_t *>(p)[i] = static_cast<int32_t>(v);
    break;
  case SEQC_DTYPE_INT64:
    reinterpret_cast<int64_t *>(p)[i] = static_cast<int64_t>(v);
    break;
  case SEQC_DTYPE_UINT8:
  case SEQC_DTYPE_BOOL:
    reinterpret_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(v);
    break;
  default:
    break;
  }
}

seqc_tensor Tensor::view() const {
  seqc_tensor t;
  std::memset(&t, 0, sizeof(t));
  t.data = data.get();
  t.dtype = dtype;
  t.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size() && i < SEQC_MAX_RANK; ++i)
    t.shape[i] = shape[i];
  return t;
}

Tensor Tensor::adopt(seqc_tensor &t) {
  Tensor out;
  out.dtype = t.dtype;
  out.shape.assign(t.shape, t.shape + t.rank);
  out.data = std::shared_ptr<char>(static_cast<char *>(t.data), std::free);
  t.data = nullptr;
  return out;
}

seqc_dtype seqc::run::dtypeFromName(StringRef name) {
  for (int d = SEQC_DTYPE_FLOAT32; d <= SEQC_DTYPE_BFLOAT16; ++d)
    if (name == seqc_dtype_name(static_cast<seqc_dtype>(d)))
      return static_cast<seqc_dtype>(d);
  return SEQC_DTYPE_INVALID;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

static const struct {
  const char *descr;
  seqc_dtype dtype;
} kDescrs[] = {{"<f4", SEQC_DTYPE_FLOAT32}, {"<f8", SEQC_DTYPE_FLOAT64},
               {"<f2", SEQC_DTYPE_FLOAT16}, {"|i1", SEQC_DTYPE_INT8},
               {"<i2", SEQC_DTYPE_INT16},   {"<i4", SEQC_DTYPE_INT32},
               {"<i8", SEQC_DTYPE_INT64},   {"|u1", SEQC_DTYPE_UINT8},
               {"<u2", SEQC_DTYPE_UINT16},  {"<u4", SEQC_DTYPE_UINT32},
               {"<u8", SEQC_DTYPE_UINT64},  {"|b1", SEQC_DTYPE_BOOL}};

Expected<Tensor> seqc::run::readNpy(StringRef path) {
  auto buf = MemoryBuffer::getFile(path);
  if (!buf)
    return createStringError(buf.getError(), "cannot read %s",
                             path.str().c_str());
  StringRef bytes = (*buf)->getBuffer();
  auto bad = [&](const Twine &why) {
    return createStringError(inconvertibleErrorCode(), "%s: %s",
                             path.str().c_str(), why.str().c_str());
  };
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return bad("not a .npy file");
  uint8_t major = bytes[6];
  size_t headerLen, start;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    start = 10;
  } else {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = uint32_t(uint8_t(bytes[8])) |
                (uint32_t(uint8_t(bytes[9])) << 8) |
                (uint32_t(uint8_t(bytes[10])) << 16) |
                (uint32_t(uint8_t(bytes[11])) << 24);
    start = 12;
  }
  if (start + headerLen > bytes.size())
    return bad("truncated header");
  StringRef header = bytes.substr(start, headerLen);
  Tensor t;
  size_t d = header.find("'descr'");
  if (d == StringRef::npos)
    return bad("no descr");
  StringRef rest = header.substr(d + 7).ltrim(" :").ltrim();
  StringRef descr = rest.substr(1, rest.find('\'', 1) - 1);
  for (const auto &k : kDescrs)
    if (descr == k.descr ||
        (descr.size() == 3 && descr.substr(1) == StringRef(k.descr).substr(1) &&
         descr[0] == '='))
      t.dtype = k.dtype;
  if (!t.dtype)
    return bad("unsupported dtype '" + descr +
               "' (float16/32/64, "
               "int8/16/32/64, uint8/16/32/64, bool)");
  if (header.contains("'fortran_order': True"))
    return bad("Fortran-order arrays are not supported");
  size_t s = header.find("'shape'");
  if (s == StringRef::npos)
    return bad("no shape");
  StringRef shape = header.substr(s);
  shape = shape.substr(shape.find('(') + 1);
  shape = shape.substr(0, shape.find(')'));
  SmallVector<StringRef> parts;
  shape.split(parts, ',', -1, false);
  uint64_t numel = 1;
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t v;
    if (p.getAsInteger(10, v) || v < 0)
      return bad("bad shape");
    t.shape.push_back(v);
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(v), &numel))
      return bad("too many elements");
  }
  uint64_t want = numel * seqc_dtype_size(t.dtype);
  if (bytes.size() - start - headerLen != want)
    return bad("holds " + Twine(bytes.size() - start - headerLen) +
               " data bytes, shape needs " + Twine(want));
  t.allocate();
  std::memcpy(t.data.get(), bytes.data() + start + headerLen, want);
  return t;
}

Error seqc::run::writeNpy(const Tensor &tensor, StringRef path) {
  Tensor widened;
  if (tensor.dtype == SEQC_DTYPE_BFLOAT16) {
    widened.dtype = SEQC_DTYPE_FLOAT32;
    widened.shape = tensor.shape;
    widened.allocate();
    for (int64_t i = 0, n = tensor.numel(); i < n; ++i)
      widened.setDouble(i, tensor.getDouble(i));
  }
  const Tensor &t = widened.data ? widened : tensor;
  const char *descr = nullptr;
  for (const auto &k : kDescrs)
    if (k.dtype == t.dtype)
      descr = k.descr;
  if (!descr)
    return createStringError(inconvertibleErrorCode(), "unsupported dtype");
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape.size(); ++i)
    header +=
        std::to_string(t.shape[i]) +
        (t.shape.size() == 1 ? "," : (i + 1 < t.shape.size() ? ", " : ""));
  header += "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return createStringError(ec, "cannot write %s", path.str().c_str());
  os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
     << char((header.size() >> 8) & 0xff) << header;
  os.write(t.data.get(), t.bytes());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

CompareResult seqc::run::compareTensors(const Tensor &got, const Tensor &want,
                                        double rtol, double atol) {
  CompareResult r;
  if (got.shape != want.shape) {
    r.ok = false;
    std::string s;
    raw_string_ostream os(s);
    os << " (shape [";
    interleaveComma(got.shape, os);
    os << "] but expected [";
    interleaveComma(want.shape, os);
    os << "])";
    r.note = s;
    return r;
  }
  r.count = got.numel();
  // 64-bit integers compare exactly (a double holds only 53 bits).
  bool exact64 = got.dtype == want.dtype && (got.dtype == SEQC_DTYPE_INT64 ||
                                             got.dtype == SEQC_DTYPE_UINT64);
  for (int64_t i = 0; i < r.count; ++i) {
    double g = got.getDouble(i), w = want.getDouble(i);
    if (exact64) {
      uint64_t gi = reinterpret_cast<const uint64_t *>(got.data.get())[i];
      uint64_t wi = reinterpret_cast<const uint64_t *>(want.data.get())[i];
      if (gi != wi) {
        ++r.mismatches;
        r.maxAbs = std::max(r.maxAbs, std::max(std::fabs(g - w), 1.0));
      }
      continue;
    }
    if (std::isnan(g) && std::isnan(w))
      continue;
    double diff = std::fabs(g - w);
    if (std::isnan(diff) || std::isinf(diff)) {
      if (g != w)
        ++r.mismatches, r.maxAbs = INFINITY;
      continue;
    }
    r.maxAbs = std::max(r.maxAbs, diff);
    if (diff > atol + rtol * std::fabs(w))
      ++r.mismatches;
  }
  r.ok = r.mismatches == 0;
  return r;
}

//===----------------------------------------------------------------------===//
// ONNX test data
//===----------------------------------------------------------------------===//

static Expected<Tensor> readTensorProto(StringRef path) {
  auto buf = MemoryBuffer::getFile(path);
  if (!buf)
    return createStringError(buf.getError(), "cannot read %s",
                             path.str().c_str());
  onnx::TensorProto p;
  if (!p.ParseFromArray((*buf)->getBufferStart(),
                        static_cast<int>((*buf)->getBufferSize())))
    return createStringError(inconvertibleErrorCode(), "%s: not a TensorProto",
                             path.str().c_str());
  Tensor t;
  using TP = onnx::TensorProto;
  switch (p.data_type()) {
  case TP::FLOAT:
    t.dtype = SEQC_DTYPE_FLOAT32;
    break;
  case TP::DOUBLE:
    t.dtype = SEQC_DTYPE_FLOAT64;
    break;
  case TP::FLOAT16:
    t.dtype = SEQC_DTYPE_FLOAT16;
    break;
  case TP::INT8:
    t.dtype = SEQC_DTYPE_INT8;
    break;
  case TP::INT16:
    t.dtype = SEQC_DTYPE_INT16;
    break;
  case TP::INT32:
    t.dtype = SEQC_DTYPE_INT32;
    break;
  case TP::INT64:
    t.dtype = SEQC_DTYPE_INT64;
    break;
  case TP::UINT8:
    t.dtype = SEQC_DTYPE_UINT8;
    break;
  case TP::UINT16:
    t.dtype = SEQC_DTYPE_UINT16;
    break;
  case TP::UINT32:
    t.dtype = SEQC_DTYPE_UINT32;
    break;
  case TP::UINT64:
    t.dtype = SEQC_DTYPE_UINT64;
    break;
  case TP::BFLOAT16:
    t.dtype = SEQC_DTYPE_BFLOAT16;
    break;
  case TP::BOOL:
    t.dtype = SEQC_DTYPE_BOOL;
    break;
  default:
    return createStringError(inconvertibleErrorCode(),
                             "%s: unsupported data type %d", path.str().c_str(),
                             p.data_type());
  }
  uint64_t numel = 1;
  for (int64_t d : p.dims()) {
    if (d < 0 ||
        __builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel))
      return createStringError(inconvertibleErrorCode(), "%s: bad dims",
                               path.str().c_str());
    t.shape.push_back(d);
  }
  size_t elem = seqc_dtype_size(t.dtype);
  if (p.has_raw_data()) {
    if (p.raw_data().size() != numel * elem)
      return createStringError(inconvertibleErrorCode(),
                               "%s: data size does not match dims",
                               path.str().c_str());
    t.allocate();
    std::memcpy(t.data.get(), p.raw_data().data(), numel * elem);
    return t;
  }
  auto count = [&]() -> int64_t {
    switch (p.data_type()) {
    case TP::FLOAT:
      return p.float_data_size();
    case TP::DOUBLE:
      return p.double_data_size();
    case TP::INT64:
      return p.int64_data_size();
    case TP::UINT32:
    case TP::UINT64:
      return p.uint64_data_size();
    default:
      return p.int32_data_size();
    }
  }();
  if (static_cast<uint64_t>(count) != numel)
    return createStringError(inconvertibleErrorCode(),
                             "%s: value count does not match dims",
                             path.str().c_str());
  t.allocate();
  for (int64_t i = 0; i < count; ++i) {
    switch (p.data_type()) {
    case TP::FLOAT:
      t.setDouble(i, p.float_data(i));
      break;
    case TP::DOUBLE:
      t.setDouble(i, p.double_data(i));
      break;
    case TP::INT64:
      reinterpret_cast<int64_t *>(t.data.get())[i] = p.int64_data(i);
      break;
    case TP::UINT64:
      reinterpret_cast<uint64_t *>(t.data.get())[i] = p.uint64_data(i);
      break;
    case TP::UINT32:
      reinterpret_cast<uint32_t *>(t.data.get())[i] =
          static_cast<uint32_t>(p.uint64_data(i));
      break;
    case TP::FLOAT16:
    case TP::BFLOAT16: // int32_data holds the bits
      reinterpret_cast<uint16_t *>(t.data.get())[i] =
          static_cast<uint16_t>(p.int32_data(i));
      break;
    default:
      t.setDouble(i, p.int32_data(i));
      break;
    }
  }
  return t;
}

Expected<TestData>
seqc::run::loadExpectedNamed(StringRef dir, const std::vector<std::string> &ins,
                             const std::vector<std::string> &outs) {
  TestData data;
  SmallString<256> set(dir);
  sys::path::append(set, "test_data_set_0");
  if (sys::fs::is_directory(set)) {
    for (size_t i = 0; i < ins.size(); ++i) {
      SmallString<256> p(set);
      sys::path::append(p, "input_" + std::to_string(i) + ".pb");
      auto t = readTensorProto(p);
      if (!t)
        return t.takeError();
      data.inputs.push_back(std::move(*t));
    }
    for (size_t i = 0; i < outs.size(); ++i) {
      SmallString<256> p(set);
      sys::path::append(p, "output_" + std::to_string(i) + ".pb");
      auto t = readTensorProto(p);
      if (!t)
        return t.takeError();
      data.outputs.push_back(std::move(*t));
    }
    return data;
  }
  // A folder of NAME.npy expected outputs (inputs come from --input).
  for (const std::string &name : outs) {
    SmallString<256> p(dir);
    sys::path::append(p, name + ".npy");
    auto t = readNpy(p);
    if (!t)
      return t.takeError();
    data.outputs.push_back(std::move(*t));
  }
  return data;
}
