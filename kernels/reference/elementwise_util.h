// Helpers shared by the elementwise-family reference kernels: dtype lists, numpy broadcasting
// (an odometer over the output), wrapping integer arithmetic and correctly rounded stores.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/kernel_registry.h"

namespace fs::ref_elementwise {

inline bool is_unsigned_int(DType t) { return is_integer(t) && !dtype_info(t).is_signed; }

// Dtype lists for registrations (the key dtype is input 0's).
inline std::vector<DType> signed_int_dtypes() { return {DType::I8, DType::I16, DType::I32, DType::I64}; }
inline std::vector<DType> unsigned_int_dtypes() { return {DType::U8, DType::U16, DType::U32, DType::U64}; }
inline std::vector<DType> signed_dtypes() {
  auto v = float_dtypes();
  for (DType t : signed_int_dtypes()) v.push_back(t);
  return v;
}

// Integer arithmetic that wraps (two's complement) instead of overflowing; set_i64 then wraps to
// the element width, which gives the result modulo 2^width as ONNX integer math expects.
inline int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrap_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
inline int64_t wrap_neg(int64_t a) { return wrap_sub(0, a); }
// Element i of an unsigned tensor (exact for uint64 too).
inline uint64_t get_u64(const Tensor& t, int64_t i) { return static_cast<uint64_t>(t.get_i64(i)); }

// Rounds a double to float with round-to-odd: a later rounding to a narrower format (half,
// bfloat16) then gives the correctly rounded result, as if rounded once from the double.
inline float to_float_round_odd(double d) {
  float f = static_cast<float>(d);
  if (std::isnan(d) || static_cast<double>(f) == d) return f;
  uint32_t b = std::bit_cast<uint32_t>(f);
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) --b;  // truncate toward zero
  return std::bit_cast<float>(b | 1u);
}

// Stores v into element i rounded once to the tensor's dtype (set_f64 rounds double -> float ->
// half/bfloat16, twice). Integer dtypes: truncation toward zero, as set_f64.
inline void store(Tensor& t, int64_t i, double v) {
  if (t.dtype() == DType::F16 || t.dtype() == DType::BF16) {
    t.set_f64(i, static_cast<double>(to_float_round_odd(v)));
  } else {
    t.set_f64(i, v);
  }
}

// Strides of an input of shape `in` over the output shape `out` (right-aligned; 0 where broadcast).
inline std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t d = in.size() - 1 - k, o = out.size() - 1 - k;
    st[o] = in[d] == 1 ? 0 : s;
    s *= in[d];
  }
  return st;
}

// Calls f(out_index, offsets) for every element of an output of shape `out`, in row-major order,
// where offsets[j] is the index of the matching element of inputs[j] under numpy broadcasting.
template <typename F>
void for_each_broadcast(const Shape& out, const std::vector<const Tensor*>& inputs, F&& f) {
  size_t r = out.size(), k = inputs.size();
  int64_t n = 1;
  for (int64_t d : out) n *= d;
  std::vector<std::vector<int64_t>> strides;
  for (const Tensor* t : inputs) strides.push_back(broadcast_strides(t->shape(), out));
  std::vector<int64_t> idx(r, 0), off(k, 0);
  for (int64_t i = 0; i < n; ++i) {
    f(i, static_cast<const std::vector<int64_t>&>(off));
    for (size_t d = r; d-- > 0;) {  // odometer step
      ++idx[d];
      for (size_t j = 0; j < k; ++j) off[j] += strides[j][d];
      if (idx[d] < out[d]) break;
      for (size_t j = 0; j < k; ++j) off[j] -= strides[j][d] * out[d];
      idx[d] = 0;
    }
  }
}

// y = f(x) elementwise in double, rounded once to y's dtype.
template <typename F>
void map_f64(KernelContext& ctx, F&& f) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.numel(); ++i) store(y, i, f(x.get_f64(i)));
}

