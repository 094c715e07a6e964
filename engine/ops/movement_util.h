// Helpers shared by the data-movement op schemas (movement family): dtype checks, integer
// values of shape-like inputs, axis normalization.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "engine/op_schema.h"

namespace fs::movement {

inline std::string dtype_list(const std::vector<DType>& ok) {
  std::string s;
  for (DType d : ok) s += (s.empty() ? "" : ", ") + std::string(dtype_name(d));
  return s;
}

// Fails naming the node when input i's dtype is not one of `ok`.
inline void check_dtype(const InferContext& ctx, size_t i, const std::vector<DType>& ok, const std::string& what) {
  DType d = ctx.dtype(i);
  if (std::find(ok.begin(), ok.end(), d) == ok.end())
    ctx.fail("input '" + what + "' has dtype " + std::string(dtype_name(d)) + ", expected one of: " + dtype_list(ok));
}

// Fails unless input i is 1-D (or, with allow_scalar, 0-D).
inline void check_1d(const InferContext& ctx, size_t i, const std::string& what, bool allow_scalar = false) {
  int64_t r = ctx.rank(i);
  if (r == 1 || (allow_scalar && r == 0)) return;
  ctx.fail("input '" + what + "' must be a 1-D tensor, got shape " + shape_str(ctx.shape(i)));
}

// Fails unless input i holds a single element (a scalar or a 1-element tensor).
inline void check_single(const InferContext& ctx, size_t i, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : ctx.shape(i)) n *= d;
  if (n != 1) ctx.fail("input '" + what + "' must hold a single value, got shape " + shape_str(ctx.shape(i)));
}

// The values of integer input i (defers to run time when unknown).
inline std::vector<int64_t> int_values(const InferContext& ctx, size_t i) { return ctx.value(i).to_i64_vector(); }

// Normalizes axes against rank r (negative allowed), failing on out-of-range or repeated axes.
inline std::vector<int64_t> norm_axes(const InferContext& ctx, const std::vector<int64_t>& axes, int64_t r,
                                      const std::string& what) {
  std::vector<int64_t> out;
  for (int64_t a : axes) {
    if (a < -r || a >= r)
      ctx.fail(what + ": axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
    int64_t n = a < 0 ? a + r : a;
    if (std::find(out.begin(), out.end(), n) != out.end())
      ctx.fail(what + ": axis " + std::to_string(a) + " is repeated in " + shape_str(axes));
    out.push_back(n);
  }
  return out;
}

inline int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// FLOPs of a pure data movement: none.
inline int64_t no_flops(const Node&, const std::vector<TensorType>&, const std::vector<TensorType>&) { return 0; }

inline const std::vector<DType>& index_dtypes() {
  static const std::vector<DType> v{DType::I32, DType::I64};
  return v;
}

}  // namespace fs::movement
