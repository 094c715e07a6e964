// Windowed pooling (MaxPool, AveragePool) over 1-3 spatial dims: each (n, c) plane's depth slices
// become phase planes (padding = -inf or 0) so that every tap is a contiguous vector read; output
// rows reduce their taps in registers (2x2 and 3x3 windows) or tap by tap.
#pragma once
#include <cmath>
#include <limits>

#include "kernels/cpu/conv_util.h"

namespace fs::cpu {

enum class PoolOp { Max, Avg };

struct PoolPlan {
  Geom3 g;
  PhaseLayout l;
  PoolOp op = PoolOp::Max;
  // AveragePool divisors per dim (taps inside the input, or inside input + padding).
  std::vector<int64_t> count[3];
  std::vector<float> count_w;  // count[2] as floats
  float count_dh(int64_t od, int64_t oh) const { return static_cast<float>(count[0][od] * count[1][oh]); }
  int64_t scratch_floats() const { return g.in[0] * l.plane() + 32; }  // + slack for vector tails
};

// Taps of output position o along dim i counted by AveragePool: inside the input, or (with
// count_include_pad) inside the input plus its explicit padding.
inline int64_t pool_count(const Geom3& g, int i, int64_t o, bool include_pad) {
  const int64_t lo = include_pad ? -g.pb[i] : 0, hi = include_pad ? g.in[i] + g.pe[i] : g.in[i];
  int64_t c = 0;
  for (int64_t t = 0; t < g.k[i]; ++t) {
    const int64_t pos = o * g.s[i] - g.pb[i] + t * g.d[i];
    c += pos >= lo && pos < hi;
  }
  return c;
}

inline PoolPlan pool_plan(const nn::Window& w, PoolOp op, bool count_include_pad) {
  PoolPlan p;
  p.g = geom3(w);
  p.l = phase_layout(p.g);
  p.op = op;
  if (op == PoolOp::Avg)
    for (int i = 0; i < 3; ++i)
      for (int64_t o = 0; o < p.g.out[i]; ++o) p.count[i].push_back(pool_count(p.g, i, o, count_include_pad));
  p.count_w.assign(p.count[2].begin(), p.count[2].end());
  return p;
}

namespace pool_detail {

// How taps combine: a plain max (one instruction; for planes without NaN), a max that propagates
// NaN from either side (like the reference / numpy.max; a few instructions), or a sum.
enum class Reduce { Max, MaxNaN, Sum };

template <Reduce R>
inline float combine(float a, float x) {
  if constexpr (R == Reduce::Max)
    return x > a ? x : a;
  else if constexpr (R == Reduce::MaxNaN)
    return (x > a || x != x) ? x : a;
  else
    return a + x;
}

// *any = 1 when x[0..n) holds a NaN.
inline void has_nan(const float* __restrict x, int64_t n, int* any) {
  int bad = 0;
  for (int64_t i = 0; i < n; ++i) bad |= x[i] != x[i];
  *any = bad;
}

// Vector width of the row loops: rows are split into whole 16-lane blocks and one padded tail.
constexpr int64_t kLanes = 16;

// y[i] = first ? reduce_t p_t[i] : op(y[i], reduce_t p_t[i]) for i < n (kLanes when TAIL).
template <Reduce OP, int T, bool TAIL>
inline void taps_loop(float* y, const float* const* p, bool first, int64_t n) {
  const int64_t count = TAIL ? kLanes : n;
#pragma omp simd
  for (int64_t i = 0; i < count; ++i) {
    float a = p[0][i];
#pragma GCC unroll 16
    for (int t = 1; t < T; ++t) a = combine<OP>(a, p[t][i]);
    y[i] = first ? a : combine<OP>(y[i], a);
  }
}

// The same for T compile-time taps over a row of n: whole blocks in place, the last partial block
// as a full vector on a local copy (its reads past n stay inside the scratch's slack).
template <Isa I, Reduce OP, int T>
inline void taps_fixed(float* y, const float* const* prow, bool first, int64_t n) {
  const float* p[T];
  for (int t = 0; t < T; ++t) p[t] = prow[t];
  const int64_t nv = n / kLanes * kLanes;
  taps_loop<OP, T, false>(y, p, first, nv);
  if (nv == n) return;
  float tmp[kLanes];
  if (!first) copy_row<I>(tmp, y + nv, n - nv);
  for (int t = 0; t < T; ++t) p[t] += nv;
  taps_loop<OP, T, true>(tmp, p, first, kLanes);
  copy_row<I>(y + nv, tmp, n - nv);
}

// Any number of taps, one tap at a time (1-tap blocks of the same loop).
template <Isa I, Reduce OP>
inline void taps_any(float* y, const float* const* prow, int64_t taps, bool first, int64_t n) {
  for (int64_t t = 0; t < taps; ++t) taps_fixed<I, OP, 1>(y, prow + t, first && t == 0, n);
}

// y[i] /= c_dh * c_w[i] (0 where the count is 0).
inline void divide_counts(float* __restrict y, const float* __restrict cw, float cdh, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float c = cdh * cw[i];
    y[i] = c > 0 ? y[i] / c : 0.0f;
  }
}

}  // namespace pool_detail

