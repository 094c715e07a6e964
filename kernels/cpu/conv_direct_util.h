// Direct 2-D convolution for depthwise and small-group convolutions: input channels are rearranged
// into phase planes (conv_util.h) so that every tap reads contiguous memory, and each output row
// is one vectorized pass with the (3x3 / 5x5) weights of up to four output channels in registers.
#pragma once
#include "kernels/cpu/conv_util.h"

namespace fs::cpu {

// One convolution: x [N, C, H, W], w [M, cg, KH, KW], y [N, M, OH, OW], groups of cg input and mg
// output channels.
struct DirectConv {
  Geom3 g;  // 2-D: g.in[0] == g.out[0] == g.k[0] == 1
  PhaseLayout l;
  int64_t cg = 1, mg = 1;
  const float* w = nullptr;
  const float* bias = nullptr;
  // Narrow outputs are computed as one flat vector per channel: output (oh, ow) at oh * flat_stride()
  // + ow, which reads the phase plane at the same offset plus the tap's, so that every tap is still
  // one contiguous read; the rows are compacted afterwards. Chosen when it beats per-row passes
  // whose width leaves a scalar tail (see choose_flat()).
  bool flat = false;
  int64_t flat_stride() const { return g.s[1] * l.row_stride(); }
  int64_t flat_len() const { return (g.out[1] - 1) * flat_stride() + g.out[2]; }
  // Floats of per-thread scratch: the cg phase planes, in flat mode 4 flat accumulators, and slack
  // for the vector tail's reads past the last plane.
  int64_t scratch_floats() const { return cg * l.plane() + (flat ? 4 * flat_len() : 0) + 32; }
  // Cost per output row in 16-lane vector passes, as measured: the partial last block of a row of OW
  // costs about OW % 8 passes more (tail handling per row and input channel); the flat row covers
  // flat_stride() lanes.
  // Offsets of each tap's first read in output row 0 (kernels of up to 25 taps, the fixed-size
  // blocks); row oh adds oh * row_step(). Precomputed because tap_offset divides by the stride.
  int64_t tap0[25] = {};
  int64_t row_step() const { return g.s[1] * l.row_stride(); }
  void plan_taps() {
    int64_t t = 0;
    for (int64_t kh = 0; kh < g.k[1]; ++kh)
      for (int64_t kw = 0; kw < g.k[2] && t < 25; ++kw) tap0[t++] = l.tap_offset(0, g.s[1], kh, g.d[1], kw, g.d[2]);
  }
  void choose_flat() {
    const int64_t ow = g.out[2];
    const double row = static_cast<double>(ow / 16 + (ow % 16 >= 8 ? 1 : 0) + ow % 8);
    const double flat_cost = static_cast<double>(flat_stride()) / 16.0 + 0.5;  // + compaction
    flat = g.out[1] > 1 && flat_cost < row;
  }
};

namespace direct_detail {

// Vector width of the row loops: rows are split into whole 16-lane blocks and one padded tail.
constexpr int64_t kLanes = 16;

// y_j[i] (+)= sum_t w_j[t] * p_t[i] for i < n (n = kLanes when TAIL), j < MB, T taps.
template <int T, int MB, bool ACC, bool TAIL>
inline void taps_loop(float* const* y, const float* const* p, const float (&wr)[MB][T], const float (&br)[MB],
                      int64_t n) {
  const int64_t count = TAIL ? kLanes : n;
#pragma omp simd
  for (int64_t i = 0; i < count; ++i) {
    float a[MB];
    for (int j = 0; j < MB; ++j) a[j] = ACC ? y[j][i] : br[j];
#pragma GCC unroll 32
    for (int t = 0; t < T; ++t) {
      const float x = p[t][i];
      for (int j = 0; j < MB; ++j) a[j] += wr[j][t] * x;
    }
    for (int j = 0; j < MB; ++j) y[j][i] = a[j];
  }
}

// y_j[i] (+)= sum_t w_j[t] * p_t[i] for i < n, j < MB, with T (compile-time) taps: vectorized along
// i with the MB x T weights in registers (the tap loop must be unrolled for that). The last partial
// block runs as a full vector on a local copy (its reads past n stay inside the scratch's slack).
template <Isa I, int T, int MB, bool ACC>
inline void taps_fixed(float* const* yrows, const float* const* prow, const float* w, int64_t wstride, const float* b,
                       int64_t n) {
  const float* p[T];
  for (int t = 0; t < T; ++t) p[t] = prow[t];
  float* y[MB];
  for (int j = 0; j < MB; ++j) y[j] = yrows[j];
  float wr[MB][T];
  for (int j = 0; j < MB; ++j)
    for (int t = 0; t < T; ++t) wr[j][t] = w[j * wstride + t];
  float br[MB];
  for (int j = 0; j < MB; ++j) br[j] = ACC || !b ? 0.0f : b[j];
  const int64_t nv = n / kLanes * kLanes;
  taps_loop<T, MB, ACC, false>(y, p, wr, br, nv);
  if (nv == n) return;
  float tmp[MB][kLanes];
  float* ty[MB];
  for (int j = 0; j < MB; ++j) {
    ty[j] = tmp[j];
    if (ACC) copy_row<I>(tmp[j], y[j] + nv, n - nv);
  }
  for (int t = 0; t < T; ++t) p[t] += nv;
  taps_loop<T, MB, ACC, true>(ty, p, wr, br, kLanes);
  for (int j = 0; j < MB; ++j) copy_row<I>(y[j] + nv, tmp[j], n - nv);
}

// Runtime tap count, one output row: y[i] (+)= sum_t w[t] * p_t[i].
inline void taps_any_row(float* __restrict y, const float* plane, const DirectConv& a, int64_t oh, const float* w,
                         float b, bool acc, int64_t n) {
  if (!acc) std::fill(y, y + n, b);
  int64_t t = 0;
  for (int64_t kh = 0; kh < a.g.k[1]; ++kh)
    for (int64_t kw = 0; kw < a.g.k[2]; ++kw, ++t) {
      const float* __restrict p = plane + a.l.tap_offset(oh, a.g.s[1], kh, a.g.d[1], kw, a.g.d[2]);
      const float wt = w[t];
      for (int64_t i = 0; i < n; ++i) y[i] += wt * p[i];
    }
}

// The taps' source pointers of output row oh (flat mode: oh = 0) for one channel's phase plane
// (T <= 25 taps, from the precomputed row-0 offsets).
template <int T>
inline void tap_pointers(const DirectConv& a, const float* plane, int64_t oh, const float** p) {
  static_assert(T <= 25, "DirectConv::tap0 holds 25 taps");
  const float* row = plane + oh * a.row_step();
  for (int t = 0; t < T; ++t) p[t] = row + a.tap0[t];
}

// MB output channels from m: `rows` rows of n outputs at dst[j] + row * dst_stride.
template <Isa I, int T, int MB>
inline void block_fixed(const DirectConv& a, const float* planes, int64_t m, float* const* dst, int64_t rows, int64_t n,
                        int64_t dst_stride) {
  const float* p[T];
  float* y[MB];
  const int64_t wstride = a.cg * T;
  const float* b = a.bias ? a.bias + m : nullptr;
  for (int64_t oh = 0; oh < rows; ++oh) {
    for (int j = 0; j < MB; ++j) y[j] = dst[j] + oh * dst_stride;
    for (int64_t c = 0; c < a.cg; ++c) {
      tap_pointers<T>(a, planes + c * a.l.plane(), oh, p);
      const float* w = a.w + m * wstride + c * T;
      if (c == 0)
        taps_fixed<I, T, MB, false>(y, p, w, wstride, b, n);
      else
        taps_fixed<I, T, MB, true>(y, p, w, wstride, b, n);
    }
  }
}

// One output channel, any kernel size.
inline void block_any(const DirectConv& a, const float* planes, int64_t m, float* const* dst, int64_t rows, int64_t n,
                      int64_t dst_stride) {
  const int64_t taps = a.g.k[1] * a.g.k[2];
  const float b = a.bias ? a.bias[m] : 0.0f;
  for (int64_t oh = 0; oh < rows; ++oh)
    for (int64_t c = 0; c < a.cg; ++c)
      taps_any_row(dst[0] + oh * dst_stride, planes + c * a.l.plane(), a, oh, a.w + (m * a.cg + c) * taps, b, c > 0, n);
}

template <Isa I>
inline void transform_planes(const DirectConv& a, const float* x, float* dst) {
  const int64_t hw = a.g.in[1] * a.g.in[2];
  for (int64_t c = 0; c < a.cg; ++c)
    phase_transform<I>(a.l, x + c * hw, a.g.in[1], a.g.in[2], 0.0f, dst + c * a.l.plane());
}

template <Isa I>
inline void compact(const DirectConv& a, const float* flat, int64_t count, float* y) {
  const int64_t oh = a.g.out[1], ow = a.g.out[2];
  for (int64_t q = 0; q < count; ++q)
    for (int64_t r = 0; r < oh; ++r)
      copy_row<I>(y + (q * oh + r) * ow, flat + q * a.flat_len() + r * a.flat_stride(), ow);
}

}  // namespace direct_detail

// Each hot loop is its own per-ISA entry point: GCC vectorizes these reliably, while one flattened
// function holding every instantiation left the larger ones scalar.
#define FS_DIRECT_BLOCK_PARAMS \
  (const DirectConv& a, const float* planes, int64_t m, float* const* dst, int64_t rows, int64_t n, int64_t stride)
FS_CPU_ISA_VARIANTS(direct_block_9x1, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_fixed<kIsa, 9, 1>(a, planes, m, dst, rows, n, stride))
FS_CPU_ISA_VARIANTS(direct_block_9x4, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_fixed<kIsa, 9, 4>(a, planes, m, dst, rows, n, stride))
FS_CPU_ISA_VARIANTS(direct_block_25x1, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_fixed<kIsa, 25, 1>(a, planes, m, dst, rows, n, stride))
FS_CPU_ISA_VARIANTS(direct_block_25x4, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_fixed<kIsa, 25, 4>(a, planes, m, dst, rows, n, stride))
FS_CPU_ISA_VARIANTS(direct_block_3x1, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_fixed<kIsa, 3, 1>(a, planes, m, dst, rows, n, stride))
FS_CPU_ISA_VARIANTS(direct_block_3x4, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_fixed<kIsa, 3, 4>(a, planes, m, dst, rows, n, stride))
FS_CPU_ISA_VARIANTS(direct_block_any, FS_DIRECT_BLOCK_PARAMS,
                    direct_detail::block_any(a, planes, m, dst, rows, n, stride))
#undef FS_DIRECT_BLOCK_PARAMS
FS_CPU_ISA_VARIANTS(direct_transform, (const DirectConv& a, const float* x, float* dst),
                    direct_detail::transform_planes<kIsa>(a, x, dst))

// Copies `count` channels' flat results (rows flat_stride() apart, channels flat_len() apart) into
// OW-wide output rows.
FS_CPU_ISA_VARIANTS(direct_compact, (const DirectConv& a, const float* flat, int64_t count, float* y),
                    direct_detail::compact<kIsa>(a, flat, count, y))

// One output channel of a 3x3 window with horizontal dilation 1 and stride 1 or 2, AVX-512: per kernel
// row, the three taps come from one or two loads shifted in registers (valignd) instead of three
// unaligned loads, which bound the generic block (a load per tap and output vector). Same sums in the
// same order as block_fixed<9, 1>, so the results are identical. Reads up to 31 floats past a row's
// n outputs (inside the scratch's slack); other geometries go to the generic block.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 on its own _mm512_undefined_* in the intrinsics
namespace direct_detail {
// The three taps of one kernel row added to acc for the 16 outputs read from r (w: the row's three
// weights): stride 1 = r[j], r[j + 1], r[j + 2]; stride 2 = phase 0 at j, phase 1 at j, phase 0 at j + 1.
[[gnu::target("avx512f,avx512vl,fma"), gnu::always_inline]] inline __m512 row3_avx512(const float* r, const __m512* w,
                                                                                      bool s2, int64_t len,
                                                                                      __m512 acc) {
  const __m512 v0 = _mm512_loadu_ps(r), v1 = _mm512_loadu_ps(r + 16);
  const __m512 sh1 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v1), _mm512_castps_si512(v0), 1));
  if (s2) {
    acc = _mm512_fmadd_ps(w[0], v0, acc);
    acc = _mm512_fmadd_ps(w[1], _mm512_loadu_ps(r + len), acc);
    return _mm512_fmadd_ps(w[2], sh1, acc);
  }
  const __m512 sh2 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v1), _mm512_castps_si512(v0), 2));
  acc = _mm512_fmadd_ps(w[0], v0, acc);
  acc = _mm512_fmadd_ps(w[1], sh1, acc);
  return _mm512_fmadd_ps(w[2], sh2, acc);
}
// Two output rows at once (one input channel, vertical dilation 1, stride S): input rows 0..S+2 of
// the pair are loaded and shifted once each and feed both rows - row 0 with kernel rows 0..2, row 1
// with kernel rows rr - S - in the same order as row3_avx512, so the sums are identical.
template <int S>
[[gnu::target("avx512f,avx512vl,fma"), gnu::always_inline]] inline void two_rows_avx512(
    const float* base, int64_t row_stride, const __m512* w, bool s2, int64_t len, __m512& acc0, __m512& acc1) {
#pragma GCC unroll 8
  for (int rr = 0; rr < S + 3; ++rr) {
    const float* r = base + rr * row_stride;
    const __m512 v0 = _mm512_loadu_ps(r), v1 = _mm512_loadu_ps(r + 16);
    const __m512 t0 = v0;
    const __m512 sh1 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v1), _mm512_castps_si512(v0), 1));
    const __m512 t1 = s2 ? _mm512_loadu_ps(r + len) : sh1;
    const __m512 t2 =
        s2 ? sh1 : _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v1), _mm512_castps_si512(v0), 2));
    if (rr <= 2) {
      acc0 = _mm512_fmadd_ps(w[rr * 3 + 0], t0, acc0);
      acc0 = _mm512_fmadd_ps(w[rr * 3 + 1], t1, acc0);
      acc0 = _mm512_fmadd_ps(w[rr * 3 + 2], t2, acc0);
    }
    if (rr >= S) {
      acc1 = _mm512_fmadd_ps(w[(rr - S) * 3 + 0], t0, acc1);
      acc1 = _mm512_fmadd_ps(w[(rr - S) * 3 + 1], t1, acc1);
      acc1 = _mm512_fmadd_ps(w[(rr - S) * 3 + 2], t2, acc1);
    }
  }
}
}  // namespace direct_detail
[[gnu::target("avx512f,avx512vl,fma")]] inline void direct_block_3x3_avx512(const DirectConv& a, const float* planes,
                                                                            int64_t m, float* const* dst, int64_t rows,
                                                                            int64_t n, int64_t dst_stride) {
  if (a.g.d[2] != 1 || a.l.phases > 2) {
    direct_block_9x1_avx512(a, planes, m, dst, rows, n, dst_stride);
    return;
  }
  const bool s2 = a.l.phases == 2;
  const int64_t len = a.l.len, wstride = a.cg * 9;
  const float b = a.bias ? a.bias[m] : 0.0f;
  int64_t first = 0;  // rows before `first` are done in pairs
  if (a.cg == 1 && a.g.d[1] == 1 && (a.g.s[1] == 1 || a.g.s[1] == 2) && dst_stride > 0) {
    const int64_t rs = a.l.row_stride();
    __m512 wr[9];
    for (int t = 0; t < 9; ++t) wr[t] = _mm512_set1_ps(a.w[m * 9 + t]);
    for (; first + 1 < rows; first += 2) {
      const float* base = planes + first * a.row_step();
      float* y0 = dst[0] + first * dst_stride;
      float* y1 = y0 + dst_stride;
      for (int64_t i = 0; i < n; i += 16) {
        __m512 acc0 = _mm512_set1_ps(b), acc1 = acc0;
        if (a.g.s[1] == 1)
          direct_detail::two_rows_avx512<1>(base + i, rs, wr, s2, len, acc0, acc1);
        else
          direct_detail::two_rows_avx512<2>(base + i, rs, wr, s2, len, acc0, acc1);
        if (n - i >= 16) {
          _mm512_storeu_ps(y0 + i, acc0);
          _mm512_storeu_ps(y1 + i, acc1);
        } else {
          const __mmask16 k = static_cast<__mmask16>((1u << (n - i)) - 1);
          _mm512_mask_storeu_ps(y0 + i, k, acc0);
          _mm512_mask_storeu_ps(y1 + i, k, acc1);
        }
      }
    }
  }
  for (int64_t oh = first; oh < rows; ++oh) {
    float* y = dst[0] + oh * dst_stride;
    for (int64_t c = 0; c < a.cg; ++c) {
      const float* w = a.w + m * wstride + c * 9;
      __m512 wr[9];
      for (int t = 0; t < 9; ++t) wr[t] = _mm512_set1_ps(w[t]);
      const float* row[3];
      for (int kh = 0; kh < 3; ++kh) row[kh] = planes + c * a.l.plane() + oh * a.row_step() + a.tap0[kh * 3];
      int64_t i = 0;
      for (; i + 32 <= n; i += 32) {
        __m512 a0 = c == 0 ? _mm512_set1_ps(b) : _mm512_loadu_ps(y + i);
        __m512 a1 = c == 0 ? _mm512_set1_ps(b) : _mm512_loadu_ps(y + i + 16);
        for (int kh = 0; kh < 3; ++kh) {
          a0 = direct_detail::row3_avx512(row[kh] + i, wr + kh * 3, s2, len, a0);
          a1 = direct_detail::row3_avx512(row[kh] + i + 16, wr + kh * 3, s2, len, a1);
        }
        _mm512_storeu_ps(y + i, a0);
        _mm512_storeu_ps(y + i + 16, a1);
      }
      for (; i < n; i += 16) {
        const __mmask16 k = n - i >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1);
        __m512 acc = c == 0 ? _mm512_set1_ps(b) : _mm512_maskz_loadu_ps(k, y + i);
        for (int kh = 0; kh < 3; ++kh) acc = direct_detail::row3_avx512(row[kh] + i, wr + kh * 3, s2, len, acc);
        _mm512_mask_storeu_ps(y + i, k, acc);
      }
    }
  }
}
#pragma GCC diagnostic pop

