// Element conversion for the cpu Cast and CastLike kernels: every conversion rounds once (to
// nearest even) when the target is a float; float -> integer truncates toward zero (NaN -> 0,
// beyond +-9.2e18 saturates to int64, then wraps to the target width, except that [2^63, 2^64)
// converts exactly to uint64); integer -> integer wraps; to bool is != 0.
#pragma once
#include <cmath>

#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu::ew {

// Storage types of float16 and bfloat16 elements in the conversion templates.
struct F16Bits {
  uint16_t bits;
};
struct BF16Bits {
  uint16_t bits;
};

// A 64-bit integer magnitude to bfloat16, rounded once: the magnitude is first narrowed to 53 bits
// with a sticky last bit, so the double is exact and the round-to-odd float keeps the tie information.
inline uint16_t int_to_bf16(bool neg, uint64_t m) {
  int shift = 0;
  while (m >> 53) {
    m = (m >> 1) | (m & 1);
    ++shift;
  }
  double d = std::ldexp(static_cast<double>(m), shift);
  return double_to_bf16(neg ? -d : d);
}

template <typename To, typename From>
To convert(From v) {
  if constexpr (std::is_same_v<From, F16Bits>) {
    return convert<To>(half_to_float(v.bits));
  } else if constexpr (std::is_same_v<From, BF16Bits>) {
    return convert<To>(bf16_to_float(v.bits));
  } else if constexpr (std::is_floating_point_v<From>) {
    if constexpr (std::is_same_v<To, F16Bits>) {
      return {std::is_same_v<From, float> ? float_to_half(v) : double_to_half(v)};
    } else if constexpr (std::is_same_v<To, BF16Bits>) {
      return {std::is_same_v<From, float> ? float_to_bf16(v) : double_to_bf16(v)};
    } else if constexpr (std::is_floating_point_v<To>) {
      return static_cast<To>(v);
    } else if constexpr (std::is_same_v<To, uint64_t>) {
      double d = static_cast<double>(v);
      return d >= 0x1p63 && d < 0x1p64 ? static_cast<uint64_t>(d) : double_to_int<uint64_t>(d);
    } else {
      return double_to_int<To>(static_cast<double>(v));
    }
  } else {  // integers and bool
    if constexpr (std::is_same_v<To, F16Bits>) {
      return {float_to_half(static_cast<float>(v))};  // exact below 2^24; beyond, inf either way
    } else if constexpr (std::is_same_v<To, BF16Bits>) {
      if constexpr (std::is_signed_v<From>) {
        return {int_to_bf16(v < 0, v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v))};
      } else {
        return {int_to_bf16(false, static_cast<uint64_t>(v))};
      }
    } else if constexpr (std::is_same_v<To, bool>) {
      return v != 0;
    } else {
      return static_cast<To>(v);
    }
  }
}

// Calls f(Tag<T>{}) for the storage type of dtype t (any dtype).
template <typename F>
void visit_storage(DType t, F&& f) {
  if (t == DType::F16) return f(Tag<F16Bits>{});
  if (t == DType::BF16) return f(Tag<BF16Bits>{});
  visit(kAll, t, f);
}

// y = x converted to y's dtype, element by element.
inline void cast_tensor(const Tensor& x, Tensor& y, int threads) {
  if (x.dtype() == y.dtype()) {
    parallel_memcpy(y.raw(), x.raw(), x.nbytes(), threads);
    return;
  }
  visit_storage(x.dtype(), [&](auto from) {
    visit_storage(y.dtype(), [&](auto to) {
      using F = typename decltype(from)::type;
      using T = typename decltype(to)::type;
      map(static_cast<const F*>(x.raw()), static_cast<T*>(y.raw()), x.numel(), threads,
          [](F v) { return convert<T>(v); });
    });
  });
}

}  // namespace fs::cpu::ew
