// Cpu QLinearConv: the exact accumulation of (x - x_zp) * (w - w_zp) plus the int32 bias, requantized
// with one float32 multiplier per output channel as ONNX Runtime does: m = float(x_scale) *
// float(w_scale[m]) / float(y_scale) in float32, y = saturate(round_half_even(float(acc + bias) * m)
// + y_zp); w's scale and zero point per tensor or per channel.
//
// Fast paths (uint8 x, int8 w, 2-D, every accumulator + bias within int32), with the per-channel
// constants (multipliers, bias + compensation, converted weights) prepared once when they are
// constant:
// - depthwise: x - x_zp as floats through float FMAs. Exact: every product is an integer of magnitude
//   <= 255 * 255 and every partial sum stays below 2^24 while kh * kw <= 258, so no float operation
//   rounds. Output rows <= 16 wide on AVX-512: blocks of 16 channels (qconv_dw16.h); otherwise phase
//   planes through the fp32 direct kernel of conv_direct_util.h.
// - everything else: per tile of output channels x positions, a dense B = x - 128 as int8 (pointwise:
//   gathered from x; otherwise from the im2col rows) with its column sums, C' = (W + 128) * B by
//   oneDNN's matmul primitive (int8_matmul.h: exact with AVX512-VNNI, an exact double GEMM elsewhere)
//   and acc = C' - (128 + w_zp[m]) * colsum(B) + bias + (128 - x_zp) * (rowsum(W) - w_zp[m] * K),
//   requantized while the tile is in cache, straight into y's NCHW rows.
// Everything else (other dtypes, 1-D / 3-D, huge bias): im2col + double GEMM, exact.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "kernels/cpu/conv_direct_util.h"
#include "kernels/cpu/conv_gemm_util.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/ew_qgemm_util.h"
#include "kernels/cpu/flipscope_int8_util.h"
#include "kernels/cpu/int8_matmul.h"
#include "kernels/cpu/qconv_dw16.h"

namespace fs::cpu {
namespace {

namespace qconv_detail {

// Adding and subtracting 1.5 * 2^23 leaves the integer nearest to v (ties to even, the default
// rounding mode) for |v| <= 4e6 < 2^22, as nearbyintf does; larger |v| saturate any 8-bit type, so v
// is clamped first.
constexpr float kMagic = 12582912.0f;
constexpr float kClamp = 4.0e6f;

// y[r * ldy + i] = saturate(round_half_even(float(acc[r * lda + i] + bias[r * cs] - fac[r * cs] * col[i]) *
// mult[r * cs]) + yzp) for r < rows, i < n (cs = 1: a row per channel; cs = 0: rows of one channel); a NaN
// product gives 0 (as in the reference). acc is int32, or float holding exact integers (the depthwise path).
// col / fac (int32 acc only; may be null): the GEMM path's per-column zero-point correction, in wrapping int32
// arithmetic (the true sum fits, intermediate terms need not). One loop the compiler vectorizes per ISA.
template <typename Y, typename A>
inline void requant_rows(const A* acc, int64_t lda, const int32_t* bias, const float* mult, int64_t cs,
                         const int32_t* col, const int32_t* fac, float yzp, Y* y, int64_t ldy, int64_t rows,
                         int64_t n) {
  constexpr float lo = static_cast<float>(std::numeric_limits<Y>::lowest());
  constexpr float hi = static_cast<float>(std::numeric_limits<Y>::max());
  for (int64_t r = 0; r < rows; ++r) {
    const A* __restrict a = acc + r * lda;
    Y* __restrict o = y + r * ldy;
    const int32_t b = bias ? bias[r * cs] : 0;
    const uint32_t f = col ? static_cast<uint32_t>(fac[r * cs]) : 0;
    const float m = mult[r * cs];
    // Written as comparisons that map to vmaxps / vminps (which return the second operand for a NaN);
    // the NaN test is taken on v itself.
    for (int64_t i = 0; i < n; ++i) {
      int32_t ai = static_cast<int32_t>(a[i]);
      if constexpr (std::is_same_v<A, int32_t>)
        if (col) ai = static_cast<int32_t>(static_cast<uint32_t>(ai) - f * static_cast<uint32_t>(col[i]));
      const float v = static_cast<float>(ai + b) * m;
      float c = v > -kClamp ? v : -kClamp;
      c = c < kClamp ? c : kClamp;
      float q = (c + kMagic) - kMagic + yzp;
      q = v == v ? q : 0.0f;
      q = q > lo ? q : lo;
      q = q < hi ? q : hi;
      o[i] = static_cast<Y>(static_cast<int32_t>(q));
    }
  }
}

// A [k, cols] tile of the GEMM's B (rows ldd apart: the tile's width, or wider when threads fill parts of
// it) from rows ld apart, each byte xor mask (0x80: uint8 x - 128 as int8), and its column sums
// cs[j] = sum_i dst[i * ldd + j].
inline void gather_b(const int8_t* src, int64_t ld, uint8_t mask, int64_t k, int64_t cols, int8_t* __restrict dst,
                     int64_t ldd, int32_t* __restrict cs) {
  const int8_t m = static_cast<int8_t>(mask);
  for (int64_t j = 0; j < cols; ++j) cs[j] = 0;
  for (int64_t i = 0; i < k; ++i) {
    const int8_t* __restrict s = src + i * ld;
    int8_t* __restrict d = dst + i * ldd;
    for (int64_t j = 0; j < cols; ++j) {
      const int8_t v = static_cast<int8_t>(s[j] ^ m);
      d[j] = v;
      cs[j] += v;
    }
  }
}

}  // namespace qconv_detail

// The same requantization with AVX-512 / AVX2 intrinsics (GCC's vectorization of the scalar loop
// above kept NaN-safe min / max as compare-and-blend chains and ran row tails scalar). max_ps /
// min_ps return their second operand for a NaN; the NaN test is taken on v itself.
// GCC 12 reports its own _mm512_undefined_* inside the masked intrinsics as maybe-uninitialized.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <typename A>
[[gnu::target("avx512f,avx512bw,avx512vl,avx512dq")]] inline __m512i load16_i32(const A* a, __mmask16 k) {
  if constexpr (std::is_same_v<A, float>)
    return _mm512_cvttps_epi32(_mm512_maskz_loadu_ps(k, a));
  else
    return _mm512_maskz_loadu_epi32(k, a);
}

// 16 outputs (lanes outside k read nothing): v = float(acc + b) * m (acc float without a bias: acc * m),
// then as described below.
// SIMPLE: the multiplier is finite and |m| <= 0.5, so v is never NaN and |v| < 2^30 (|acc + b| <
// 2^31): cvtps2dq needs no clamp and no NaN test - the usual case (m = x_scale * w_scale / y_scale).
// COL: minus f * col[i] (the GEMM path's zero-point correction; int32 acc).
template <typename Y, bool SIMPLE, bool COL, typename A>
[[gnu::target("avx512f,avx512bw,avx512vl,avx512dq"), gnu::always_inline]] inline __m128i quant16(
    const A* a, __mmask16 k, bool add_bias, __m512i b, __m512 m, __m512i zp, const int32_t* col, __m512i f) {
  __m512 v;
  if (!add_bias) {
    v = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, reinterpret_cast<const float*>(a)), m);
  } else {
    __m512i ai = _mm512_add_epi32(load16_i32(a, k), b);
    if constexpr (COL) ai = _mm512_sub_epi32(ai, _mm512_mullo_epi32(f, _mm512_maskz_loadu_epi32(k, col)));
    v = _mm512_mul_ps(_mm512_cvtepi32_ps(ai), m);
  }
  __m512i q;
  if constexpr (SIMPLE) {
    q = _mm512_add_epi32(_mm512_cvtps_epi32(v), zp);
  } else {
    const __m512 c =
        _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-qconv_detail::kClamp)), _mm512_set1_ps(qconv_detail::kClamp));
    q = _mm512_add_epi32(_mm512_cvtps_epi32(c), zp);
    q = _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), q);  // NaN -> 0
  }
  if constexpr (std::is_same_v<Y, uint8_t>)
    return _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, _mm512_setzero_si512()));
  else
    return _mm512_cvtsepi32_epi8(q);
}

