// Shared helpers of the cpu conv-family kernels (conv, pools, gemm, norms, softmax): ISA choice,
// geometry padded to 3-D, per-thread scratch, constant-input snapshots and the padded "phase plane".
#pragma once
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/ops/nn_util.h"
#include "kernels/cpu/cpu_features.h"

namespace fs::cpu {

// ---- ISA choice ------------------------------------------------------------------------------
// Kernels compile their hot loops once per ISA (GCC target attributes) and pick the variant when the
// kernel object is created. Tests may force a lower level to exercise every variant.
enum class Isa { Generic = 0, Avx2 = 1, Avx512 = 2 };

inline std::atomic<int>& isa_override_slot() {
  static std::atomic<int> slot{-1};
  return slot;
}
inline Isa detected_isa() {
  static const Isa isa = [] {
    const CpuFeatures& f = cpu_features();
    if (f.avx512f && f.fma) return Isa::Avx512;
    if (f.avx2 && f.fma) return Isa::Avx2;
    return Isa::Generic;
  }();
  return isa;
}
// The ISA of kernels created from now on: the detected one, or lower when a test forced it.
inline Isa conv_isa() {
  int o = isa_override_slot().load();
  Isa d = detected_isa();
  return o >= 0 && o < static_cast<int>(d) ? static_cast<Isa>(o) : d;
}
// Test hook: cap the ISA of kernels created afterwards (-1 = no cap).
inline void set_conv_isa_cap_for_testing(int level) { isa_override_slot().store(level); }

// A table of one function compiled per ISA, chosen by `isa`.
template <typename Fn>
struct IsaTable {
  Fn generic, avx2, avx512;
  Fn pick(Isa isa) const { return isa == Isa::Avx512 ? avx512 : isa == Isa::Avx2 ? avx2 : generic; }
};

// Defines NAME_generic / NAME_avx2 / NAME_avx512 wrappers of the body (statements using the
// parameters; may contain commas; `kIsa` names the variant's ISA), each compiled for its ISA with
// everything it calls inlined, and NAME_table(). Keep each body to one hot loop nest: GCC leaves loops scalar in very
// large flattened functions.
#define FS_CPU_ISA_VARIANTS(NAME, PARAMS, ...)                                                                         \
  [[gnu::flatten]] inline void NAME##_generic PARAMS {                                                                 \
    [[maybe_unused]] constexpr ::fs::cpu::Isa kIsa = ::fs::cpu::Isa::Generic;                                          \
    __VA_ARGS__;                                                                                                       \
  }                                                                                                                    \
  [[gnu::flatten, gnu::target("avx2,fma")]] inline void NAME##_avx2 PARAMS {                                           \
    [[maybe_unused]] constexpr ::fs::cpu::Isa kIsa = ::fs::cpu::Isa::Avx2;                                             \
    __VA_ARGS__;                                                                                                       \
  }                                                                                                                    \
  [[gnu::flatten,                                                                                                      \
    gnu::target("avx512f,avx512vl,avx512bw,avx512dq,fma,prefer-vector-width=512")]] inline void NAME##_avx512 PARAMS { \
    [[maybe_unused]] constexpr ::fs::cpu::Isa kIsa = ::fs::cpu::Isa::Avx512;                                           \
    __VA_ARGS__;                                                                                                       \
  }                                                                                                                    \
  inline auto NAME##_table() {                                                                                         \
    using Fn = decltype(&NAME##_generic);                                                                              \
    return ::fs::cpu::IsaTable<Fn>{&NAME##_generic, &NAME##_avx2, &NAME##_avx512};                                     \
  }

// ---- geometry --------------------------------------------------------------------------------
// A sliding window with its spatial dims left-padded to 3 (1-D and 2-D become 3-D with unit dims).
struct Geom3 {
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1};
  int64_t pb[3] = {0, 0, 0}, pe[3] = {0, 0, 0}, out[3] = {1, 1, 1};
  int64_t in_vol() const { return in[0] * in[1] * in[2]; }
  int64_t k_vol() const { return k[0] * k[1] * k[2]; }
  int64_t out_vol() const { return out[0] * out[1] * out[2]; }
};

