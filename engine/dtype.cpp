#include "engine/dtype.h"

#include <array>

namespace fs {
namespace {
// ONNX TensorProto codes: FLOAT=1 UINT8=2 INT8=3 UINT16=4 INT16=5 INT32=6 INT64=7 STRING=8 BOOL=9
// FLOAT16=10 DOUBLE=11 UINT32=12 UINT64=13 BFLOAT16=16.
constexpr std::array<DTypeInfo, 14> kTable = {{
    {DType::Undefined, "undefined", 0, 0, false, false},
    {DType::F32, "float32", 4, 1, true, true},
    {DType::F16, "float16", 2, 10, true, true},
    {DType::BF16, "bfloat16", 2, 16, true, true},
    {DType::F64, "float64", 8, 11, true, true},
    {DType::I8, "int8", 1, 3, false, true},
    {DType::U8, "uint8", 1, 2, false, false},
    {DType::I16, "int16", 2, 5, false, true},
    {DType::U16, "uint16", 2, 4, false, false},
    {DType::I32, "int32", 4, 6, false, true},
    {DType::U32, "uint32", 4, 12, false, false},
    {DType::I64, "int64", 8, 7, false, true},
    {DType::U64, "uint64", 8, 13, false, false},
    {DType::Bool, "bool", 1, 9, false, false},
}};
}  // namespace

const DTypeInfo& dtype_info(DType t) { return kTable[static_cast<size_t>(t)]; }

DType dtype_from_onnx(int code) {
  for (const auto& e : kTable)
    if (e.onnx_code == code && e.dtype != DType::Undefined) return e.dtype;
  return DType::Undefined;
}

DType dtype_from_name(std::string_view name) {
  for (const auto& e : kTable)
    if (e.name == name) return e.dtype;
  if (name == "fp32" || name == "float") return DType::F32;
  if (name == "fp16" || name == "half") return DType::F16;
  if (name == "bf16") return DType::BF16;
  if (name == "fp64" || name == "double") return DType::F64;
  return DType::Undefined;
}

}  // namespace fs
