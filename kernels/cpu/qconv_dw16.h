// The AVX-512 depthwise path of cpu QLinearConv: 16 channels per vector (channels-last inside the
// kernel, NCHW outside it), so that small planes (7 x 7, 14 x 14) waste no lanes and stride 2 needs no
// phase planes. Per (image, block of 16 channels, strip of output rows):
//   1. T[row][col][16] = float(x - x_zp) of the strip's input rows, padding zero: 16 channel rows of
//      16 pixels are converted and transposed in registers (a 16 x 16 float transpose);
//   2. for each output position, acc[16] = bias + sum over taps of T[..][..] * w[tap][16] (vfmadd with
//      the input as memory operand, 8 positions per pass sharing each weight vector);
//   3. acc transposed back to [16 channels][positions] and requantized per channel row into y.
// Exact as the NCHW direct path: every product is an integer <= 255 * 255 in magnitude and every partial
// sum stays below 2^24 (the caller checks kh * kw and the folded bias), so no float operation rounds and
// the order of summation does not matter.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace fs::cpu::dw16 {

// r[i] lane j -> r[j] lane i.
[[gnu::target("avx512f"), gnu::always_inline]] inline void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
    const __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (int h = 0; h < 16; h += 8)
    for (int i = 0; i < 4; ++i) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xdd);
    }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
  }
}

struct Geom {
  int64_t h = 0, w = 0, oh = 0, ow = 0;  // input and output plane
  int64_t kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
  int64_t wp = 0;  // T's width in pixels: pl + w, or more if the windows reach further
};

inline Geom make_geom(int64_t h, int64_t w, int64_t oh, int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                      int64_t dh, int64_t dw, int64_t pt, int64_t pl) {
  Geom g{h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, 0};
  g.wp = std::max(pl + w, (ow - 1) * sw + (kw - 1) * dw + 1);
  return g;
}
// Input rows of T for `rows` output rows.
inline int64_t span_rows(const Geom& g, int64_t rows) { return (rows - 1) * g.sh + (g.kh - 1) * g.dh + 1; }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Step 1 for output rows starting at r0: x points at channel c0's plane, planes apart by g.h * g.w,
// nc <= 16 channels (the others' lanes are zero).
[[gnu::target("avx512f,avx512bw,avx512vl")]] inline void build_t(const Geom& g, const uint8_t* x, int nc, int32_t zp,
                                                                 int64_t r0, int64_t span, float* t) {
  const int64_t row_floats = g.wp * 16, plane = g.h * g.w;
  const __m512i z = _mm512_set1_epi32(zp);
  for (int64_t lr = 0; lr < span; ++lr) {
    float* tr = t + lr * row_floats;
    const int64_t ih = r0 * g.sh - g.pt + lr;
    if (ih < 0 || ih >= g.h) {
      for (int64_t i = 0; i < row_floats; i += 16) _mm512_storeu_ps(tr + i, _mm512_setzero_ps());
      continue;
    }
    for (int64_t i = 0; i < g.pl; ++i) _mm512_storeu_ps(tr + i * 16, _mm512_setzero_ps());
    for (int64_t i = g.pl + g.w; i < g.wp; ++i) _mm512_storeu_ps(tr + i * 16, _mm512_setzero_ps());
    const uint8_t* xr = x + ih * g.w;
    for (int64_t w0 = 0; w0 < g.w; w0 += 16) {
      const int64_t nw = std::min<int64_t>(16, g.w - w0);
      const __mmask16 k = static_cast<__mmask16>((1u << nw) - 1);
      // Fully unrolled so that v stays in registers (a loop over nw stores became a memcpy from the stack).
      __m512 v[16];
#pragma GCC unroll 16
      for (int c = 0; c < 16; ++c)
        v[c] = c < nc ? _mm512_cvtepi32_ps(
                            _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, xr + c * plane + w0)), z))
                      : _mm512_setzero_ps();
      transpose16(v);
      float* o = tr + (g.pl + w0) * 16;
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j)
        if (j < nw) _mm512_storeu_ps(o + j * 16, v[j]);
    }
  }
}

// Step 2 for `rows` output rows: acc[(r * ow + q) * 16 + lane], init = bias lanes (or zero).
template <int NB>
[[gnu::target("avx512f"), gnu::always_inline]] inline void taps_block(const Geom& g, const float* trow, const float* w,
                                                                      __m512 init, float* acc) {
  __m512 a[NB];
#pragma GCC unroll 8
  for (int i = 0; i < NB; ++i) a[i] = init;
  const int64_t row_floats = g.wp * 16, step = g.sw * 16;
  for (int64_t ka = 0; ka < g.kh; ++ka) {
    const float* r = trow + ka * g.dh * row_floats;
    for (int64_t kb = 0; kb < g.kw; ++kb) {
      const __m512 wv = _mm512_loadu_ps(w + (ka * g.kw + kb) * 16);
      const float* p = r + kb * g.dw * 16;
#pragma GCC unroll 8
      for (int i = 0; i < NB; ++i) a[i] = _mm512_fmadd_ps(_mm512_loadu_ps(p + i * step), wv, a[i]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < NB; ++i) _mm512_storeu_ps(acc + i * 16, a[i]);
}

[[gnu::target("avx512f")]] inline void taps(const Geom& g, const float* t, const float* w, const float* bias16,
                                            int64_t rows, float* acc) {
  const __m512 init = bias16 ? _mm512_loadu_ps(bias16) : _mm512_setzero_ps();
  const int64_t row_floats = g.wp * 16;
  for (int64_t r = 0; r < rows; ++r) {
    const float* trow = t + r * g.sh * row_floats;
    float* ar = acc + r * g.ow * 16;
    int64_t q = 0;
    for (; q + 8 <= g.ow; q += 8) taps_block<8>(g, trow + q * g.sw * 16, w, init, ar + q * 16);
    for (; q + 4 <= g.ow; q += 4) taps_block<4>(g, trow + q * g.sw * 16, w, init, ar + q * 16);
    for (; q < g.ow; ++q) taps_block<1>(g, trow + q * g.sw * 16, w, init, ar + q * 16);
  }
}

// Step 3's transpose: acc [n][16] (n positions) -> out [16][ld] (channel rows), n rounded up to 16
// (acc holds that many, the extra ones unused).
[[gnu::target("avx512f")]] inline void to_channel_rows(const float* acc, int64_t n, float* out, int64_t ld) {
  for (int64_t p0 = 0; p0 < n; p0 += 16) {
    __m512 v[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) v[j] = _mm512_loadu_ps(acc + (p0 + j) * 16);
    transpose16(v);
#pragma GCC unroll 16
    for (int c = 0; c < 16; ++c) _mm512_storeu_ps(out + c * ld + p0, v[c]);
  }
}
#pragma GCC diagnostic pop

}  // namespace fs::cpu::dw16