inline Geom3 geom3(const nn::Window& w) {
  Geom3 g;
  const size_t off = 3 - w.rank();
  for (size_t i = 0; i < w.rank(); ++i) {
    g.in[off + i] = w.in[i];
    g.k[off + i] = w.kernel[i];
    g.s[off + i] = w.strides[i];
    g.d[off + i] = w.dilations[i];
    g.pb[off + i] = w.pads_begin[i];
    g.pe[off + i] = w.pads_end[i];
    g.out[off + i] = w.out[i];
  }
  return g;
}

// Smallest q >= 0 with q*s >= a (a may be negative): the first index whose position reaches a.
inline int64_t first_at_least(int64_t a, int64_t s) { return a <= 0 ? 0 : (a + s - 1) / s; }

// Output positions o in [lo, hi) of one dim with 0 <= o*s + off < limit (off = tap*d - pad).
struct Range {
  int64_t lo = 0, hi = 0;
};
inline Range valid_outputs(int64_t count, int64_t s, int64_t off, int64_t limit) {
  Range r{first_at_least(-off, s), first_at_least(limit - off, s)};
  r.lo = std::min(r.lo, count);
  r.hi = std::clamp(r.hi, r.lo, count);
  return r;
}

// ---- short rows ------------------------------------------------------------------------------
// Copies and fills of a few dozen floats. Plain loops would become memcpy / memset calls, whose
// overhead dominates rows this short; AVX-512 variants use masked moves, the others loops that stay
// inline (the copy adds +0.0f, which only turns -0.0 into +0.0; the fill value is hidden from
// constant folding).
inline void copy_short(float* __restrict o, const float* __restrict s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = s[i] + 0.0f;
}
inline void fill_short(float* __restrict o, float v, int64_t n) {
  asm("" : "+x"(v));
  for (int64_t i = 0; i < n; ++i) o[i] = v;
}
[[gnu::target("avx512f")]] inline void copy_masked(float* o, const float* s, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(o + i, _mm512_loadu_ps(s + i));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(o + i, m, _mm512_maskz_loadu_ps(m, s + i));
  }
}
[[gnu::target("avx512f")]] inline void fill_masked(float* o, float v, int64_t n) {
  const __m512 b = _mm512_set1_ps(v);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(o + i, b);
  if (i < n) _mm512_mask_storeu_ps(o + i, static_cast<__mmask16>((1u << (n - i)) - 1), b);
}
template <Isa I>
inline void copy_row(float* o, const float* s, int64_t n) {
  if constexpr (I == Isa::Avx512)
    copy_masked(o, s, n);
  else
    copy_short(o, s, n);
}
template <Isa I>
inline void fill_row(float* o, float v, int64_t n) {
  if constexpr (I == Isa::Avx512)
    fill_masked(o, v, n);
  else
    fill_short(o, v, n);
}

// ---- scratch ---------------------------------------------------------------------------------
// Per-thread float buffers owned by a kernel object; grown on demand (first run), never shrunk, so
// steady-state runs allocate nothing.
class ThreadScratch {
 public:
  // Makes room for `threads` buffers of `n` floats each (called before the parallel region).
  void reserve(int threads, int64_t n) {
    if (static_cast<int>(bufs_.size()) < threads) bufs_.resize(static_cast<size_t>(threads));
    for (auto& b : bufs_)
      if (static_cast<int64_t>(b.size()) < n + kAlignFloats) b.assign(static_cast<size_t>(n + kAlignFloats), 0.0f);
  }
  // 64-byte aligned (a cache line), so that where vector loads split lines does not depend on what
  // malloc returned in this process.
  float* get(int thread) {
    float* p = bufs_[static_cast<size_t>(thread)].data();
    const auto addr = reinterpret_cast<uintptr_t>(p);
    return p + ((64 - addr % 64) % 64) / sizeof(float);
  }

 private:
  static constexpr int64_t kAlignFloats = 16;
  std::vector<std::vector<float>> bufs_;
};

