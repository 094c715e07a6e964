// Element types: one table (name, size, ONNX code, class) from which everything else is derived.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fs {

enum class DType : uint8_t {
  Undefined,
  F32,
  F16,
  BF16,
  F64,
  I8,
  U8,
  I16,
  U16,
  I32,
  U32,
  I64,
  U64,
  Bool,
};

struct DTypeInfo {
  DType dtype;
  std::string_view name;  // "float32", ...
  size_t size;            // bytes per element
  int onnx_code;          // TensorProto::DataType
  bool is_float;
  bool is_signed;
};

const DTypeInfo& dtype_info(DType t);
inline std::string_view dtype_name(DType t) { return dtype_info(t).name; }
inline size_t dtype_size(DType t) { return dtype_info(t).size; }
inline bool is_float(DType t) { return dtype_info(t).is_float; }
inline bool is_integer(DType t) { return !is_float(t) && t != DType::Bool && t != DType::Undefined; }
// Undefined when the ONNX code names a type flipscope does not support (string, complex, ...).
DType dtype_from_onnx(int onnx_code);
// Parses "float32", "fp32", "float", ...; Undefined when unknown.
DType dtype_from_name(std::string_view name);

}  // namespace fs