// Rounds with cvtps2dq (the default rounding mode: nearest, ties to even, as the magic-number add of
// the scalar loop) on v clamped to +-4e6, adds the zero point in int32 and saturates while storing
// (vpmovusdb after max(0) / vpmovsdb). bias == nullptr: acc already holds acc + bias.
template <typename Y, bool COL, typename A>
[[gnu::target("avx512f,avx512bw,avx512vl,avx512dq")]] void requant_rows_avx512_impl(
    const A* acc, int64_t lda, const int32_t* bias, const float* mult, int64_t cs, const int32_t* col,
    const int32_t* fac, float yzp, Y* y, int64_t ldy, int64_t rows, int64_t n) {
  const __m512i zp = _mm512_set1_epi32(static_cast<int32_t>(yzp));
  for (int64_t r = 0; r < rows; ++r) {
    const A* a = acc + r * lda;
    Y* o = y + r * ldy;
    const __m512i b = _mm512_set1_epi32(bias ? bias[r * cs] : 0);
    const __m512i f = _mm512_set1_epi32(COL ? fac[r * cs] : 0);
    const float mr = mult[r * cs];
    const __m512 m = _mm512_set1_ps(mr);
    int64_t i = 0;
    const bool add_bias = !(std::is_same_v<A, float> && !bias);
    const __mmask16 tail = static_cast<__mmask16>((1u << (n % 16)) - 1);
    if (std::fabs(mr) <= 0.5f) {  // false for NaN
      for (; i + 16 <= n; i += 16)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o + i),
                         quant16<Y, true, COL>(a + i, 0xFFFF, add_bias, b, m, zp, col + i, f));
      if (i < n) _mm_mask_storeu_epi8(o + i, tail, quant16<Y, true, COL>(a + i, tail, add_bias, b, m, zp, col + i, f));
    } else {
      for (; i + 16 <= n; i += 16)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(o + i),
                         quant16<Y, false, COL>(a + i, 0xFFFF, add_bias, b, m, zp, col + i, f));
      if (i < n) _mm_mask_storeu_epi8(o + i, tail, quant16<Y, false, COL>(a + i, tail, add_bias, b, m, zp, col + i, f));
    }
  }
}

template <typename Y, typename A>
void requant_rows_avx512(const A* acc, int64_t lda, const int32_t* bias, const float* mult, int64_t cs,
                         const int32_t* col, const int32_t* fac, float yzp, Y* y, int64_t ldy, int64_t rows,
                         int64_t n) {
  if (std::is_same_v<A, int32_t> && col)
    requant_rows_avx512_impl<Y, true>(acc, lda, bias, mult, cs, col, fac, yzp, y, ldy, rows, n);
  else
    requant_rows_avx512_impl<Y, false>(acc, lda, bias, mult, cs, nullptr, nullptr, yzp, y, ldy, rows, n);
}

#pragma GCC diagnostic pop

template <typename Y, typename A>
[[gnu::target("avx2,fma")]] void requant_rows_avx2(const A* acc, int64_t lda, const int32_t* bias, const float* mult,
                                                   int64_t cs, const int32_t* col, const int32_t* fac, float yzp, Y* y,
                                                   int64_t ldy, int64_t rows, int64_t n) {
  const __m256 cl = _mm256_set1_ps(-qconv_detail::kClamp), ch = _mm256_set1_ps(qconv_detail::kClamp);
  const __m256 magic = _mm256_set1_ps(qconv_detail::kMagic), zp = _mm256_set1_ps(yzp);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(std::numeric_limits<Y>::lowest()));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(std::numeric_limits<Y>::max()));
  const int64_t nv = n / 8 * 8;
  for (int64_t r = 0; r < rows; ++r) {
    const A* a = acc + r * lda;
    Y* o = y + r * ldy;
    const __m256i b = _mm256_set1_epi32(bias ? bias[r * cs] : 0);
    const __m256 m = _mm256_set1_ps(mult[r * cs]);
    const __m256i f = _mm256_set1_epi32(col ? fac[r * cs] : 0);
    for (int64_t i = 0; i < nv; i += 8) {
      __m256i ai;
      if constexpr (std::is_same_v<A, float>) {
        ai = _mm256_cvttps_epi32(_mm256_loadu_ps(a + i));
      } else {
        ai = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
        if (col)
          ai = _mm256_sub_epi32(ai,
                                _mm256_mullo_epi32(f, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + i))));
      }
      const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(ai, b)), m);
      const __m256 c = _mm256_min_ps(_mm256_max_ps(v, cl), ch);
      __m256 q = _mm256_add_ps(_mm256_sub_ps(_mm256_add_ps(c, magic), magic), zp);
      q = _mm256_and_ps(q, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
      q = _mm256_min_ps(_mm256_max_ps(q, lo), hi);
      alignas(32) int32_t t[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(t), _mm256_cvttps_epi32(q));
      for (int j = 0; j < 8; ++j) o[i + j] = static_cast<Y>(t[j]);
    }
    if (nv < n)
      qconv_detail::requant_rows(a + nv, lda, bias ? bias + r * cs : nullptr, mult + r * cs, cs,
                                 col ? col + nv : nullptr, col ? fac + r * cs : nullptr, yzp, o + nv, ldy, 1, n - nv);
  }
}

template <typename Y, typename A>
using RequantFn = void (*)(const A*, int64_t, const int32_t*, const float*, int64_t, const int32_t*, const int32_t*,
                           float, Y*, int64_t, int64_t, int64_t);

