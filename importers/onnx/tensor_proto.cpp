#include "importers/onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/limits.h"

namespace fs {
namespace {

template <typename Src>
void copy_typed(const Src& field, Tensor& t, const std::string& what, const char* field_name) {
  if (static_cast<int64_t>(field.size()) != t.numel())
    fail(what + ": " + field_name + " has " + std::to_string(field.size()) + " values, expected " +
         std::to_string(t.numel()) + " for " + std::string(dtype_name(t.dtype())) + " " + shape_str(t.shape()));
  for (int64_t i = 0; i < t.numel(); ++i) {
    auto v = field.Get(static_cast<int>(i));
    switch (t.dtype()) {
      case DType::F16:
      case DType::BF16:
        t.data<uint16_t>()[i] = static_cast<uint16_t>(v);
        break;  // stored as bit patterns
      case DType::F32:
        t.data<float>()[i] = static_cast<float>(v);
        break;
      case DType::F64:
        t.data<double>()[i] = static_cast<double>(v);
        break;
      case DType::U64:
        t.data<uint64_t>()[i] = static_cast<uint64_t>(v);
        break;
      default:
        t.set_i64(i, static_cast<int64_t>(v));
    }
  }
}

std::string read_external(const onnx::TensorProto& p, const std::string& what, const std::string& model_dir,
                          size_t expected) {
  namespace stdfs = std::filesystem;
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoll(kv.value());
      else if (kv.key() == "length")
        length = std::stoll(kv.value());
    } catch (const std::exception&) {
      fail(what + ": external data key '" + kv.key() + "' has a non-numeric value '" + kv.value() + "'");
    }
  }
  if (location.empty()) fail(what + ": external data without a 'location'");
  if (model_dir.empty()) fail(what + ": external data is not allowed here");
  stdfs::path rel(location);
  if (rel.is_absolute()) fail(what + ": external data location '" + location + "' is an absolute path (refused)");
  std::error_code ec;
  stdfs::path base = stdfs::weakly_canonical(stdfs::path(model_dir), ec);
  stdfs::path full = stdfs::weakly_canonical(base / rel, ec);
  auto [b, f] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (ec || b != base.end())
    fail(what + ": external data location '" + location + "' escapes the model's folder (refused)");
  if (offset < 0 || (length >= 0 && static_cast<size_t>(length) != expected))
    fail(what + ": external data length " + std::to_string(length) + " does not match the " + std::to_string(expected) +
         " bytes its shape needs");
  std::ifstream in(full, std::ios::binary);
  if (!in) fail(what + ": cannot open external data file '" + full.string() + "'");
  in.seekg(0, std::ios::end);
  auto size = static_cast<int64_t>(in.tellg());
  if (offset + static_cast<int64_t>(expected) > size)
    fail(what + ": external data file '" + location + "' has " + std::to_string(size) + " bytes, need " +
         std::to_string(offset + static_cast<int64_t>(expected)));
  std::string buf(expected, '\0');
  in.seekg(offset);
  in.read(buf.data(), static_cast<std::streamsize>(expected));
  return buf;
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& p, const std::string& what, const std::string& model_dir) {
  DType dt = dtype_from_onnx(p.data_type());
  if (dt == DType::Undefined) {
    std::string tn = onnx::TensorProto_DataType_IsValid(p.data_type())
                         ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(p.data_type()))
                         : std::to_string(p.data_type());
    fail(ErrorKind::Unsupported, what + ": data type " + tn + " is not supported");
  }
  Shape shape(p.dims().begin(), p.dims().end());
  for (int64_t d : shape)
    if (d < 0) fail(what + ": negative dimension " + std::to_string(d) + " in " + shape_str(shape));
  int64_t n = checked_numel(shape, what);
  size_t bytes = static_cast<size_t>(checked_mul(n, static_cast<int64_t>(dtype_size(dt)), what));
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string buf = read_external(p, what, model_dir, bytes);
    Tensor t(dt, shape);
    std::memcpy(t.raw(), buf.data(), bytes);
    return t;
  }
  if (p.has_raw_data()) {
    if (p.raw_data().size() != bytes)
      fail(what + ": raw_data has " + std::to_string(p.raw_data().size()) + " bytes, expected " +
           std::to_string(bytes) + " for " + std::string(dtype_name(dt)) + " " + shape_str(shape));
    Tensor t(dt, shape);
    if (bytes) std::memcpy(t.raw(), p.raw_data().data(), bytes);
    return t;
  }
  // Typed fields: which one depends on the dtype (see onnx.proto).
  int64_t have = 0;
  switch (dt) {
    case DType::F32:
      have = p.float_data_size();
      break;
    case DType::F64:
      have = p.double_data_size();
      break;
    case DType::I64:
      have = p.int64_data_size();
      break;
    case DType::U32:
    case DType::U64:
      have = p.uint64_data_size();
      break;
    default:
      have = p.int32_data_size();
  }
  if (have == 0 && n != 0) fail(what + ": has no data (expected " + std::to_string(n) + " values)");
  Tensor t(dt, shape);
  switch (dt) {
    case DType::F32:
      copy_typed(p.float_data(), t, what, "float_data");
      break;
    case DType::F64:
      copy_typed(p.double_data(), t, what, "double_data");
      break;
    case DType::I64:
      copy_typed(p.int64_data(), t, what, "int64_data");
      break;
    case DType::U32:
    case DType::U64:
      copy_typed(p.uint64_data(), t, what, "uint64_data");
      break;
    default:
      copy_typed(p.int32_data(), t, what, "int32_data");
  }
  return t;
}

void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* p) {
  p->set_name(name);
  p->set_data_type(dtype_info(t.dtype()).onnx_code);
  for (int64_t d : t.shape()) p->add_dims(d);
  p->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
}

Tensor load_tensor_pb(const std::string& path, std::string* name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::InvalidInput, path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  onnx::TensorProto p;
  if (!p.ParseFromString(ss.str())) fail(ErrorKind::InvalidInput, path + ": not a valid TensorProto file");
  if (name) *name = p.name();
  try {
    return tensor_from_proto(p, "tensor '" + p.name() + "'", "");
  } catch (const Error& e) {
    throw e.with_prefix(path);
  }
}

void save_tensor_pb(const Tensor& t, const std::string& name, const std::string& path) {
  onnx::TensorProto p;
  tensor_to_proto(t, name, &p);
  std::ofstream out(path, std::ios::binary);
  if (!out || !p.SerializeToOstream(&out)) fail(ErrorKind::InvalidInput, path + ": cannot write");
}

}  // namespace fs