// y = f(x) elementwise in int64 (wrapping to y's width).
template <typename F>
void map_i64(KernelContext& ctx, F&& f) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.numel(); ++i) y.set_i64(i, f(x.get_i64(i)));
}

// z = f(a, b) with broadcasting, in double.
template <typename F>
void binary_f64(KernelContext& ctx, F&& f) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor& z = ctx.out(0);
  for_each_broadcast(z.shape(), {&a, &b}, [&](int64_t i, const std::vector<int64_t>& o) {
    store(z, i, f(a.get_f64(o[0]), b.get_f64(o[1])));
  });
}

// z = f(a, b) with broadcasting, in int64 (f returns int64, or bool for predicates).
template <typename F>
void binary_i64(KernelContext& ctx, F&& f) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor& z = ctx.out(0);
  for_each_broadcast(z.shape(), {&a, &b}, [&](int64_t i, const std::vector<int64_t>& o) {
    z.set_i64(i, static_cast<int64_t>(f(a.get_i64(o[0]), b.get_i64(o[1]))));
  });
}

// z = f(a, b) with broadcasting, in uint64 (for unsigned dtypes).
template <typename F>
void binary_u64(KernelContext& ctx, F&& f) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor& z = ctx.out(0);
  for_each_broadcast(z.shape(), {&a, &b}, [&](int64_t i, const std::vector<int64_t>& o) {
    z.set_i64(i, static_cast<int64_t>(f(get_u64(a, o[0]), get_u64(b, o[1]))));
  });
}

// Runs the double, int64 or uint64 variant by input 0's dtype class.
template <typename FF, typename FI, typename FU>
void binary_by_class(KernelContext& ctx, FF&& ff, FI&& fi, FU&& fu) {
  DType t = ctx.in(0).dtype();
  if (is_float(t)) {
    binary_f64(ctx, ff);
  } else if (is_unsigned_int(t)) {
    binary_u64(ctx, fu);
  } else {
    binary_i64(ctx, fi);
  }
}

// Significand bits (with the implicit one) of a float dtype.
inline int significand_bits(DType t) {
  switch (t) {
    case DType::F16:
      return 11;
    case DType::BF16:
      return 8;
    case DType::F32:
      return 24;
    default:
      return 53;
  }
}

// Rounds an integer magnitude to `bits` significant bits, to nearest with ties to even. The
// result is exact in a double (bits <= 53).
inline double round_to_bits(uint64_t m, int bits) {
  int width = 64 - std::countl_zero(m);
  if (width <= bits) return static_cast<double>(m);
  int drop = width - bits;
  uint64_t q = m >> drop, rem = m & ((uint64_t{1} << drop) - 1), half = uint64_t{1} << (drop - 1);
  if (rem > half || (rem == half && (q & 1))) ++q;
  return std::ldexp(static_cast<double>(q), drop);
}

// Converts element i of x into element j of y as ONNX Cast does: every conversion rounds once
// (to nearest even) when the target is a float; float -> integer truncates toward zero (NaN -> 0,
// beyond int64 saturates, then wraps to the target width like integer -> integer); to bool is != 0.
inline void cast_element(const Tensor& x, int64_t i, Tensor& y, int64_t j) {
  DType from = x.dtype(), to = y.dtype();
  if (!is_float(from)) {
    if (!is_float(to)) {
      y.set_i64(j, x.get_i64(i));
      return;
    }
    int64_t v = x.get_i64(i);
    bool neg = !is_unsigned_int(from) && v < 0;
    uint64_t mag = neg ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    double d = round_to_bits(mag, significand_bits(to));
    y.set_f64(j, neg ? -d : d);
    return;
  }
  double v = x.get_f64(i);
  if (to == DType::U64 && v >= 0x1p63 && v < 0x1p64) {  // beyond int64 but within uint64
    y.data<uint64_t>()[j] = static_cast<uint64_t>(v);
    return;
  }
  store(y, j, v);
}

}  // namespace fs::ref_elementwise