template <typename Y, typename A>
RequantFn<Y, A> requant_fn(Isa isa) {
  if (isa == Isa::Avx512) return &requant_rows_avx512<Y, A>;
  if (isa == Isa::Avx2) return &requant_rows_avx2<Y, A>;
  return &qconv_detail::requant_rows<Y, A>;
}
FS_CPU_ISA_VARIANTS(gather_b,
                    (const int8_t* src, int64_t ld, uint8_t mask, int64_t k, int64_t cols, int8_t* dst, int64_t ldd,
                     int32_t* cs),
                    qconv_detail::gather_b(src, ld, mask, k, cols, dst, ldd, cs))

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The same with intrinsics: 64 columns at a time (the tail masked: the scalar tail of the compiler's
// loop took most of the time at 7 x 7 and 14 x 14 positions), column sums in int16 lanes flushed to
// int32 every 256 rows (256 * 128 = 2^15 fits).
[[gnu::target("avx512f,avx512bw,avx512vl")]] void gather_b_avx512_intrin(const int8_t* src, int64_t ld, uint8_t mask,
                                                                         int64_t k, int64_t cols, int8_t* dst,
                                                                         int64_t ldd, int32_t* cs) {
  const __m512i m = _mm512_set1_epi8(static_cast<char>(mask));
  for (int64_t j = 0; j < cols; j += 64) {
    const int64_t w = std::min<int64_t>(64, cols - j);
    const __mmask64 km = w == 64 ? ~__mmask64(0) : (__mmask64(1) << w) - 1;
    __m512i s32[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (int64_t i0 = 0; i0 < k; i0 += 256) {
      const int64_t i1 = std::min(k, i0 + 256);
      __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
      if (w == 64) {
        for (int64_t i = i0; i < i1; ++i) {
          const __m512i v = _mm512_xor_si512(_mm512_loadu_si512(src + i * ld + j), m);
          _mm512_storeu_si512(dst + i * ldd + j, v);
          lo = _mm512_add_epi16(lo, _mm512_cvtepi8_epi16(_mm512_castsi512_si256(v)));
          hi = _mm512_add_epi16(hi, _mm512_cvtepi8_epi16(_mm512_extracti64x4_epi64(v, 1)));
        }
      } else {
        for (int64_t i = i0; i < i1; ++i) {
          const __m512i v = _mm512_xor_si512(_mm512_maskz_loadu_epi8(km, src + i * ld + j), m);
          _mm512_mask_storeu_epi8(dst + i * ldd + j, km, v);
          lo = _mm512_add_epi16(lo, _mm512_cvtepi8_epi16(_mm512_castsi512_si256(v)));
          hi = _mm512_add_epi16(hi, _mm512_cvtepi8_epi16(_mm512_extracti64x4_epi64(v, 1)));
        }
      }
      s32[0] = _mm512_add_epi32(s32[0], _mm512_cvtepi16_epi32(_mm512_castsi512_si256(lo)));
      s32[1] = _mm512_add_epi32(s32[1], _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(lo, 1)));
      s32[2] = _mm512_add_epi32(s32[2], _mm512_cvtepi16_epi32(_mm512_castsi512_si256(hi)));
      s32[3] = _mm512_add_epi32(s32[3], _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(hi, 1)));
    }
    for (int q = 0; q < 4; ++q) {
      const int64_t n = std::clamp<int64_t>(w - 16 * q, 0, 16);
      if (n > 0) _mm512_mask_storeu_epi32(cs + j + 16 * q, static_cast<__mmask16>((1u << n) - 1), s32[q]);
    }
  }
}
#pragma GCC diagnostic pop

// ---- depthwise input: a uint8 plane as the float phase plane of x - zp -------------------------
// Same layout as phase_transform (conv_util.h), written for a range of plane rows [r0, r1) into
// dst (dst row 0 = plane row r0): rows outside the input are zeroed, and inside rows only their
// interior columns are written - the padding columns (0 = x_zp - x_zp) are the same for every row
// and plane, so a thread's buffer has them zeroed once per geometry. Per phase p, element j of a row
// reads input column j * phases + off[p] for j in [lo[p], hi[p]).
struct PhaseInterior {
  PhaseLayout l;
  int64_t h = 0, w = 0;
  int64_t lo[4] = {}, hi[4] = {}, off[4] = {};  // phases <= 4 (strides up to 4 take this path)
};

inline PhaseInterior phase_interior(const PhaseLayout& l, int64_t h, int64_t w) {
  if (l.phases > 4) throw std::logic_error("QLinearConv depthwise path: stride above 4 (the caller must not plan it)");
  PhaseInterior pi;
  pi.l = l;
  pi.h = h;
  pi.w = w;
  for (int64_t p = 0; p < l.phases; ++p) {
    const Range v = valid_outputs(l.len, l.phases, p - l.pl, w);
    pi.lo[p] = v.lo;
    pi.hi[p] = v.hi;
    pi.off[p] = p - l.pl;
  }
  return pi;
}

inline void phase_row_scalar(const uint8_t* src, int64_t phases, int32_t zp, float* o, int64_t n) {
  for (int64_t j = 0; j < n; ++j) o[j] = static_cast<float>(static_cast<int32_t>(src[j * phases]) - zp);
}

