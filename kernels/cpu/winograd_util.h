// Winograd F(m x m, 3x3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016), m = 2 (alpha = 4) or 4 (alpha = 6): weights U = G g G^T once, input tiles
// V = B^T d B, alpha^2 sgemms M_xi [M x tiles] = U_xi [M x C] * V_xi [C x tiles], output tiles
// Y = A^T M A. Work is split into blocks of whole tile rows so that a block's V, M and output rows
// stay in cache and the fused epilogue runs on hot rows. 2-D, stride 1, dilation 1, group 1.
#pragma once
#include <cblas.h>

#include <utility>

#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs::cpu::wino {

template <int M>
struct Mats;
template <>
struct Mats<2> {
  static constexpr int A = 4;
  static constexpr float BT[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  static constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static constexpr float AT[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
};
template <>
struct Mats<4> {
  static constexpr int A = 6;
  static constexpr float BT[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                     {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr double G[6][3] = {{1.0 / 4, 0, 0},
                                     {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                     {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                     {0, 0, 1}};
  static constexpr float AT[4][6] = {
      {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};
};

// Geometry of one Winograd convolution of an [C, H, W] image into [M, OH, OW].
struct Plan {
  int m = 2, a = 4;
  int64_t c = 0, mo = 0, h = 0, w = 0, oh = 0, ow = 0, pt = 0, pl = 0;
  int64_t th = 0, tw = 0;      // tile rows / columns
  int64_t rows_per_block = 1;  // tile rows per work block
  // Each tile row is laid out as tw + 1 columns: tile column tc reads input phase elements tc and
  // tc + 1, and the extra column (a junk tile, computed and dropped) lets every transform step and
  // the sgemm run over all tile rows of a block as one contiguous range.
  int64_t row_cols() const { return tw + 1; }
  int64_t block_cols() const { return rows_per_block * row_cols(); }
  int64_t blocks() const { return (th + rows_per_block - 1) / rows_per_block; }
  // Floats of the transforms' buffers: input phases + B^T down the rows, or A^T down the rows +
  // the output tiles (+ slack for the reads one column past the end).
  int64_t buf_floats() const { return (2 * a * m + m * m) * block_cols() + 64; }
  // Per-thread scratch: the buffers, V and M of a block.
  int64_t scratch_floats() const { return buf_floats() + int64_t{a} * a * (c + mo) * block_cols(); }
};

inline Plan make_plan(int m, int64_t c, int64_t mo, const Geom3& g) {
  Plan p;
  p.m = m;
  p.a = m + 2;
  p.c = c;
  p.mo = mo;
  p.h = g.in[1];
  p.w = g.in[2];
  p.oh = g.out[1];
  p.ow = g.out[2];
  p.pt = g.pb[1];
  p.pl = g.pb[2];
  p.th = (p.oh + m - 1) / m;
  p.tw = (p.ow + m - 1) / m;
  // About 1 MiB of V + M per block, but at least 64 columns (the sgemm's N and the transforms'
  // vector loops); the shape alone decides, not the thread count.
  const int64_t per_tile = int64_t{p.a} * p.a * (c + mo);
  const int64_t tiles = std::max<int64_t>(1, (int64_t{256} * 1024) / std::max<int64_t>(per_tile, 1));
  const int64_t rows = std::max(tiles / p.row_cols(), (64 + p.row_cols() - 1) / p.row_cols());
  // Then an even number of blocks (at least 2 when there are 2 tile rows) of equal height, which
  // keeps two threads busy.
  const int64_t th = std::max<int64_t>(p.th, 1);
  int64_t nb = std::max<int64_t>((th + rows - 1) / rows, std::min<int64_t>(th, 2));
  if (nb % 2 == 1 && nb < th) ++nb;
  p.rows_per_block = (th + nb - 1) / nb;
  return p;
}

// U [a*a][M][C] from w [M][C][3][3]: U = G g G^T, computed in double.
template <int M>
inline void transform_weights(const float* w, int64_t mo, int64_t c, float* u) {
  using T = Mats<M>;
  constexpr int A = T::A;
  for (int64_t o = 0; o < mo; ++o)
    for (int64_t i = 0; i < c; ++i) {
      const float* g = w + (o * c + i) * 9;
      double t[A][3];
      for (int r = 0; r < A; ++r)
        for (int j = 0; j < 3; ++j) t[r][j] = T::G[r][0] * g[j] + T::G[r][1] * g[3 + j] + T::G[r][2] * g[6 + j];
      for (int r = 0; r < A; ++r)
        for (int s = 0; s < A; ++s) {
          const double v = t[r][0] * T::G[s][0] + t[r][1] * T::G[s][1] + t[r][2] * T::G[s][2];
          u[((r * A + s) * mo + o) * c + i] = static_cast<float>(v);
        }
    }
}

namespace detail {

// Lambdas are not covered by the callers' target / flatten attributes: force them inline so that
// they are compiled (and vectorized) for the caller's ISA.
#define FS_WINO_INLINE __attribute__((always_inline))

// sum_k Mx[I][k] * in(k) over the nonzero coefficients of row I (unit ones fold to adds / subs).
template <int I, int K, const auto& Mx, typename F>
[[gnu::always_inline]] inline float dot(const F& in) {
  float s = 0.0f;
  bool first = true;
  [&]<int... k>(std::integer_sequence<int, k...>) FS_WINO_INLINE {
    (
        [&]() FS_WINO_INLINE {
          if constexpr (Mx[I][k] != 0.0f) {
            const float t = Mx[I][k] == 1.0f ? in(k) : Mx[I][k] == -1.0f ? -in(k) : Mx[I][k] * in(k);
            s = first ? t : s + t;
            first = false;
          }
        }(),
        ...);
  }
  (std::make_integer_sequence<int, K>{});
  return s;
}

// Calls f(std::integral_constant<int, i>) for i < N.
template <int N, typename F>
[[gnu::always_inline]] inline void static_for(const F& f) {
  [&]<int... i>(std::integer_sequence<int, i...>) FS_WINO_INLINE { (f(std::integral_constant<int, i>{}), ...); }
  (std::make_integer_sequence<int, N>{});
}

// V for tile rows [r0, r1) of image x [C, H, W]: V[(xi * C + c) * n + u], n = (r1 - r0) * (tw + 1),
// u = local tile row * (tw + 1) + tile column. Per channel: the A input rows of every tile row split
// into M phases (phase q element t = column t*M + q - pl, zero outside the image), so that column l
// of tile u is phase l % M at u + l / M; then B^T down the rows and along the columns, each one
// contiguous loop over the block.
template <int M>
inline void input_block(const Plan& p, const float* x, int64_t r0, int64_t r1, float* buf, float* v) {
  using T = Mats<M>;
  constexpr int A = T::A;
  const int64_t len = p.row_cols(), n = (r1 - r0) * len, hw = p.h * p.w;
  float* ph = buf;              // [A][M][n]: phase q of input row k of each tile row
  float* bt = buf + A * M * n;  // [A][M][n + 1]: B^T down the rows
  for (int64_t c = 0; c < p.c; ++c) {
    const float* xc = x + c * hw;
    for (int k = 0; k < A; ++k)
      for (int q = 0; q < M; ++q) {
        const Range cols = valid_outputs(len, M, q - p.pl, p.w);
        for (int64_t tr = r0; tr < r1; ++tr) {
          float* __restrict o = ph + (k * M + q) * n + (tr - r0) * len;
          const int64_t ih = tr * M - p.pt + k;
          const Range r = ih < 0 || ih >= p.h ? Range{0, 0} : cols;
          const float* __restrict src = xc + ih * p.w + q - p.pl;
          for (int64_t t = 0; t < r.lo; ++t) o[t] = 0.0f;
          for (int64_t t = r.lo; t < r.hi; ++t) o[t] = src[t * M];
          for (int64_t t = std::max(r.hi, r.lo); t < len; ++t) o[t] = 0.0f;
        }
      }
    // Each loop loads its A inputs once and writes all A outputs (shared subexpressions fold);
    // the planes are disjoint (ivdep).
    for (int q = 0; q < M; ++q) {
      const float* in = ph + q * n;
      float* o = bt + q * (n + 1);
#pragma GCC ivdep
      for (int64_t u = 0; u < n; ++u) {
        float d[A];
        static_for<A>([&](auto k) FS_WINO_INLINE { d[k] = in[k * M * n + u]; });
        static_for<A>([&](auto i) FS_WINO_INLINE {
          o[i * M * (n + 1) + u] = dot<decltype(i)::value, A, T::BT>([&](int k) FS_WINO_INLINE { return d[k]; });
        });
      }
    }
    for (int r = 0; r < A * M; ++r) bt[r * (n + 1) + n] = 0.0f;  // read by the last (junk) tile
    for (int i = 0; i < A; ++i) {
      const float* row = bt + i * M * (n + 1);
      float* dst = v + (i * A * p.c + c) * n;  // + j * C * n for output j
#pragma GCC ivdep
      for (int64_t u = 0; u < n; ++u) {
        float d[A];
        static_for<A>([&](auto l) FS_WINO_INLINE { d[l] = row[(l % M) * (n + 1) + u + l / M]; });
        static_for<A>([&](auto j) FS_WINO_INLINE {
          dst[j * p.c * n + u] = dot<decltype(j)::value, A, T::BT>([&](int l) FS_WINO_INLINE { return d[l]; });
        });
      }
    }
  }
}

// Output rows of tile rows [r0, r1) from mo [(xi * M + o) * n + u] (input_block's columns):
// y [M, OH, OW] = A^T m A, A^T down the rows then along the columns over the whole block, then the
// tiles' M x M values copied into the output rows.
template <int M>
inline void output_block(const Plan& p, const float* mo, int64_t r0, int64_t r1, float* buf, float* y) {
  using T = Mats<M>;
  constexpr int A = T::A;
  const int64_t len = p.row_cols(), n = (r1 - r0) * len, ohw = p.oh * p.ow, xs = p.mo * n;
  float* at = buf;              // [M][A][n]: A^T down the rows
  float* yt = buf + M * A * n;  // [M][M][n]: output tiles
  for (int64_t o = 0; o < p.mo; ++o) {
    const float* src = mo + o * n;
    for (int j = 0; j < A; ++j) {
      const float* sj = src + j * xs;
      float* d = at + j * n;  // + i * A * n for output row i
#pragma GCC ivdep
      for (int64_t u = 0; u < n; ++u) {
        float e[A];
        static_for<A>([&](auto k) FS_WINO_INLINE { e[k] = sj[k * A * xs + u]; });
        static_for<M>([&](auto i) FS_WINO_INLINE {
          d[i * A * n + u] = dot<decltype(i)::value, A, T::AT>([&](int k) FS_WINO_INLINE { return e[k]; });
        });
      }
    }
    for (int i = 0; i < M; ++i) {
      const float* row = at + i * A * n;
      float* d = yt + i * M * n;  // + j * n for output column j
#pragma GCC ivdep
      for (int64_t u = 0; u < n; ++u) {
        float e[A];
        static_for<A>([&](auto l) FS_WINO_INLINE { e[l] = row[l * n + u]; });
        static_for<M>([&](auto j) FS_WINO_INLINE {
          d[j * n + u] = dot<decltype(j)::value, A, T::AT>([&](int l) FS_WINO_INLINE { return e[l]; });
        });
      }
    }
    for (int64_t tr = r0; tr < r1; ++tr)
      for (int i = 0; i < M; ++i) {
        const int64_t oy = tr * M + i;
        if (oy >= p.oh) break;
        float* __restrict yr = y + o * ohw + oy * p.ow;
        const int64_t u0 = (tr - r0) * len;
        for (int j = 0; j < M; ++j) {
          const float* __restrict s = yt + (i * M + j) * n + u0;
          const int64_t cnt = (p.ow - j + M - 1) / M;  // output columns tc*M + j < ow
          for (int64_t tc = 0; tc < cnt; ++tc) yr[tc * M + j] = s[tc];
        }
      }
  }
}

#undef FS_WINO_INLINE

}  // namespace detail

#define FS_WINO_IN_PARAMS (const Plan& p, const float* x, int64_t r0, int64_t r1, float* buf, float* v)
#define FS_WINO_OUT_PARAMS (const Plan& p, const float* mo, int64_t r0, int64_t r1, float* buf, float* y)
FS_CPU_ISA_VARIANTS(wino_input_f2, FS_WINO_IN_PARAMS, detail::input_block<2>(p, x, r0, r1, buf, v))
FS_CPU_ISA_VARIANTS(wino_input_f4, FS_WINO_IN_PARAMS, detail::input_block<4>(p, x, r0, r1, buf, v))
FS_CPU_ISA_VARIANTS(wino_output_f2, FS_WINO_OUT_PARAMS, detail::output_block<2>(p, mo, r0, r1, buf, y))
FS_CPU_ISA_VARIANTS(wino_output_f4, FS_WINO_OUT_PARAMS, detail::output_block<4>(p, mo, r0, r1, buf, y))
#undef FS_WINO_IN_PARAMS
#undef FS_WINO_OUT_PARAMS

struct Fns {
  void (*input)(const Plan&, const float*, int64_t, int64_t, float*, float*) = nullptr;
  void (*output)(const Plan&, const float*, int64_t, int64_t, float*, float*) = nullptr;
};
inline Fns fns(int m, Isa isa) {
  if (m == 4) return {wino_input_f4_table().pick(isa), wino_output_f4_table().pick(isa)};
  return {wino_input_f2_table().pick(isa), wino_output_f2_table().pick(isa)};
}

// One block (image x [C, H, W] -> y [M, OH, OW], tile rows [r0, r1)): transform, alpha^2 sgemms
// (single-threaded: called inside the caller's parallel region), inverse transform into output
// rows [r0 * m, min(OH, r1 * m)).
inline void run_block(const Plan& p, const Fns& f, const float* u, const float* x, int64_t r0, int64_t r1,
                      float* scratch, float* y) {
  const int64_t nt = (r1 - r0) * p.row_cols(), aa = int64_t{p.a} * p.a;
  float* buf = scratch;
  float* v = buf + p.buf_floats();
  float* mo = v + aa * p.c * p.block_cols();
  f.input(p, x, r0, r1, buf, v);
  for (int64_t xi = 0; xi < aa; ++xi)
    sgemm(false, false, p.mo, nt, p.c, 1.0f, u + xi * p.mo * p.c, p.c, v + xi * p.c * nt, nt, 0.0f, mo + xi * p.mo * nt,
          nt);
  f.output(p, mo, r0, r1, buf, y);
}

}  // namespace fs::cpu::wino
