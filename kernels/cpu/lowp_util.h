// Shared helpers of the cpu flipscope.LowpConv / LowpGemm kernels: float32 <-> fp16 (F16C) / bf16
// conversion, the oneDNN bf16 matmul (AVX512-BF16 vdpbf16ps where the CPU has it), the fp16
// accumulation emulation (engine/ops/flipscope_lowp.cpp documents its order), and the switch that
// forces the portable fallback (16-bit weights widened into fp32 panels + sgemm).
#pragma once
#include <immintrin.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "engine/half.h"
#include "kernels/cpu/conv_util.h"

namespace fs::cpu::lowp {

enum class Type { F16, BF16 };

inline Type parse_type(const Node& n) { return n.attr_string("dtype", "") == "fp16" ? Type::F16 : Type::BF16; }
inline bool parse_acc16(const Node& n) { return n.attr_string("accumulate", "fp32") == "fp16"; }

// Test hook and environment switch: FLIPSCOPE_CPU_NO_BF16=1 (or force_fallback_for_testing(true))
// makes kernels created afterwards use the portable fallback instead of oneDNN's bf16 matmul.
inline std::atomic<bool>& force_fallback_slot() {
  static std::atomic<bool> slot{[] {
    const char* e = std::getenv("FLIPSCOPE_CPU_NO_BF16");
    return e && *e && std::string(e) != "0";
  }()};
  return slot;
}
inline void force_fallback_for_testing(bool on) { force_fallback_slot().store(on); }

// ---- conversions -----------------------------------------------------------------------------

[[gnu::target("avx2,f16c")]] inline void f32_to_f16_f16c(const float* s, uint16_t* d, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  for (; i < n; ++i) d[i] = float_to_half(s[i]);
}
[[gnu::target("avx2,f16c")]] inline void f16_to_f32_f16c(const uint16_t* s, float* d, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
  for (; i < n; ++i) d[i] = half_to_float(s[i]);
}
// bf16 round to nearest even with branch-free integer arithmetic (vectorizes); NaN stays quiet NaN.
FS_CPU_ISA_VARIANTS(f32_to_bf16_loop, (const float* s, uint16_t* d, int64_t n), {
  for (int64_t i = 0; i < n; ++i) {
    uint32_t x;
    std::memcpy(&x, s + i, 4);
    const uint32_t r = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
    d[i] = static_cast<uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? ((x >> 16) | 0x40u) : r);
  }
})
FS_CPU_ISA_VARIANTS(bf16_to_f32_loop, (const uint16_t* s, float* d, int64_t n), {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t x = static_cast<uint32_t>(s[i]) << 16;
    std::memcpy(d + i, &x, 4);
  }
})

inline bool has_f16c() { return cpu_features().f16c && cpu_features().avx2 && conv_isa() != Isa::Generic; }

// Converters chosen once per kernel (the ISA of kernels created now).
struct Convert {
  using To = void (*)(const float*, uint16_t*, int64_t);
  using From = void (*)(const uint16_t*, float*, int64_t);
  To to = nullptr;
  From from = nullptr;
  Convert() = default;
  explicit Convert(Type t) {
    const Isa isa = conv_isa();
    if (t == Type::BF16) {
      to = f32_to_bf16_loop_table().pick(isa);
      from = bf16_to_f32_loop_table().pick(isa);
    } else if (has_f16c()) {
      to = f32_to_f16_f16c;
      from = f16_to_f32_f16c;
    } else {
      to = [](const float* s, uint16_t* d, int64_t n) {
        for (int64_t i = 0; i < n; ++i) d[i] = float_to_half(s[i]);
      };
      from = [](const uint16_t* s, float* d, int64_t n) {
        for (int64_t i = 0; i < n; ++i) d[i] = half_to_float(s[i]);
      };
    }
  }
  // In parallel chunks.
  void to16(const float* s, uint16_t* d, int64_t n, int nt) const {
    const int64_t chunk = 1 << 14, chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for num_threads(nt) schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) to(s + c * chunk, d + c * chunk, std::min(chunk, n - c * chunk));
  }
  void to32(const uint16_t* s, float* d, int64_t n, int nt) const {
    const int64_t chunk = 1 << 14, chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for num_threads(nt) schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) from(s + c * chunk, d + c * chunk, std::min(chunk, n - c * chunk));
  }
  // d = s after 16-bit storage (d may equal s), through a small stack buffer.
  void round(const float* s, float* d, int64_t n, int nt) const {
    const int64_t chunk = 1 << 12, chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for num_threads(nt) schedule(static) if (chunks > 4)
    for (int64_t c = 0; c < chunks; ++c) {
      uint16_t buf[1 << 12];
      const int64_t len = std::min(chunk, n - c * chunk);
      to(s + c * chunk, buf, len);
      from(buf, d + c * chunk, len);
    }
  }
};

