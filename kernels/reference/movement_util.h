// Helpers shared by the reference data-movement kernels (movement family): exact element copies,
// row-major multi-index math and the scatter reductions.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"

namespace fs::movement_ref {

// Copies element si of src into element di of dst (same dtype) byte for byte, so int64 values and
// NaN payloads survive exactly.
inline void copy_elem(Tensor& dst, int64_t di, const Tensor& src, int64_t si) {
  size_t es = dtype_size(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw()) + di * es, static_cast<const char*>(src.raw()) + si * es, es);
}

// Copies n consecutive elements.
inline void copy_elems(Tensor& dst, int64_t di, const Tensor& src, int64_t si, int64_t n) {
  if (n <= 0) return;
  size_t es = dtype_size(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw()) + di * es, static_cast<const char*>(src.raw()) + si * es, n * es);
}

// Advances the row-major multi-index idx within shape; false once it wraps past the last element.
inline bool next_index(std::vector<int64_t>& idx, const Shape& shape) {
  for (size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < shape[d]) return true;
    idx[d] = 0;
  }
  return false;
}

// Flat offset of a multi-index given strides.
inline int64_t offset_of(const std::vector<int64_t>& idx, const std::vector<int64_t>& strides) {
  int64_t o = 0;
  for (size_t d = 0; d < idx.size(); ++d) o += idx[d] * strides[d];
  return o;
}

// An index read from an int32/int64 tensor, made non-negative against dim; throws naming the node
// when it is out of range.
inline int64_t checked_index(const Node& node, int64_t i, int64_t dim, const std::string& what) {
  if (i < -dim || i >= dim)
    node.fail_node(what + " index " + std::to_string(i) + " is out of range for a dimension of size " +
                   std::to_string(dim));
  return i < 0 ? i + dim : i;
}

enum class Reduction { None, Add, Mul, Max, Min };

inline Reduction reduction_of(const Node& node) {
  std::string r = node.attr_string("reduction", "none");
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (r == "max") return Reduction::Max;
  if (r == "min") return Reduction::Min;
  if (r == "none") return Reduction::None;
  node.fail_attr("reduction", "unknown reduction '" + r + "'");
}

// out[oi] = reduce(out[oi], upd[ui]): a byte copy for None, else computed in double (floats) or
// int64 (integers, wrapping) and stored once.
inline void scatter_into(Tensor& out, int64_t oi, const Tensor& upd, int64_t ui, Reduction r) {
  if (r == Reduction::None) return copy_elem(out, oi, upd, ui);
  if (is_float(out.dtype())) {
    double a = out.get_f64(oi), b = upd.get_f64(ui), v = 0;
    switch (r) {
      case Reduction::Add:
        v = a + b;
        break;
      case Reduction::Mul:
        v = a * b;
        break;
      case Reduction::Max:
        v = std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
        break;
      case Reduction::Min:
        v = std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
        break;
      case Reduction::None:
        break;
    }
    out.set_f64(oi, v);
    return;
  }
  bool is_unsigned = out.dtype() == DType::U64;
  int64_t a = out.get_i64(oi), b = upd.get_i64(ui), v = 0;
  switch (r) {
    case Reduction::Add:
      v = static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
      break;
    case Reduction::Mul:
      v = static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
      break;
    case Reduction::Max:
      v = is_unsigned ? static_cast<int64_t>(std::max<uint64_t>(a, b)) : std::max(a, b);
      break;
    case Reduction::Min:
      v = is_unsigned ? static_cast<int64_t>(std::min<uint64_t>(a, b)) : std::min(a, b);
      break;
    case Reduction::None:
      break;
  }
  out.set_i64(oi, v);
}

}  // namespace fs::movement_ref