#define FS_POOL_ROW_PARAMS (float* y, const float* const* p, int64_t taps, bool first, int64_t n)
FS_CPU_ISA_VARIANTS(pool_max9, FS_POOL_ROW_PARAMS, (void)taps;
                    pool_detail::taps_fixed<kIsa, pool_detail::Reduce::Max, 9>(y, p, first, n))
FS_CPU_ISA_VARIANTS(pool_max4, FS_POOL_ROW_PARAMS, (void)taps;
                    pool_detail::taps_fixed<kIsa, pool_detail::Reduce::Max, 4>(y, p, first, n))
FS_CPU_ISA_VARIANTS(pool_max_any, FS_POOL_ROW_PARAMS,
                    pool_detail::taps_any<kIsa, pool_detail::Reduce::Max>(y, p, taps, first, n))
FS_CPU_ISA_VARIANTS(pool_maxnan9, FS_POOL_ROW_PARAMS, (void)taps;
                    pool_detail::taps_fixed<kIsa, pool_detail::Reduce::MaxNaN, 9>(y, p, first, n))
FS_CPU_ISA_VARIANTS(pool_maxnan4, FS_POOL_ROW_PARAMS, (void)taps;
                    pool_detail::taps_fixed<kIsa, pool_detail::Reduce::MaxNaN, 4>(y, p, first, n))
FS_CPU_ISA_VARIANTS(pool_maxnan_any, FS_POOL_ROW_PARAMS,
                    pool_detail::taps_any<kIsa, pool_detail::Reduce::MaxNaN>(y, p, taps, first, n))
FS_CPU_ISA_VARIANTS(pool_avg9, FS_POOL_ROW_PARAMS, (void)taps;
                    pool_detail::taps_fixed<kIsa, pool_detail::Reduce::Sum, 9>(y, p, first, n))
FS_CPU_ISA_VARIANTS(pool_avg4, FS_POOL_ROW_PARAMS, (void)taps;
                    pool_detail::taps_fixed<kIsa, pool_detail::Reduce::Sum, 4>(y, p, first, n))
FS_CPU_ISA_VARIANTS(pool_avg_any, FS_POOL_ROW_PARAMS,
                    pool_detail::taps_any<kIsa, pool_detail::Reduce::Sum>(y, p, taps, first, n))
#undef FS_POOL_ROW_PARAMS
FS_CPU_ISA_VARIANTS(pool_transform, (const PhaseLayout& l, const float* x, int64_t h, int64_t w, float pad, float* dst),
                    phase_transform<kIsa>(l, x, h, w, pad, dst))
FS_CPU_ISA_VARIANTS(pool_has_nan, (const float* x, int64_t n, int* any), pool_detail::has_nan(x, n, any))
FS_CPU_ISA_VARIANTS(pool_divide, (float* y, const float* cw, float cdh, int64_t n),
                    pool_detail::divide_counts(y, cw, cdh, n))

// Runs a pooling plan over all N*C planes of x, in parallel, with the functions of one ISA.
class PoolRunner {
 public:
  explicit PoolRunner(Isa isa) : isa_(isa) {}