// ---- oneDNN bf16 matmul ----------------------------------------------------------------------

inline dnnl::engine& dnnl_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// C[M, N] (f32, row stride ldc) = A[M, K] * B[K, N], A and B bf16; A row-major (lda) or, when
// a_kmajor, stored [K, M]; B stored [K, N] (ldb) or, when b_nmajor, [N, K].
class Bf16Matmul {
 public:
  // False when oneDNN has no optimized implementation (a reference one would be far too slow).
  bool init(int64_t m, int64_t k, int64_t n, int64_t lda, bool a_kmajor, int64_t ldb, bool b_nmajor, int64_t ldc) {
    using dt = dnnl::memory::data_type;
    try {
      dnnl::memory::desc a({m, k}, dt::bf16, a_kmajor ? dnnl::memory::dims{1, lda} : dnnl::memory::dims{lda, 1});
      dnnl::memory::desc b({k, n}, dt::bf16, b_nmajor ? dnnl::memory::dims{1, ldb} : dnnl::memory::dims{ldb, 1});
      dnnl::memory::desc c({m, n}, dt::f32, dnnl::memory::dims{ldc, 1});
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), dnnl_engine());
      if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return false;
      prim_ = dnnl::matmul(pd);
      a_ = a;
      b_ = b;
      c_ = c;
      ok_ = true;
    } catch (const dnnl::error&) {
      ok_ = false;
    }
    return ok_;
  }
  bool ok() const { return ok_; }
  void run(const uint16_t* a, const uint16_t* b, float* c) const {
    dnnl::stream s(dnnl_engine());
    dnnl::memory am(a_, dnnl_engine(), const_cast<uint16_t*>(a)), bm(b_, dnnl_engine(), const_cast<uint16_t*>(b));
    dnnl::memory cm(c_, dnnl_engine(), c);
    prim_.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    s.wait();
  }

 private:
  bool ok_ = false;
  dnnl::matmul prim_;
  dnnl::memory::desc a_, b_, c_;
};

// Whether kernels created now run bf16 through oneDNN: an AVX-512 ISA level (oneDNN's bf16 kernels
// need avx512_core; vdpbf16ps when avx512_bf16 is present) and the fallback not forced.
inline bool bf16_dnnl_allowed() { return conv_isa() == Isa::Avx512 && !force_fallback_slot().load(); }

// ---- fp16 accumulation (emulated) --------------------------------------------------------------
// Y[i, j] (row stride ldy) = sum over k of A[i, k] * B[k, j] with A [M, K] row-major and B [K, N]
// (row stride ldb), values already fp16-representable, summed in the documented order: blocks of 32
// k, s = fp16(s + a*b) within a block, t = fp16(t + s) over the blocks. Vectorized across j with F16C
// (8 columns at a time); the scalar tail uses engine/half.h.
inline float fp16_round(float v) { return half_to_float(float_to_half(v)); }

inline void acc16_scalar(const float* a, const float* b, int64_t ldb, int64_t k, float* y, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; ++j) {
    float t = 0.0f, s = 0.0f;
    for (int64_t kk = 0; kk < k; ++kk) {
      s = fp16_round(s + a[kk] * b[kk * ldb + j]);
      if (kk % 32 == 31 || kk == k - 1) {
        t = fp16_round(t + s);
        s = 0.0f;
      }
    }
    y[j] = t;
  }
}

[[gnu::target("avx2,f16c")]] inline __m256 fp16_round8(__m256 v) {
  return _mm256_cvtph_ps(_mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

[[gnu::target("avx2,f16c")]] inline int64_t acc16_f16c(const float* a, const float* b, int64_t ldb, int64_t k, float* y,
                                                       int64_t n) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 t = _mm256_setzero_ps();
    for (int64_t k0 = 0; k0 < k; k0 += 32) {
      __m256 s = _mm256_setzero_ps();
      const int64_t k1 = std::min(k, k0 + 32);
      for (int64_t kk = k0; kk < k1; ++kk)
        s = fp16_round8(_mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(a[kk]), _mm256_loadu_ps(b + kk * ldb + j))));
      t = fp16_round8(_mm256_add_ps(t, s));
    }
    _mm256_storeu_ps(y + j, t);
  }
  return j;
}

inline void acc16_gemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, int64_t ldb, float* y,
                       int64_t ldy, bool f16c, int nt) {
#pragma omp parallel for num_threads(nt) schedule(static) if (m > 1)
  for (int64_t i = 0; i < m; ++i) {
    const int64_t j0 = f16c ? acc16_f16c(a + i * k, b, ldb, k, y + i * ldy, n) : 0;
    acc16_scalar(a + i * k, b, ldb, k, y + i * ldy, j0, n);
  }
}

}  // namespace fs::cpu::lowp
