// SLEEF vectorized approximations for the cpu flipscope.ApproxUnary / ApproxSoftmax kernels:
// y[i] = f(x[i]) over arrays, AVX-512 / AVX2 / SSE2 variants chosen once from cpu_features().
// Accuracy, max error vs the exact function (SLEEF's bound / worst measured over dense sweeps in
// tests/unit/flipscope_ops_test.cpp, any ISA): Exp u10 (1.0 / 0.95 ULP; SLEEF has no u35 expf),
// Log u35 (3.5 / 1.78 ULP), Tanh u35 (3.5 / 2.48 ULP), Erf u10 (1.0 / 1.09 ULP AVX2+, 1.92 SSE2,
// both at tiny x ~ 1e-38; no u35 erff), Sigmoid = 1 / (1 + exp_u10(-x)) (3 / 2.24 ULP for
// x >= -87; below, exp(-x) overflows and the result is 0, absolute error < 1.2e-38).
#pragma once
#include <immintrin.h>
#include <sleef.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "kernels/cpu/conv_util.h"

// sleef.h declares its AVX2 / AVX-512 entry points only when the translation unit is compiled for
// those ISAs; ours is compiled for the baseline and calls them from target-attributed functions.
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f")
extern "C" {
__m512 Sleef_expf16_u10avx512f(__m512);
__m512 Sleef_logf16_u35avx512f(__m512);
__m512 Sleef_tanhf16_u35avx512f(__m512);
__m512 Sleef_erff16_u10avx512f(__m512);
__m256 Sleef_expf8_u10avx2(__m256);
__m256 Sleef_logf8_u35avx2(__m256);
__m256 Sleef_tanhf8_u35avx2(__m256);
__m256 Sleef_erff8_u10avx2(__m256);
}
#pragma GCC pop_options

namespace fs::cpu::approx {

enum class Fn { Exp, Log, Tanh, Sigmoid, Erf };

inline Fn parse_fn(const std::string& s) {
  if (s == "Log") return Fn::Log;
  if (s == "Tanh") return Fn::Tanh;
  if (s == "Sigmoid") return Fn::Sigmoid;
  if (s == "Erf") return Fn::Erf;
  return Fn::Exp;
}

// y[i] = f(x[i]) for i < n (x may equal y).
using MapFn = void (*)(const float* x, float* y, int64_t n);

// SSE2 entry points wrapped (sleef.h's declarations do not bind as template arguments here).
inline __m128 exp4(__m128 v) { return Sleef_expf4_u10sse2(v); }
inline __m128 log4(__m128 v) { return Sleef_logf4_u35sse2(v); }
inline __m128 tanh4(__m128 v) { return Sleef_tanhf4_u35sse2(v); }
inline __m128 erf4(__m128 v) { return Sleef_erff4_u10sse2(v); }

[[gnu::target("avx512f")]] inline __m512 sigmoid16(__m512 v) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), v));
  return _mm512_div_ps(one, _mm512_add_ps(one, e));
}
[[gnu::target("avx2,fma")]] inline __m256 sigmoid8(__m256 v) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), v));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}
inline __m128 sigmoid4(__m128 v) {
  const __m128 one = _mm_set1_ps(1.0f);
  const __m128 e = exp4(_mm_sub_ps(_mm_setzero_ps(), v));
  return _mm_div_ps(one, _mm_add_ps(one, e));
}

template <__m512 (*F)(__m512)>
[[gnu::target("avx512f")]] void map16(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));
  }
}
template <__m256 (*F)(__m256)>
[[gnu::target("avx2,fma")]] void map8(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float t[8] = {};
    std::copy(x + i, x + n, t);
    _mm256_store_ps(t, F(_mm256_load_ps(t)));
    std::copy(t, t + (n - i), y + i);
  }
}
template <__m128 (*F)(__m128)>
void map4(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, F(_mm_loadu_ps(x + i)));
  if (i < n) {
    alignas(16) float t[4] = {};
    std::copy(x + i, x + n, t);
    _mm_store_ps(t, F(_mm_load_ps(t)));
    std::copy(t, t + (n - i), y + i);
  }
}

// The map of f for the ISA of kernels created now (conv_isa(): the best of this machine unless a
// test capped it; Generic = SSE2).
inline MapFn pick(Fn f) {
  const Isa isa = conv_isa();
  if (isa == Isa::Avx512) {
    switch (f) {
      case Fn::Exp:
        return map16<Sleef_expf16_u10avx512f>;
      case Fn::Log:
        return map16<Sleef_logf16_u35avx512f>;
      case Fn::Tanh:
        return map16<Sleef_tanhf16_u35avx512f>;
      case Fn::Sigmoid:
        return map16<sigmoid16>;
      case Fn::Erf:
        return map16<Sleef_erff16_u10avx512f>;
    }
  }
  if (isa == Isa::Avx2) {
    switch (f) {
      case Fn::Exp:
        return map8<Sleef_expf8_u10avx2>;
      case Fn::Log:
        return map8<Sleef_logf8_u35avx2>;
      case Fn::Tanh:
        return map8<Sleef_tanhf8_u35avx2>;
      case Fn::Sigmoid:
        return map8<sigmoid8>;
      case Fn::Erf:
        return map8<Sleef_erff8_u10avx2>;
    }
  }
  switch (f) {
    case Fn::Log:
      return map4<log4>;
    case Fn::Tanh:
      return map4<tanh4>;
    case Fn::Sigmoid:
      return map4<sigmoid4>;
    case Fn::Erf:
      return map4<erf4>;
    default:
      return map4<exp4>;
  }
}

}  // namespace fs::cpu::approx
