// Winograd F(m x m, 3x3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016), m = 2 (alpha = 4) or 4 (alpha = 6): weights U = G g G^T once, input tiles
// V = B^T d B, alpha^2 sgemms M_xi [M x tiles] = U_xi [M x C] * V_xi [C x tiles], output tiles
// Y = A^T M A. Work is split into blocks of whole tile rows so that a block's V, M and output rows
// stay in cache and the fused epilogue runs on hot rows. 2-D, stride 1, dilation 1, group 1.
#pragma once
#include <cblas.h>

#include "kernels/cpu/conv_util.h"

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
  int64_t th = 0, tw = 0;                             // tile rows / columns
  int64_t rows_per_block = 1;                         // tile rows per work block
  int64_t row_len() const { return tw * m + a - m; }  // padded input row read by one tile row
  int64_t block_tiles() const { return rows_per_block * tw; }
  int64_t blocks() const { return (th + rows_per_block - 1) / rows_per_block; }
  // Per-thread scratch: padded input rows, V and M of a block, output rows.
  int64_t scratch_floats() const { return a * row_len() + int64_t{a} * a * (c + mo) * block_tiles() + m * tw * m + 64; }
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
  // About 512 KiB of V + M per block (depends on the shape only, not on the thread count).
  const int64_t per_tile = int64_t{p.a} * p.a * (c + mo);
  const int64_t tiles = std::max<int64_t>(1, (int64_t{128} * 1024) / std::max<int64_t>(per_tile, 1));
  p.rows_per_block = std::clamp<int64_t>(tiles / std::max<int64_t>(p.tw, 1), 1, std::max<int64_t>(p.th, 1));
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

constexpr int kLanes = 16;  // tiles transformed together (the vectorized dimension)

// out[i][q] = sum_k BT[i][k] * in[k][q] for q < kLanes (the zero / unit coefficients fold away).
template <int R, int K, const float (&Mx)[R][K]>
inline void apply(const float (&in)[K][kLanes], float (&out)[R][kLanes]) {
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    for (int q = 0; q < kLanes; ++q) out[i][q] = 0.0f;
#pragma GCC unroll 8
    for (int k = 0; k < K; ++k) {
      if (Mx[i][k] == 0.0f) continue;
      const float c = Mx[i][k];
      for (int q = 0; q < kLanes; ++q) out[i][q] += c * in[k][q];
    }
  }
}

// V for tile rows [r0, r1) of image x [C, H, W]: V[(xi * C + c) * nt + t], nt = tiles of the block.
template <int M>
inline void input_block(const Plan& p, const float* x, int64_t r0, int64_t r1, float* prow, float* v) {
  using T = Mats<M>;
  constexpr int A = T::A;
  const int64_t nt = (r1 - r0) * p.tw, len = p.row_len(), hw = p.h * p.w;
  for (int64_t c = 0; c < p.c; ++c) {
    const float* xc = x + c * hw;
    for (int64_t tr = r0; tr < r1; ++tr) {
      for (int i = 0; i < A; ++i) {  // padded rows: prow[i][j] = x[tr*M - pt + i][j - pl] or 0
        float* o = prow + i * len;
        const int64_t ih = tr * M - p.pt + i;
        if (ih < 0 || ih >= p.h) {
          std::fill(o, o + len, 0.0f);
          continue;
        }
        const int64_t lo = std::min(len, p.pl), hi = std::clamp(p.w + p.pl, lo, len);
        std::fill(o, o + lo, 0.0f);
        std::copy(xc + ih * p.w + (lo - p.pl), xc + ih * p.w + (hi - p.pl), o + lo);
        std::fill(o + hi, o + len, 0.0f);
      }
      for (int64_t tc0 = 0; tc0 < p.tw; tc0 += kLanes) {
        const int lanes = static_cast<int>(std::min<int64_t>(kLanes, p.tw - tc0));
        float d[A][A][kLanes], t[A][A][kLanes];
        for (int k = 0; k < A; ++k)
          for (int l = 0; l < A; ++l)
            for (int q = 0; q < kLanes; ++q) d[l][k][q] = q < lanes ? prow[k * len + (tc0 + q) * M + l] : 0.0f;
        // d[l][k] holds column l of the tile: t[l] = BT * column l, i.e. t[l][i] = (BT d)[i][l].
        for (int l = 0; l < A; ++l) apply<A, A, T::BT>(d[l], t[l]);
        // Now (BT d BT^T)[i][j] = sum_l BT[j][l] * t[l][i]: transpose t's first two indices.
        float s[A][A][kLanes], r[A][A][kLanes];
        for (int i = 0; i < A; ++i)
          for (int l = 0; l < A; ++l)
            for (int q = 0; q < kLanes; ++q) s[i][l][q] = t[l][i][q];
        for (int i = 0; i < A; ++i) apply<A, A, T::BT>(s[i], r[i]);
        const int64_t t0 = (tr - r0) * p.tw + tc0;
        for (int i = 0; i < A; ++i)
          for (int j = 0; j < A; ++j) {
            float* dst = v + ((i * A + j) * p.c + c) * nt + t0;
            for (int q = 0; q < lanes; ++q) dst[q] = r[i][j][q];
          }
      }
    }
  }
}

