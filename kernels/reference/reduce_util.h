// Helpers shared by the reference Reduce*, ArgMax/ArgMin and TopK kernels: which axes a node
// reduces, the input offsets that make up each output element, and exact integer helpers.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/kernel_registry.h"

namespace fs::reduce_ref {

// Offsets (row-major, in elements) of every multi-index over the dimensions selected in `select`,
// the others held at 0, in row-major order of the selected dimensions. One offset (0) when none is
// selected; none when a selected dimension has size 0.
inline std::vector<int64_t> offsets_over(const Shape& shape, const std::vector<bool>& select) {
  std::vector<int64_t> strides = contiguous_strides(shape);
  std::vector<int64_t> dims, st;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!select[i]) continue;
    dims.push_back(shape[i]);
    st.push_back(strides[i]);
  }
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<int64_t> r;
  r.reserve(static_cast<size_t>(n));
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (size_t j = 0; j < dims.size(); ++j) off += idx[j] * st[j];
    r.push_back(off);
    for (size_t j = dims.size(); j-- > 0;) {
      if (++idx[j] < dims[j]) break;
      idx[j] = 0;
    }
  }
  return r;
}

// How a reduction reads its input: output element o reduces input[base[o] + offsets[k]] for all k.
struct ReduceLayout {
  std::vector<int64_t> base;     // one per output element, in output order
  std::vector<int64_t> offsets;  // the reduced set, in input order
};

inline ReduceLayout reduce_layout(const Shape& in, const std::vector<bool>& reduced) {
  std::vector<bool> kept(reduced.size());
  for (size_t i = 0; i < reduced.size(); ++i) kept[i] = !reduced[i];
  return {offsets_over(in, kept), offsets_over(in, reduced)};
}

// The axes a Reduce* node reduces (attribute `axes` or input 1; noop_with_empty_axes). The schema
// has validated them already.
inline std::vector<bool> reduced_axes(const KernelContext& ctx, int64_t rank) {
  std::vector<int64_t> axes = ctx.has_input(1) ? ctx.in(1).to_i64_vector() : ctx.node.attr_ints("axes");
  std::vector<bool> mask(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    if (ctx.node.attr_int("noop_with_empty_axes", 0) == 0) mask.assign(static_cast<size_t>(rank), true);
    return mask;
  }
  for (int64_t a : axes) mask[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  return mask;
}

// The layout of a Reduce* node, checked against its pre-allocated output.
inline ReduceLayout node_layout(const KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  ReduceLayout l = reduce_layout(x.shape(), reduced_axes(ctx, static_cast<int64_t>(x.rank())));
  if (static_cast<int64_t>(l.base.size()) != ctx.out(0).numel())
    ctx.node.fail_node("internal: reduction layout does not match the output shape " + shape_str(ctx.out(0).shape()));
  return l;
}

// ---- integer helpers: values of every integer dtype travel as int64 (uint64 bit-cast) --------
inline bool is_unsigned_dtype(DType t) { return !dtype_info(t).is_signed && t != DType::Bool && !is_float(t); }

inline int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
// a < b in the dtype's own order (uint64 values above 2^63 are negative as int64).
inline bool int_less(DType t, int64_t a, int64_t b) {
  return t == DType::U64 ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
}
inline int64_t int_abs(DType t, int64_t v) {
  if (is_unsigned_dtype(t) || v >= 0) return v;
  return wrap_mul(v, -1);
}
inline double int_to_f64(DType t, int64_t v) {
  return t == DType::U64 ? static_cast<double>(static_cast<uint64_t>(v)) : static_cast<double>(v);
}
// Truncating division in the dtype's own arithmetic (n > 0).
inline int64_t int_div(DType t, int64_t a, int64_t n) {
  if (t == DType::U64) return static_cast<int64_t>(static_cast<uint64_t>(a) / static_cast<uint64_t>(n));
  return a / n;
}

inline int64_t int_lowest(DType t) {
  switch (t) {
    case DType::I8:
      return std::numeric_limits<int8_t>::min();
    case DType::I16:
      return std::numeric_limits<int16_t>::min();
    case DType::I32:
      return std::numeric_limits<int32_t>::min();
    case DType::I64:
      return std::numeric_limits<int64_t>::min();
    default:
      return 0;  // unsigned and bool
  }
}
inline int64_t int_highest(DType t) {
  switch (t) {
    case DType::I8:
      return std::numeric_limits<int8_t>::max();
    case DType::U8:
      return std::numeric_limits<uint8_t>::max();
    case DType::I16:
      return std::numeric_limits<int16_t>::max();
    case DType::U16:
      return std::numeric_limits<uint16_t>::max();
    case DType::I32:
      return std::numeric_limits<int32_t>::max();
    case DType::U32:
      return std::numeric_limits<uint32_t>::max();
    case DType::I64:
      return std::numeric_limits<int64_t>::max();
    case DType::U64:
      return -1;  // all bits set
    case DType::Bool:
      return 1;
    default:
      return 0;
  }
}

// Stores a floating result into an integer output: truncation toward zero (as numpy's astype),
// -inf/+inf saturating to the dtype's lowest/highest value, NaN as 0.
inline void set_int_from_f64(Tensor& y, int64_t i, double v) {
  DType t = y.dtype();
  if (std::isnan(v)) {
    y.set_i64(i, 0);
  } else if (v == -std::numeric_limits<double>::infinity()) {
    y.set_i64(i, int_lowest(t));
  } else if (v == std::numeric_limits<double>::infinity()) {
    y.set_i64(i, int_highest(t));
  } else {
    y.set_f64(i, v);
  }
}

// Floating order used by TopK: NaN sorts above every number (numpy's sort order).
inline bool nan_less(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

// ArgMax (want_max) / ArgMin along attribute `axis`, as numpy's argmax/argmin: the first extreme
// (the last with select_last_index); a NaN counts as the extreme for both.
inline void arg_reduce(KernelContext& ctx, bool want_max) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  DType t = x.dtype();
  int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = ctx.node.attr_int("axis", 0);
  if (axis < 0) axis += r;
  bool last = ctx.node.attr_int("select_last_index", 0) != 0;
  std::vector<bool> mask(static_cast<size_t>(r), false);
  mask[static_cast<size_t>(axis)] = true;
  ReduceLayout l = reduce_layout(x.shape(), mask);
  if (static_cast<int64_t>(l.base.size()) != y.numel())
    ctx.node.fail_node("internal: reduction layout does not match the output shape " + shape_str(y.shape()));
  for (size_t o = 0; o < l.base.size(); ++o) {
    int64_t b = l.base[o], best = 0;
    for (size_t k = 1; k < l.offsets.size(); ++k) {
      bool better, tie;
      if (is_float(t)) {
        double v = x.get_f64(b + l.offsets[k]), m = x.get_f64(b + l.offsets[static_cast<size_t>(best)]);
        if (std::isnan(m)) {
          better = false;
          tie = std::isnan(v);
        } else if (std::isnan(v)) {
          better = true;
          tie = false;
        } else {
          better = want_max ? v > m : v < m;
          tie = v == m;
        }
      } else {
        int64_t v = x.get_i64(b + l.offsets[k]), m = x.get_i64(b + l.offsets[static_cast<size_t>(best)]);
        better = want_max ? int_less(t, m, v) : int_less(t, v, m);
        tie = v == m;
      }
      if (better || (last && tie)) best = static_cast<int64_t>(k);
    }
    y.set_i64(static_cast<int64_t>(o), best);
  }
}

}  // namespace fs::reduce_ref