inline void phase_rows_generic(const PhaseInterior& pi, const uint8_t* x, int32_t zp, float* dst, int64_t r0,
                               int64_t r1) {
  const PhaseLayout& l = pi.l;
  for (int64_t r = r0; r < r1; ++r) {
    float* orow = dst + (r - r0) * l.row_stride();
    const int64_t ih = r - l.pt;
    if (ih < 0 || ih >= pi.h) {
      std::fill(orow, orow + l.row_stride(), 0.0f);
      continue;
    }
    for (int64_t p = 0; p < l.phases; ++p)
      phase_row_scalar(x + ih * pi.w + pi.off[p] + pi.lo[p] * l.phases, l.phases, zp, orow + p * l.len + pi.lo[p],
                       pi.hi[p] - pi.lo[p]);
  }
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Stride 1 and 2 with masked loads that never read past the input row; other strides scalar.
[[gnu::target("avx512f,avx512bw,avx512vl")]] void phase_rows_avx512(const PhaseInterior& pi, const uint8_t* x,
                                                                    int32_t zp, float* dst, int64_t r0, int64_t r1) {
  const PhaseLayout& l = pi.l;
  if (l.phases > 2) {
    phase_rows_generic(pi, x, zp, dst, r0, r1);
    return;
  }
  const __m512i z = _mm512_set1_epi32(zp), low = _mm512_set1_epi32(0xFF);
  const int64_t rs = l.row_stride();
  // Rows above and below the input are zero; the interior rows share every per-row constant.
  const int64_t in0 = std::clamp(l.pt, r0, r1), in1 = std::clamp(l.pt + pi.h, in0, r1);
  for (int64_t r = r0; r < in0; ++r) fill_masked(dst + (r - r0) * rs, 0.0f, rs);
  for (int64_t r = in1; r < r1; ++r) fill_masked(dst + (r - r0) * rs, 0.0f, rs);
  const uint8_t* row = x + (in0 - l.pt) * pi.w;
  float* orow = dst + (in0 - r0) * rs;
  if (l.phases == 1) {
    // Full vectors unmasked (masked stores are slow on some AMD cores), the tail masked.
    const int64_t n = pi.hi[0] - pi.lo[0], full = n / 16 * 16;
    const __mmask16 k = static_cast<__mmask16>((1u << (n - full)) - 1);
    const uint8_t* src0 = row + pi.off[0] + pi.lo[0];
    float* o0 = orow + pi.lo[0];
    for (int64_t r = in0; r < in1; ++r, src0 += pi.w, o0 += rs) {
      for (int64_t j = 0; j < full; j += 16) {
        const __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src0 + j)));
        _mm512_storeu_ps(o0 + j, _mm512_cvtepi32_ps(_mm512_sub_epi32(v, z)));
      }
      if (k) {
        const __m512i v = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, src0 + full));
        _mm512_mask_storeu_ps(o0 + full, k, _mm512_cvtepi32_ps(_mm512_sub_epi32(v, z)));
      }
    }
    return;
  }
  // Stride 2 in one pass over each row: a little-endian word holds columns 2i (low byte) and 2i + 1
  // (high byte); column c goes to phase (c + pl) % 2, element (c + pl) / 2. Whole words whose two
  // elements are inside their phases' ranges run 16 at a time, the rest scalar.
  const int64_t ev = l.pl % 2, ph_lo = ev, ph_hi = 1 - ev, base_lo = l.pl / 2, base_hi = (l.pl + 1) / 2;
  const int64_t words = std::max<int64_t>(0, std::min({pi.w / 2, pi.hi[ph_lo] - base_lo, pi.hi[ph_hi] - base_hi}));
  const int64_t full = words / 16 * 16;
  const __mmask16 k = static_cast<__mmask16>((1u << (words - full)) - 1);
  for (int64_t r = in0; r < in1; ++r, row += pi.w, orow += rs) {
    float* out_lo = orow + ph_lo * l.len + base_lo;
    float* out_hi = orow + ph_hi * l.len + base_hi;
    for (int64_t i = 0; i < full; i += 16) {
      const __m512i wv = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * i)));
      _mm512_storeu_ps(out_lo + i, _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_and_si512(wv, low), z)));
      _mm512_storeu_ps(out_hi + i, _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(wv, 8), z)));
    }
    if (k) {
      const __m512i wv = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, row + 2 * full));
      _mm512_mask_storeu_ps(out_lo + full, k, _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_and_si512(wv, low), z)));
      _mm512_mask_storeu_ps(out_hi + full, k, _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(wv, 8), z)));
    }
    for (int64_t c = 2 * words; c < pi.w; ++c) {  // an odd last column, or columns the window never reads
      const int64_t t = c + l.pl, p = t % 2, j = t / 2;
      if (j < pi.hi[p]) orow[p * l.len + j] = static_cast<float>(static_cast<int32_t>(row[c]) - zp);
    }
  }
}
#pragma GCC diagnostic pop

using PhaseU8Fn = void (*)(const PhaseInterior&, const uint8_t*, int32_t, float*, int64_t, int64_t);
inline PhaseU8Fn phase_u8_fn(Isa isa) {
  if (isa == Isa::Avx512) return &phase_rows_avx512;
  return &phase_rows_generic;
}

// ---- im2col rows: d[q] = src[q * stride] - 128 as int8, q < n ---------------------------------
inline void im2col_row_scalar(const uint8_t* src, int64_t stride, int8_t* d, int64_t n) {
  for (int64_t q = 0; q < n; ++q) d[q] = static_cast<int8_t>(src[q * stride] ^ 0x80);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Stride 1: masked byte moves; stride 2: the low bytes of whole 16-bit words (never reading past
// src + avail); other strides scalar.
[[gnu::target("avx512f,avx512bw,avx512vl")]] void im2col_row_avx512(const uint8_t* src, int64_t stride, int8_t* d,
                                                                    int64_t n, int64_t avail) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  // Full vectors unmasked (masked stores are slow on some AMD cores), the tail masked.
  if (stride == 1) {
    int64_t q = 0;
    for (; q + 64 <= n; q += 64) _mm512_storeu_si512(d + q, _mm512_xor_si512(_mm512_loadu_si512(src + q), flip));
    if (q < n) {
      const __mmask64 k = (__mmask64(1) << (n - q)) - 1;
      _mm512_mask_storeu_epi8(d + q, k, _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, src + q), flip));
    }
    return;
  }
  int64_t q = 0;
  if (stride == 2) {
    const int64_t whole = std::min(n, avail / 2);
    const __m256i flip32 = _mm256_set1_epi8(static_cast<char>(0x80));
    for (; q + 32 <= whole; q += 32)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + q),
                          _mm256_xor_si256(_mm512_cvtepi16_epi8(_mm512_loadu_si512(src + 2 * q)), flip32));
    if (q < whole) {
      const __mmask32 k = (__mmask32(1) << (whole - q)) - 1;
      const __m256i lo = _mm512_cvtepi16_epi8(_mm512_maskz_loadu_epi16(k, src + 2 * q));
      _mm256_mask_storeu_epi8(d + q, k, _mm256_xor_si256(lo, flip32));
    }
    q = whole;
  }
  im2col_row_scalar(src + q * stride, stride, d + q, n - q);
}
#pragma GCC diagnostic pop

// The same requantization for the generic path: double accumulators in y's layout [N, M, vol],
// bias and scales read from the node's inputs.
inline float round_even(float v) {
  v = std::clamp(v, -qconv_detail::kClamp, qconv_detail::kClamp);
  return (v + qconv_detail::kMagic) - qconv_detail::kMagic;
}

template <typename Y, typename A>
void requantize_conv(const KernelContext& ctx, const ew::QConvGeom& g, const A* acc, Y* y, int nt) {
  std::vector<double> ws = ew::as_doubles(ctx.in(4));
  std::vector<double> bias = ctx.has_input(8) ? ew::as_doubles(ctx.in(8)) : std::vector<double>();
  const double x_scale = ctx.in(1).get_f64(0), y_scale = ctx.in(6).get_f64(0);
  const float yzp = ctx.has_input(7) ? static_cast<float>(ctx.in(7).get_f64(0)) : 0.0f;
  const float lo = std::numeric_limits<Y>::lowest(), hi = std::numeric_limits<Y>::max();
  const int64_t planes = g.n * g.m;
#pragma omp parallel for num_threads(nt) schedule(static) if (planes * g.out_vol > 32768)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const size_t m = static_cast<size_t>(pl % g.m);
    const double b = bias.empty() ? 0.0 : bias[m];
    const float mult =
        static_cast<float>(x_scale) * static_cast<float>(ws[ws.size() == 1 ? 0 : m]) / static_cast<float>(y_scale);
    const A* __restrict ap = acc + pl * g.out_vol;
    Y* __restrict yp = y + pl * g.out_vol;
    for (int64_t p = 0; p < g.out_vol; ++p) {
      const float v = static_cast<float>(static_cast<double>(ap[p]) + b) * mult;
      const float r = v == v ? round_even(v) + yzp : 0.0f;  // NaN counts as 0, as in the reference
      yp[p] = static_cast<Y>(std::clamp(r, lo, hi));
    }
  }
}

// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, bias.
constexpr size_t kInputs = 9;
// Floats of input rows per depthwise strip (16 KB: the strip stays in L1 with its outputs).
constexpr int64_t kStripFloats = 4096;

class QLinearConvKernel : public Kernel {
 public:
  explicit QLinearConvKernel(const std::vector<const Tensor*>& consts) {
    for (size_t i = 1; i < kInputs; ++i)
      if (i < consts.size()) snap_[i].capture(consts[i]);
  }

  void run(KernelContext& ctx) override {
    const Tensor &x = ctx.in(0), &w = ctx.in(3);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    const ew::QConvGeom g = ew::qconv_geom(ctx.node, x.shape(), w.shape());
    if (y.numel() == 0) return;
    const bool fast_types = x.dtype() == DType::U8 && w.dtype() == DType::I8 &&
                            (y.dtype() == DType::U8 || y.dtype() == DType::I8) && g.w.rank() == 2;
    if (fast_types) {
      if (x.shape() != x_shape_ || w.shape() != w_shape_) {
        plan_geometry(g);
        x_shape_ = x.shape();
        w_shape_ = w.shape();
        params_ready_ = false;
      }
      if (!params_ready_ || !params_constant(ctx)) prepare_params(ctx, g);
      if (fast_) {
        set_num_threads(nt);
        if (depthwise_)
          depthwise(ctx, g, nt);
        else
          gemm(ctx, g, nt);
        return;
      }
    }
    exact_double(ctx, g, nt);
  }

 private:
  // True when every present parameter input (1..8) is still the constant captured at creation.
  bool params_constant(const KernelContext& ctx) const {
    for (size_t i = 1; i < kInputs; ++i) {
      if (!ctx.has_input(i)) continue;
      if (!snap_[i].matches(ctx.in(i))) return false;
    }
    return true;
  }

  void plan_geometry(const ew::QConvGeom& g) {
    const Geom3 g3 = geom3(g.w);
    // PhaseInterior holds up to 4 phases (horizontal strides 1..4); wider strides take the GEMM path,
    // which handles any group.
    depthwise_ = g.cg == 1 && g.mg == 1 && g3.s[2] <= 4;
    dw16_ = false;
    pointwise_ = g.kvol == 1;
    for (int i = 0; i < 3; ++i) pointwise_ = pointwise_ && g3.s[i] == 1 && g3.pb[i] == 0 && g3.pe[i] == 0;
    if (depthwise_) {
      dc_ = DirectConv{};
      dc_.g = g3;
      dc_.l = phase_layout(g3);
      dc_.cg = 1;
      dc_.mg = 1;
      dc_.choose_flat();
      dc_.plan_taps();
      const Isa isa = conv_isa();
      fns_ = direct_fns(isa, g3.k[1], g3.k[2]);
      interior_ = phase_interior(dc_.l, g3.in[1], g3.in[2]);
      zeroed_.clear();  // every thread's phase plane is re-zeroed for the new geometry
      // Blocks of 16 channels where 16-wide rows would waste lanes: output rows up to 16 wide. Measured
      // (bench/int8_layers.py, 1 thread, ms, NCHW direct -> dw16): 960 x 7 x 7 0.043 -> 0.022, 576 x 14 -> 7
      // stride 2 0.046 -> 0.018, 192 x 28 -> 14 stride 2 0.050 -> 0.021, 576 x 14 x 14 0.045 -> 0.036; wider
      // rows ran slower (192 x 28 x 28 0.037 -> 0.046, 32 x 112 x 112 0.073 -> 0.124).
      dw16_ = isa == Isa::Avx512 && g.w.rank() == 2 && g3.out[2] <= 16;
      dwg_ = dw16::make_geom(g3.in[1], g3.in[2], g3.out[1], g3.out[2], g3.k[1], g3.k[2], g3.s[1], g3.s[2], g3.d[1],
                             g3.d[2], g3.pb[1], g3.pb[2]);
    }
    const Isa isa = conv_isa();
    req_i32_u8_ = requant_fn<uint8_t, int32_t>(isa);
    req_i32_s8_ = requant_fn<int8_t, int32_t>(isa);
    req_f32_u8_ = requant_fn<uint8_t, float>(isa);
    req_f32_s8_ = requant_fn<int8_t, float>(isa);
    phase_u8_ = phase_u8_fn(isa);
    avx512_ = isa == Isa::Avx512;
    gather_ = isa == Isa::Avx512 ? &gather_b_avx512_intrin : gather_b_table().pick(isa);
    mm_.clear();
  }