// A growable buffer of T whose data() is 64-byte aligned (like ThreadScratch's buffers), kept across
// runs: resize() allocates only when it grows.
template <typename T>
class AlignedBuffer {
 public:
  T* resize(int64_t n) {
    constexpr int64_t kSlack = 64 / sizeof(T);
    if (static_cast<int64_t>(buf_.size()) < n + kSlack) buf_.assign(static_cast<size_t>(n + kSlack), T{});
    const auto addr = reinterpret_cast<uintptr_t>(buf_.data());
    data_ = buf_.data() + ((64 - addr % 64) % 64) / sizeof(T);
    return data_;
  }
  T* data() const { return data_; }

 private:
  std::vector<T> buf_;
  T* data_ = nullptr;
};

// A constant input captured at kernel creation. The session may hand the factory fed tensors too, so
// run() uses the capture only while the input still has the captured storage.
struct ConstSnapshot {
  const void* data = nullptr;
  Shape shape;
  void capture(const Tensor* t) {
    if (t && t->defined()) {
      data = t->raw();
      shape = t->shape();
    }
  }
  bool matches(const Tensor& t) const { return data != nullptr && t.raw() == data && t.shape() == shape; }
};

// Fills each of `planes` consecutive planes of `vol` floats with bias[plane % m] (0 without bias).
inline void fill_bias(float* y, int64_t planes, int64_t vol, const float* bias, int64_t m, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t p = 0; p < planes; ++p) {
    const float b = bias ? bias[p % m] : 0.0f;
    std::fill(y + p * vol, y + (p + 1) * vol, b);
  }
}

// ---- phase planes ----------------------------------------------------------------------------
// A padded 2-D plane rearranged so that every tap of a strided, dilated window reads contiguous
// memory: row r holds input row r - pt; each row is split into sw phases of `len` elements, phase p
// element j = x[row][j*sw + p - pl] (or `pad` outside the input). Output column ow of tap kw then
// reads phase (kw*dw) % sw at element ow + (kw*dw) / sw.
struct PhaseLayout {
  int64_t rows = 0, phases = 1, len = 0, pt = 0, pl = 0;
  int64_t plane() const { return rows * phases * len; }
  int64_t row_stride() const { return phases * len; }
  // Offset of the element read by output column 0 of tap (kh, kw) in output row oh.
  int64_t tap_offset(int64_t oh, int64_t sh, int64_t kh, int64_t dh, int64_t kw, int64_t dw) const {
    const int64_t o = kw * dw;
    return (oh * sh + kh * dh) * row_stride() + (o % phases) * len + o / phases;
  }
};

inline PhaseLayout phase_layout(const Geom3& g) {
  PhaseLayout l;
  l.rows = (g.out[1] - 1) * g.s[1] + (g.k[1] - 1) * g.d[1] + 1;
  l.phases = g.s[2];
  l.len = g.out[2] + ((g.k[2] - 1) * g.d[2]) / g.s[2];
  l.pt = g.pb[1];
  l.pl = g.pb[2];
  return l;
}

// Writes the phase plane of the H x W plane x into dst (l.plane() floats).
template <Isa I>
inline void phase_transform(const PhaseLayout& l, const float* __restrict x, int64_t h, int64_t w, float pad,
                            float* __restrict dst) {
  for (int64_t p = 0; p < l.phases; ++p) {
    // phase element j reads x[row][j * phases + p - pl] when that lies in [0, w): the same for every row
    const Range v = valid_outputs(l.len, l.phases, p - l.pl, w);
    const int64_t off = p - l.pl;
    for (int64_t r = 0; r < l.rows; ++r) {
      float* __restrict o = dst + r * l.row_stride() + p * l.len;
      const int64_t ih = r - l.pt;
      if (ih < 0 || ih >= h) {
        fill_row<I>(o, pad, l.len);
        continue;
      }
      const float* __restrict src = x + ih * w + off;
      fill_row<I>(o, pad, v.lo);
      if (l.phases == 1) {
        copy_row<I>(o + v.lo, src + v.lo, v.hi - v.lo);
      } else if (l.phases == 2) {
        for (int64_t j = v.lo; j < v.hi; ++j) o[j] = src[2 * j];
      } else {
        for (int64_t j = v.lo; j < v.hi; ++j) o[j] = src[j * l.phases];
      }
      fill_row<I>(o + v.hi, pad, l.len - v.hi);
    }
  }
}

}  // namespace fs::cpu