  void run(const PoolPlan& pp, const float* x, float* y, int64_t planes, int threads) {
    const int64_t taps = pp.g.k[1] * pp.g.k[2];
    const bool max = pp.op == PoolOp::Max;
    row_ = taps == 9   ? (max ? pool_max9_table() : pool_avg9_table()).pick(isa_)
           : taps == 4 ? (max ? pool_max4_table() : pool_avg4_table()).pick(isa_)
                       : (max ? pool_max_any_table() : pool_avg_any_table()).pick(isa_);
    row_nan_ = taps == 9   ? pool_maxnan9_table().pick(isa_)
               : taps == 4 ? pool_maxnan4_table().pick(isa_)
                           : pool_maxnan_any_table().pick(isa_);
    has_nan_ = pool_has_nan_table().pick(isa_);
    transform_ = pool_transform_table().pick(isa_);
    divide_ = pool_divide_table().pick(isa_);
    scratch_.reserve(threads, pp.scratch_floats());
    ptrs_.reserve(threads, taps * 2 + 16);  // tap pointers, stored as floats' worth of room
#pragma omp parallel num_threads(threads)
    {
      float* s = scratch_.get(omp_get_thread_num());
      const float** p = reinterpret_cast<const float**>(ptrs_.get(omp_get_thread_num()));
#pragma omp for schedule(static)
      for (int64_t i = 0; i < planes; ++i) plane(pp, x + i * pp.g.in_vol(), y + i * pp.g.out_vol(), s, p);
    }
  }

 private:
  void plane(const PoolPlan& pp, const float* x, float* y, float* scratch, const float** pt) const {
    const Geom3& g = pp.g;
    const PhaseLayout& l = pp.l;
    const float pad = pp.op == PoolOp::Max ? -std::numeric_limits<float>::infinity() : 0.0f;
    const int64_t hw = g.in[1] * g.in[2], taps = g.k[1] * g.k[2], ow = g.out[2];
    int nan = 0;  // MaxPool: planes with a NaN take the NaN-propagating rows
    if (pp.op == PoolOp::Max) has_nan_(x, g.in_vol(), &nan);
    const auto row = nan ? row_nan_ : row_;
    for (int64_t id = 0; id < g.in[0]; ++id)
      transform_(l, x + id * hw, g.in[1], g.in[2], pad, scratch + id * l.plane());
    for (int64_t od = 0; od < g.out[0]; ++od) {
      const Range kd = valid_outputs(g.k[0], g.d[0], od * g.s[0] - g.pb[0], g.in[0]);  // taps with a real slice
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        float* yr = y + (od * g.out[1] + oh) * ow;
        if (kd.lo >= kd.hi) {
          std::fill(yr, yr + ow, pad);
          continue;
        }
        for (int64_t t = kd.lo; t < kd.hi; ++t) {
          const float* plane = scratch + (od * g.s[0] - g.pb[0] + t * g.d[0]) * l.plane();
          int64_t q = 0;
          for (int64_t kh = 0; kh < g.k[1]; ++kh)
            for (int64_t kw = 0; kw < g.k[2]; ++kw) pt[q++] = plane + l.tap_offset(oh, g.s[1], kh, g.d[1], kw, g.d[2]);
          row(yr, pt, taps, t == kd.lo, ow);
        }
        if (pp.op == PoolOp::Avg) divide_(yr, pp.count_w.data(), pp.count_dh(od, oh), ow);
      }
    }
  }

  Isa isa_;
  void (*row_)(float*, const float* const*, int64_t, bool, int64_t) = nullptr;
  void (*row_nan_)(float*, const float* const*, int64_t, bool, int64_t) = nullptr;
  void (*has_nan_)(const float*, int64_t, int*) = nullptr;
  void (*transform_)(const PhaseLayout&, const float*, int64_t, int64_t, float, float*) = nullptr;
  void (*divide_)(float*, const float*, float, int64_t) = nullptr;
  ThreadScratch scratch_, ptrs_;
};

}  // namespace fs::cpu