// Output rows of tile rows [r0, r1) from mo [(xi * M + o) * nt + t]: y [M, OH, OW] = A^T m A.
template <int M>
inline void output_block(const Plan& p, const float* mo, int64_t r0, int64_t r1, float* orow, float* y) {
  using T = Mats<M>;
  constexpr int A = T::A;
  const int64_t nt = (r1 - r0) * p.tw, ohw = p.oh * p.ow, olen = p.tw * M;
  for (int64_t o = 0; o < p.mo; ++o) {
    for (int64_t tr = r0; tr < r1; ++tr) {
      for (int64_t tc0 = 0; tc0 < p.tw; tc0 += kLanes) {
        const int lanes = static_cast<int>(std::min<int64_t>(kLanes, p.tw - tc0));
        const int64_t t0 = (tr - r0) * p.tw + tc0;
        float s[A][A][kLanes], t[A][M][kLanes];
        for (int i = 0; i < A; ++i)
          for (int j = 0; j < A; ++j) {
            const float* src = mo + ((i * A + j) * p.mo + o) * nt + t0;
            for (int q = 0; q < kLanes; ++q) s[j][i][q] = q < lanes ? src[q] : 0.0f;
          }
        // s[j] = column j: t[j] = AT * column j, t[j][i] = (AT m)[i][j]
        for (int j = 0; j < A; ++j) apply<M, A, T::AT>(s[j], t[j]);
        float u[M][A][kLanes], r[M][M][kLanes];
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < A; ++j)
            for (int q = 0; q < kLanes; ++q) u[i][j][q] = t[j][i][q];
        for (int i = 0; i < M; ++i) apply<M, A, T::AT>(u[i], r[i]);  // r[i][j] = (AT m A)[i][j]
        for (int i = 0; i < M; ++i)
          for (int q = 0; q < lanes; ++q)
            for (int j = 0; j < M; ++j) orow[i * olen + (tc0 + q) * M + j] = r[i][j][q];
      }
      for (int i = 0; i < M; ++i) {
        const int64_t oy = tr * M + i;
        if (oy >= p.oh) break;
        std::copy(orow + i * olen, orow + i * olen + p.ow, y + o * ohw + oy * p.ow);
      }
    }
  }
}

}  // namespace detail

#define FS_WINO_IN_PARAMS (const Plan& p, const float* x, int64_t r0, int64_t r1, float* prow, float* v)
#define FS_WINO_OUT_PARAMS (const Plan& p, const float* mo, int64_t r0, int64_t r1, float* orow, float* y)
FS_CPU_ISA_VARIANTS(wino_input_f2, FS_WINO_IN_PARAMS, detail::input_block<2>(p, x, r0, r1, prow, v))
FS_CPU_ISA_VARIANTS(wino_input_f4, FS_WINO_IN_PARAMS, detail::input_block<4>(p, x, r0, r1, prow, v))
FS_CPU_ISA_VARIANTS(wino_output_f2, FS_WINO_OUT_PARAMS, detail::output_block<2>(p, mo, r0, r1, orow, y))
FS_CPU_ISA_VARIANTS(wino_output_f4, FS_WINO_OUT_PARAMS, detail::output_block<4>(p, mo, r0, r1, orow, y))
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
  const int64_t nt = (r1 - r0) * p.tw, aa = int64_t{p.a} * p.a;
  float* prow = scratch;
  float* v = prow + p.a * p.row_len();
  float* mo = v + aa * p.c * p.block_tiles();
  float* orow = mo + aa * p.mo * p.block_tiles();
  f.input(p, x, r0, r1, prow, v);
  for (int64_t xi = 0; xi < aa; ++xi)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p.mo, nt, p.c, 1.0f, u + xi * p.mo * p.c, p.c,
                v + xi * p.c * nt, nt, 0.0f, mo + xi * p.mo * nt, nt);
  f.output(p, mo, r0, r1, orow, y);
}

}  // namespace fs::cpu::wino