// The functions of one convolution for one ISA: `four` computes 4 output channels at once (null
// when only `one` exists).
struct DirectFns {
  void (*one)(const DirectConv&, const float*, int64_t, float* const*, int64_t, int64_t, int64_t) = nullptr;
  void (*four)(const DirectConv&, const float*, int64_t, float* const*, int64_t, int64_t, int64_t) = nullptr;
  void (*transform)(const DirectConv&, const float*, float*) = nullptr;
  void (*compact)(const DirectConv&, const float*, int64_t, float*) = nullptr;
};

inline DirectFns direct_fns(Isa isa, int64_t kh, int64_t kw) {
  DirectFns f;
  f.transform = direct_transform_table().pick(isa);
  f.compact = direct_compact_table().pick(isa);
  if (kh == 3 && kw == 3) {
    f.one = isa == Isa::Avx512 ? &direct_block_3x3_avx512 : direct_block_9x1_table().pick(isa);
    f.four = direct_block_9x4_table().pick(isa);
  } else if (kh == 5 && kw == 5) {
    f.one = direct_block_25x1_table().pick(isa);
    f.four = direct_block_25x4_table().pick(isa);
  } else if (kh == 1 && kw == 3) {
    f.one = direct_block_3x1_table().pick(isa);
    f.four = direct_block_3x4_table().pick(isa);
  } else {
    f.one = direct_block_any_table().pick(isa);
  }
  return f;
}

// Output channels [m, m + count) of one group: x = the group's first input plane, y = channel m's
// output plane, scratch = DirectConv::scratch_floats() floats.
inline void direct_channels(const DirectConv& a, const DirectFns& f, const float* x, int64_t m, int64_t count, float* y,
                            float* scratch) {
  f.transform(a, x, scratch);
  float* flat_buf = scratch + a.cg * a.l.plane();
  const int64_t ohw = a.g.out[1] * a.g.out[2];
  const int64_t rows = a.flat ? 1 : a.g.out[1];
  const int64_t n = a.flat ? a.flat_len() : a.g.out[2];
  const int64_t stride = a.flat ? 0 : a.g.out[2];
  int64_t j = 0;
  while (j < count) {
    const int mb = count - j >= 4 && f.four ? 4 : 1;
    float* dst[4];
    for (int q = 0; q < mb; ++q) dst[q] = a.flat ? flat_buf + q * n : y + (j + q) * ohw;
    (mb == 4 ? f.four : f.one)(a, scratch, m + j, dst, rows, n, stride);
    if (a.flat) f.compact(a, flat_buf, mb, y + j * ohw);
    j += mb;
  }
}

}  // namespace fs::cpu
