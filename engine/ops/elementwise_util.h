// Helpers shared by the elementwise-family op schemas (unary math, activations, binary ops, casts,
// constants): dtype sets as ONNX constrains them and dtype checks that name the node.
#pragma once
#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/op_schema.h"

namespace fs::elementwise_schema {

constexpr int kVariadic = std::numeric_limits<int>::max();

inline std::vector<DType> float_types() { return {DType::F32, DType::F64, DType::F16, DType::BF16}; }
inline std::vector<DType> signed_int_types() { return {DType::I8, DType::I16, DType::I32, DType::I64}; }
inline std::vector<DType> unsigned_int_types() { return {DType::U8, DType::U16, DType::U32, DType::U64}; }
inline std::vector<DType> join(std::vector<DType> a, const std::vector<DType>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
// Floats and signed integers (Neg, LeakyRelu-style ops on ints).
inline std::vector<DType> signed_types() { return join(float_types(), signed_int_types()); }
// Every dtype but bool.
inline std::vector<DType> numeric_types() { return join(signed_types(), unsigned_int_types()); }
inline std::vector<DType> all_types() { return join(numeric_types(), {DType::Bool}); }
inline std::vector<DType> bool_type() { return {DType::Bool}; }

inline std::string dtype_list(const std::vector<DType>& v) {
  std::string r;
  for (DType t : v) r += (r.empty() ? "" : ", ") + std::string(dtype_name(t));
  return r;
}

// Fails unless input i (which must be present) has one of the allowed dtypes.
inline void require_dtype(const InferContext& ctx, size_t i, const std::vector<DType>& allowed) {
  DType t = ctx.dtype(i);
  if (std::find(allowed.begin(), allowed.end(), t) == allowed.end())
    ctx.fail("input " + std::to_string(i) + " has dtype " + std::string(dtype_name(t)) + "; expected one of " +
             dtype_list(allowed));
}

// Fails unless input j has the same dtype as input i.
inline void require_same_dtype(const InferContext& ctx, size_t i, size_t j) {
  if (ctx.dtype(i) != ctx.dtype(j))
    ctx.fail("input " + std::to_string(j) + " has dtype " + std::string(dtype_name(ctx.dtype(j))) + " but input " +
             std::to_string(i) + " has dtype " + std::string(dtype_name(ctx.dtype(i))) + "; they must match");
}

// Reads an int attribute that must be 0 or 1.
inline bool bool_attr(const InferContext& ctx, const std::string& name, int64_t def) {
  int64_t v = ctx.node().attr_int(name, def);
  if (v != 0 && v != 1) ctx.fail_attr(name, "expected 0 or 1, got " + std::to_string(v));
  return v == 1;
}

inline int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

}  // namespace fs::elementwise_schema

namespace fs::elementwise_schema {

// The tensor a Constant node produces, from whichever value attribute it has (exactly one).
inline Tensor constant_attr_value(const Node& n) {
  static const char* const kAll[] = {"value",      "value_float",  "value_floats",  "value_int",
                                     "value_ints", "value_string", "value_strings", "sparse_value"};
  std::string found;
  for (const char* a : kAll) {
    if (!n.has_attr(a)) continue;
    if (!found.empty()) n.fail_attr(a, "only one value attribute may be given, but '" + found + "' is also set");
    found = a;
  }
  if (found.empty()) n.fail_node("needs one of the attributes value, value_float, value_floats, value_int, value_ints");
  if (found == "value_string" || found == "value_strings" || found == "sparse_value")
    fail(ErrorKind::Unsupported,
         n.label() + ": attribute '" + found + "': string and sparse constants are not supported");
  if (found == "value") {
    const Tensor* t = n.attr_tensor("value");
    if (!t->defined()) n.fail_attr("value", "the tensor has an unsupported element type");
    return *t;
  }
  if (found == "value_float") {
    Tensor t(DType::F32, {});
    t.set_f64(0, n.attr_float(found, 0.0f));
    return t;
  }
  if (found == "value_int") {
    Tensor t(DType::I64, {});
    t.set_i64(0, n.attr_int(found));
    return t;
  }
  if (found == "value_floats")
    return Tensor::from_vector(DType::F32, {int64_t(n.attr_floats(found).size())}, n.attr_floats(found));
  return Tensor::from_vector(DType::I64, {int64_t(n.attr_ints(found).size())}, n.attr_ints(found));
}

// ConstantOfShape's fill value: the one-element 'value' tensor, or float32 0.
inline Tensor constant_of_shape_value(const Node& n) {
  const Tensor* v = n.attr_tensor("value");
  if (!v) return Tensor(DType::F32, {1});
  if (!v->defined()) n.fail_attr("value", "the tensor has an unsupported element type");
  if (v->numel() != 1)
    n.fail_attr("value", "expected a one-element tensor, got " + std::to_string(v->numel()) + " elements");
  return *v;
}

// Shape's [start, end) range of dimensions (opset 15 attributes, clamped to [0, rank]).
inline std::pair<int64_t, int64_t> shape_range(const Node& n, int64_t rank) {
  auto clamp = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clamp(n.attr_int("start", 0)), end = clamp(n.attr_int("end", rank));
  return {start, std::max(start, end)};
}

}  // namespace fs::elementwise_schema