  // Multipliers, bias (+ compensation) and converted weights; fast_ = false when an accumulator
  // plus bias might leave int32 (or a float sum leave the exact range), so the generic path runs.
  void prepare_params(const KernelContext& ctx, const ew::QConvGeom& g) {
    const Tensor& w = ctx.in(3);
    const int64_t m = g.m, K = g.cg * g.kvol;
    x_zp_ = ctx.has_input(2) ? static_cast<int32_t>(ctx.in(2).get_i64(0)) : 0;
    yzp_ = ctx.has_input(7) ? static_cast<float>(ctx.in(7).get_f64(0)) : 0.0f;
    const float xs = static_cast<float>(ctx.in(1).get_f64(0)), ys = static_cast<float>(ctx.in(6).get_f64(0));
    const Tensor& ws = ctx.in(4);
    mult_.resize(static_cast<size_t>(m));
    fac_.assign(static_cast<size_t>(m), 128);  // 128 + w_zp[m]
    bias_.assign(static_cast<size_t>(m), 0);
    for (int64_t i = 0; i < m; ++i) {
      mult_[i] = xs * static_cast<float>(ws.get_f64(ws.numel() == 1 ? 0 : i)) / ys;
      if (ctx.has_input(5)) {
        const Tensor& z = ctx.in(5);
        fac_[i] = 128 + static_cast<int32_t>(z.get_i64(z.numel() == 1 ? 0 : i));
      }
    }
    // |acc| <= K * 255 * 255 must stay below 2^30, the bias too, so that acc + bias fits int32.
    constexpr int64_t kLimit = int64_t{1} << 30;
    fast_ = K * 255 * 255 < kLimit;
    const int8_t* wp = w.data<int8_t>();
    if (depthwise_) {
      fast_ = fast_ && g.kvol * 255 * 255 < (int64_t{1} << 24);  // exact float sums
      wf_.resize(static_cast<size_t>(m * g.kvol));
      for (int64_t i = 0; i < m; ++i)
        for (int64_t t = 0; t < g.kvol; ++t)
          wf_[i * g.kvol + t] = static_cast<float>(wp[i * g.kvol + t] - (fac_[i] - 128));
    } else {
      wu_.resize(static_cast<size_t>(m * K));
      for (int64_t i = 0; i < m * K; ++i) wu_[i] = static_cast<uint8_t>(wp[i] + 128);
    }
    for (int64_t i = 0; i < m && fast_; ++i) {
      int64_t b = ctx.has_input(8) ? ctx.in(8).get_i64(i) : 0;
      fast_ = std::llabs(b) < kLimit;
      if (!depthwise_) {  // the GEMM path's per-channel zero-point terms (see gemm())
        int64_t rowsum = 0;
        for (int64_t k = 0; k < K; ++k) rowsum += wp[i * K + k];
        b += (128 - x_zp_) * (rowsum - (fac_[i] - 128) * K);
        fast_ = fast_ && std::llabs(b) < kLimit;
      }
      bias_[i] = static_cast<int32_t>(b);
    }
    // Depthwise: the bias starts the float accumulators when every partial sum stays exact
    // (|bias| + kh * kw * 255 * 255 < 2^24); the requantization then only scales.
    fold_bias_ = depthwise_;
    biasf_.resize(static_cast<size_t>(m));
    for (int64_t i = 0; i < m && fold_bias_; ++i) {
      fold_bias_ = std::llabs(bias_[i]) + g.kvol * 255 * 255 < (int64_t{1} << 24);
      biasf_[i] = static_cast<float>(bias_[i]);
    }
    if (depthwise_ && dw16_) {  // weights and folded bias as [block of 16 channels][tap][lane]
      const int64_t blocks = (m + 15) / 16;
      w16_.assign(static_cast<size_t>(blocks * g.kvol * 16), 0.0f);
      bias16_.assign(static_cast<size_t>(blocks * 16), 0.0f);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t t = 0; t < g.kvol; ++t) w16_[((i / 16) * g.kvol + t) * 16 + i % 16] = wf_[i * g.kvol + t];
        if (fold_bias_) bias16_[i] = biasf_[i];
      }
    }
    params_ready_ = true;
  }

  // col / fac: see requant_rows (null for the depthwise path's float accumulators).
  template <typename Y>
  void requant(bool float_acc, const void* acc, int64_t lda, int64_t m0, int64_t cs, const int32_t* col, Y* y,
               int64_t ldy, int64_t rows, int64_t n) const {
    const int32_t* fac = col ? fac_.data() + m0 : nullptr;
    if constexpr (std::is_same_v<Y, uint8_t>) {
      if (float_acc)
        req_f32_u8_(static_cast<const float*>(acc), lda, fold_bias_ ? nullptr : bias_.data() + m0, mult_.data() + m0,
                    cs, nullptr, nullptr, yzp_, y, ldy, rows, n);
      else
        req_i32_u8_(static_cast<const int32_t*>(acc), lda, bias_.data() + m0, mult_.data() + m0, cs, col, fac, yzp_, y,
                    ldy, rows, n);
    } else {
      if (float_acc)
        req_f32_s8_(static_cast<const float*>(acc), lda, fold_bias_ ? nullptr : bias_.data() + m0, mult_.data() + m0,
                    cs, nullptr, nullptr, yzp_, y, ldy, rows, n);
      else
        req_i32_s8_(static_cast<const int32_t*>(acc), lda, bias_.data() + m0, mult_.data() + m0, cs, col, fac, yzp_, y,
                    ldy, rows, n);
    }
  }

  // Rows of acc (lda apart) into y + off (ldy apart), channel m0 + r * cs for row r.
  void requant_any(Tensor& y, bool float_acc, const void* acc, int64_t lda, int64_t m0, int64_t cs, const int32_t* col,
                   int64_t off, int64_t ldy, int64_t rows, int64_t n) const {
    if (y.dtype() == DType::U8)
      requant(float_acc, acc, lda, m0, cs, col, y.data<uint8_t>() + off, ldy, rows, n);
    else
      requant(float_acc, acc, lda, m0, cs, col, y.data<int8_t>() + off, ldy, rows, n);
  }

  // One channel plane per work item: the phase plane of x - x_zp (floats), the direct kernel's
  // taps, requantization of its rows (read in place in flat mode, where rows are flat_stride() apart).
  // Row mode goes in strips of output rows whose input rows fit in L1 (the whole float plane of a
  // 112 x 112 channel would not): convert, taps, requantize, next strip.
  // AVX-512: blocks of 16 channels through qconv_dw16.h. Work items (image, channel block, strip of
  // output rows); a strip's input rows (T) stay within ~96 KB, so they are converted once and read
  // from L2 by every tap.
  void depthwise16(KernelContext& ctx, const ew::QConvGeom& g, int nt) {
    const uint8_t* x = ctx.in(0).data<uint8_t>();
    Tensor& y = ctx.out(0);
    const dw16::Geom& d = dwg_;
    const int64_t blocks = (g.c + 15) / 16, row_bytes = d.wp * 16 * 4;
    int64_t strip = d.oh;
    while (strip > 1 && dw16::span_rows(d, strip) * row_bytes > 96 * 1024) strip = (strip + 1) / 2;
    const int64_t strips = (d.oh + strip - 1) / strip;
    const int64_t t_floats = dw16::span_rows(d, strip) * d.wp * 16;
    const int64_t pos = (strip * d.ow + 15) / 16 * 16;  // positions per strip, rounded for the transpose
    scratch_.reserve(nt, t_floats + 2 * pos * 16);
    const int64_t items = g.n * blocks * strips;
    const float* bias = fold_bias_ ? bias16_.data() : nullptr;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && items > 1)
    for (int64_t it = 0; it < items; ++it) {
      const int64_t si = it % strips, cb = it / strips % blocks, n = it / strips / blocks;
      const int64_t c0 = cb * 16, r0 = si * strip, rows = std::min(strip, d.oh - r0);
      const int nc = static_cast<int>(std::min<int64_t>(16, g.c - c0));
      float* t = scratch_.get(omp_get_thread_num());
      float* acc = t + t_floats;
      float* out = acc + pos * 16;
      dw16::build_t(d, x + (n * g.c + c0) * g.in_vol, nc, x_zp_, r0, dw16::span_rows(d, rows), t);
      dw16::taps(d, t, w16_.data() + cb * g.kvol * 16, bias ? bias + c0 : nullptr, rows, acc);
      dw16::to_channel_rows(acc, rows * d.ow, out, pos);
      requant_any(y, true, out, pos, c0, 1, nullptr, (n * g.m + c0) * g.out_vol + r0 * d.ow, g.out_vol, nc,
                  rows * d.ow);
    }
  }

  void depthwise(KernelContext& ctx, const ew::QConvGeom& g, int nt) {
    if (dw16_) {
      depthwise16(ctx, g, nt);
      return;
    }
    const uint8_t* x = ctx.in(0).data<uint8_t>();
    Tensor& y = ctx.out(0);
    dc_.w = wf_.data();
    dc_.bias = fold_bias_ ? biasf_.data() : nullptr;
    const int64_t planes = g.n * g.c, in_vol = g.in_vol, out_vol = g.out_vol;
    const int64_t oh = dc_.g.out[1], ow = dc_.g.out[2];
    const int64_t sh = dc_.g.s[1], span = (dc_.g.k[1] - 1) * dc_.g.d[1] + 1;  // plane rows of one output row
    const int64_t strip = dc_.flat ? oh : std::clamp<int64_t>(kStripFloats / dc_.l.row_stride() / sh, 1, oh);
    const int64_t acc_floats = dc_.flat ? dc_.flat_len() + 32 : strip * ow;
    scratch_.reserve(nt, dc_.scratch_floats() + acc_floats);
    if (static_cast<int>(zeroed_.size()) < nt) zeroed_.resize(static_cast<size_t>(nt), 0);
    const int64_t grain = std::max<int64_t>(1, planes / (8 * nt));
#pragma omp parallel num_threads(nt) if (nt > 1 && planes > 1)
    {
      const int t = omp_get_thread_num();
      float* s = scratch_.get(t);
      float* acc = s + dc_.scratch_floats();
      if (!zeroed_[t]) {
        std::fill(s, s + dc_.scratch_floats(), 0.0f);
        zeroed_[t] = 1;
      }
#pragma omp for schedule(dynamic, grain)
      for (int64_t p = 0; p < planes; ++p) {
        const int64_t c = p % g.c;
        const uint8_t* xp = x + p * in_vol;
        float* dst[1] = {acc};
        if (dc_.flat) {
          phase_u8_(interior_, xp, x_zp_, s, 0, dc_.l.rows);
          fns_.one(dc_, s, c, dst, 1, dc_.flat_len(), 0);
          requant_any(y, true, acc, dc_.flat_stride(), c, 0, nullptr, p * out_vol, ow, oh, ow);
          continue;
        }
        for (int64_t r0 = 0; r0 < oh; r0 += strip) {
          const int64_t rows = std::min(strip, oh - r0);
          phase_u8_(interior_, xp, x_zp_, s, r0 * sh, r0 * sh + (rows - 1) * sh + span);
          fns_.one(dc_, s, c, dst, rows, ow, ow);
          requant_any(y, true, acc, ow, c, 0, nullptr, p * out_vol + r0 * ow, ow, rows, ow);
        }
      }
    }
  }

  // im2col(x) - 128 as int8, B [K, P] per (n, group), padding x_zp - 128 (pointwise convolutions read x directly).
  void build_b(const uint8_t* x, const ew::QConvGeom& g, int8_t* b, int nt) {
    const int64_t P = g.out_vol, K = g.cg * g.kvol, planes = g.n * g.group;
    const Geom3 g3 = geom3(g.w);
    const int64_t ih = g3.in[1], iw = g3.in[2], oh = g3.out[1], ow = g3.out[2];
    const int64_t kh = g3.k[1], kw = g3.k[2];
    const int8_t pad = static_cast<int8_t>(static_cast<uint8_t>(x_zp_) ^ 0x80);
#pragma omp parallel for num_threads(nt) schedule(static) if (planes * K * P > 32768)
    for (int64_t row = 0; row < planes * K; ++row) {
      const int64_t pl = row / K, k = row % K;
      const int64_t n = pl / g.group, gr = pl % g.group;
      const int64_t ch = k / (kh * kw), a = k / kw % kh, bb = k % kw;
      const uint8_t* xc = x + (n * g.c + gr * g.cg + ch) * g.in_vol;
      int8_t* dst = b + row * P;
      const int64_t off_c = bb * g3.d[2] - g3.pb[2];
      const Range v = valid_outputs(ow, g3.s[2], off_c, iw);
      for (int64_t o = 0; o < oh; ++o) {
        int8_t* d = dst + o * ow;
        const int64_t r = o * g3.s[1] - g3.pb[1] + a * g3.d[1];
        if (r < 0 || r >= ih) {
          std::fill(d, d + ow, pad);
          continue;
        }
        const uint8_t* src = xc + r * iw + off_c;
        std::fill(d, d + v.lo, pad);
        if (avx512_)
          im2col_row_avx512(src + v.lo * g3.s[2], g3.s[2], d + v.lo, v.hi - v.lo, iw - (off_c + v.lo * g3.s[2]));
        else
          im2col_row_scalar(src + v.lo * g3.s[2], g3.s[2], d + v.lo, v.hi - v.lo);
        std::fill(d + v.hi, d + ow, pad);
      }
    }
  }

  // Tiles of (output channels [m0, m0 + rows)) x (positions [j0, j0 + cols)) per (image, group), each on one
  // thread: its B columns gathered into a dense tile (x ^ 0x80 for a pointwise convolution, a copy of the
  // im2col rows otherwise) with their column sums, C' = (W + 128) * B by the int8 matmul (raw products),
  // then requantized while in cache with acc = C' - (128 + w_zp[m]) * colsum(B) + bias'[m] (bias' holds
  // (128 - x_zp) * rowsum(W) - w_zp[m] * K * (128 - x_zp); see prepare_params).
  void gemm(KernelContext& ctx, const ew::QConvGeom& g, int nt) {
    const uint8_t* x = ctx.in(0).data<uint8_t>();
    Tensor& y = ctx.out(0);
    const int64_t P = g.out_vol, K = g.cg * g.kvol, planes = g.n * g.group;
    if (!pointwise_) build_b(x, g, b_.resize(planes * K * P), nt);
    // Column blocks sized for the cache; more items (blocks, then channel chunks) until every
    // thread has two, as the fp32 pointwise convolution does.
    // Blocks of equal width (multiples of 16): a narrow last block (196 = 192 + 4, 3136 = 4 * 768 + 64)
    // costs a matmul call of its own that does little.
    auto equal_blocks = [P](int64_t count) { return std::min(P, ((P + count - 1) / count + 15) / 16 * 16); };
    const int64_t nb0 = column_block(K + g.mg, P);
    int64_t nb = equal_blocks(std::max<int64_t>(1, (P + nb0 / 2) / nb0));
    const int64_t min_split = K > g.mg ? 64 : 512;  // projections (K > M): split columns, not channels
    while (nt > 1 && planes * ((P + nb - 1) / nb) < 2 * nt && nb >= min_split) nb = nb / 2 / 16 * 16;
    if (nt > 1 && P > nb && (planes * ((P + nb - 1) / nb)) % nt != 0) {  // equal shares of column blocks
      const int64_t want = ((P + nb - 1) / nb + nt - 1) / nt * nt;
      nb = std::max<int64_t>(16, ((P + want - 1) / want + 15) / 16 * 16);
    }
    nb = equal_blocks((P + nb - 1) / nb);
    // C tile rows a multiple of 4 KiB apart alias in the cache (measured: 96 x 1024 columns ran 2.7x
    // slower than 96 x 1168).
    if (nb < P && nb % 512 == 0) nb += 16;
    const int64_t blocks = (P + nb - 1) / nb;
    int64_t mc = g.mg;
    if (nt > 1 && planes * blocks < 2 * nt) {
      const int64_t parts = (2 * nt + planes * blocks - 1) / (planes * blocks);
      mc = std::max<int64_t>(16, ((g.mg + parts - 1) / parts + 15) / 16 * 16);
    }
    int64_t mparts = (g.mg + mc - 1) / mc;
    if (nt > 1 && mparts > 1 && planes * blocks * mparts % nt != 0) {  // equal shares: 3 chunks on 2 threads ran 1.1x
      mparts = (mparts + nt - 1) / nt * nt;
      mc = (g.mg + mparts - 1) / mparts;
    }
    const int64_t items = planes * blocks * mparts;
    const bool parallel_items = nt > 1 && items >= nt;
    const int tiles = parallel_items ? nt : 1;
    // The matmul shapes: full and last row chunk x full and last column block, planned before any thread runs.
    int8::U8S8Matmul* mm[2][2];
    for (int ri = 0; ri < 2; ++ri)
      for (int ci = 0; ci < 2; ++ci) {
        const int64_t rows = ri ? g.mg - (mparts - 1) * mc : mc, cols = ci ? P - (blocks - 1) * nb : nb;
        mm[ri][ci] = &mm_.get(rows, cols, K);
      }
    mm_.reserve_threads(tiles);
    if (static_cast<int>(tile_.size()) < tiles) tile_.resize(static_cast<size_t>(tiles));
    for (int t = 0; t < tiles; ++t) {
      tile_[t].b.resize(K * nb);
      tile_[t].cs.resize(nb);
      tile_[t].c.resize(mc * nb);
    }
    // B's source rows for (image, group) pl: x itself (pointwise, xor 0x80) or the im2col rows.
    auto b_src = [&](int64_t pl) {
      return pointwise_ ? reinterpret_cast<const int8_t*>(x) + ((pl / g.group) * g.c + (pl % g.group) * g.cg) * P
                        : b_.data() + pl * K * P;
    };
    const uint8_t mask = pointwise_ ? 0x80 : 0;
    // Channels split into chunks: every chunk of a column block would gather the same B (576 -> 96 at
    // 14 x 14 ran slower on 2 threads than on 1), so the blocks are gathered once, in parallel, as
    // [plane][block][K][cols] with their column sums, before the items run.
    const bool shared = mparts > 1;
    if (shared) {
      int8_t* bd = bfull_.resize(planes * K * P);
      int32_t* cd = csfull_.resize(planes * P);
      const int64_t per_block = (nb + 63) / 64;
#pragma omp parallel for num_threads(nt) schedule(static) if (planes * blocks * per_block > 1)
      for (int64_t task = 0; task < planes * blocks * per_block; ++task) {
        const int64_t pl = task / (blocks * per_block), bi = task / per_block % blocks, ch = task % per_block;
        const int64_t j0 = bi * nb, cols = std::min(nb, P - j0), j = ch * 64;
        if (j >= cols) continue;
        gather_(b_src(pl) + j0 + j, P, mask, K, std::min<int64_t>(64, cols - j), bd + pl * K * P + j0 * K + j, cols,
                cd + pl * P + j0 + j);
      }
    }
    auto item = [&](int64_t it, int t) {
      const int64_t mp = it % mparts, bi = it / mparts % blocks, pl = it / mparts / blocks;
      const int64_t n = pl / g.group, gr = pl % g.group, j0 = bi * nb, m0 = gr * g.mg + mp * mc;
      const int64_t cols = std::min(nb, P - j0), rows = std::min(mc, g.mg - mp * mc);
      Tile& tl = tile_[t];
      const int8_t* b = tl.b.data();
      const int32_t* cs = tl.cs.data();
      if (shared) {
        b = bfull_.data() + pl * K * P + j0 * K;
        cs = csfull_.data() + pl * P + j0;
      } else {
        gather_(b_src(pl) + j0, P, mask, K, cols, tl.b.data(), cols, tl.cs.data());
      }
      mm[mp == mparts - 1][bi == blocks - 1]->run(ctx.node, wu_.data() + m0 * K, b, tl.c.data(), t);
      requant_any(y, false, tl.c.data(), cols, m0, 1, cs, (n * g.m + m0) * P + j0, P, rows, cols);
    };
    if (parallel_items) {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
      for (int64_t it = 0; it < items; ++it) item(it, omp_get_thread_num());
    } else {
      for (int64_t it = 0; it < items; ++it) item(it, 0);  // oneDNN threads each matmul
    }
  }

  // Any dtype combination and rank: im2col + double GEMM (integers, so exact).
  void exact_double(KernelContext& ctx, const ew::QConvGeom& g, int nt) {
    const Tensor &x = ctx.in(0), &w = ctx.in(3);
    Tensor& y = ctx.out(0);
    std::vector<double> xv = ew::as_doubles(x);
    if (ctx.has_input(2)) {
      double zp = ctx.in(2).get_f64(0);
      for (double& v : xv) v -= zp;
    }
    std::vector<double> wv = ew::weights_minus_zero_point(w, ctx.has_input(5) ? &ctx.in(5) : nullptr, g.m);
    std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
    ew::qconv_acc(g, xv, wv, acc.data(), nt);
    if (y.dtype() == DType::U8)
      requantize_conv(ctx, g, acc.data(), y.data<uint8_t>(), nt);
    else
      requantize_conv(ctx, g, acc.data(), y.data<int8_t>(), nt);
  }

  ConstSnapshot snap_[kInputs];
  Shape x_shape_, w_shape_;
  bool params_ready_ = false, fast_ = false, fold_bias_ = false, depthwise_ = false, pointwise_ = false;
  int32_t x_zp_ = 0;
  float yzp_ = 0.0f;
  std::vector<float> mult_, wf_, biasf_;
  std::vector<int32_t> bias_, fac_;  // fac_ = 128 + w_zp per channel
  std::vector<uint8_t> wu_;
  AlignedBuffer<int8_t> b_;  // im2col rows of the GEMM path (64-byte aligned)
  struct Tile {              // per thread: a dense B tile, its column sums, the C tile
    AlignedBuffer<int8_t> b;
    AlignedBuffer<int32_t> cs, c;
  };
  std::vector<Tile> tile_;
  AlignedBuffer<int8_t> bfull_;  // B gathered once when channel chunks share its blocks
  AlignedBuffer<int32_t> csfull_;
  int8::U8S8MatmulSet mm_;
  DirectConv dc_;
  DirectFns fns_;
  ThreadScratch scratch_;
  RequantFn<uint8_t, int32_t> req_i32_u8_ = nullptr;
  RequantFn<int8_t, int32_t> req_i32_s8_ = nullptr;
  RequantFn<uint8_t, float> req_f32_u8_ = nullptr;
  RequantFn<int8_t, float> req_f32_s8_ = nullptr;
  PhaseU8Fn phase_u8_ = nullptr;
  bool avx512_ = false;  // the im2col rows' AVX-512 variant
  PhaseInterior interior_;
  bool dw16_ = false;  // the depthwise path in blocks of 16 channels (AVX-512)
  dw16::Geom dwg_;
  std::vector<float> w16_, bias16_;
  std::vector<char> zeroed_;  // per thread: its scratch's phase plane has zero padding
  decltype(&gather_b_generic) gather_ = nullptr;
};

FS_REGISTER_KERNEL_DEF(KernelDef{
    "QLinearConv",
    "cpu",
    {DType::U8, DType::I8},
    Layout::Plain,
    [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>& consts) {
      return std::unique_ptr<Kernel>(new QLinearConvKernel(consts));
    }});

}  // namespace
}  // namespace fs::cpu
