// Stride-1 2-D convolution without an im2col matrix: kh*kw accumulating GEMMs over a zero-padded
// copy of the input. Tap (i, j) multiplies the weights W[:, :, i, j] ([M, C], packed once) by the
// padded planes read in place from offset i*dh*Wp + j*dw with a row stride of one padded plane, so
// the GEMM's N dimension runs over "wide" output rows of Wp columns, of which the first OW are the
// convolution's (the other Wp - OW are computed and dropped). The copy of the input is 1/(kh*kw) of
// what im2col writes, which is what made im2col + sgemm slow on the 14x14 and 7x7 planes of
// DenseNet / ResNet / Inception (profile: im2col and its memcpy were 30% of DenseNet-121's time).
#pragma once
#include <algorithm>
#include <cstring>

#include "kernels/cpu/conv_util.h"
#include "kernels/cpu/sgemm.h"

namespace fs::cpu::shifted {

struct Plan {
  int64_t cg = 0, mg = 0, ih = 0, iw = 0, kh = 1, kw = 1, dh = 1, dw = 1, pt = 0, pl = 0;
  int64_t hp = 0, wp = 0, oh = 0, ow = 0;
  int64_t rows = 1;  // output rows per work item
  bool padded = false;
  int64_t taps() const { return kh * kw; }
  int64_t blocks() const { return (oh + rows - 1) / rows; }
  int64_t wide_floats() const { return mg * rows * wp; }
  // Fraction of the computed columns that are dropped.
  double waste() const { return static_cast<double>(wp - ow) / static_cast<double>(wp); }
};

// The plan of a 2-D (g.in[0] == 1), stride-1 convolution with `cg` input and `mg` output channels
// per group; work items are blocks of output rows, at least two per thread when the plane allows.
inline Plan make_plan(const Geom3& g, int64_t cg, int64_t mg, int64_t planes, int nt) {
  Plan p;
  p.cg = cg;
  p.mg = mg;
  p.ih = g.in[1];
  p.iw = g.in[2];
  p.kh = g.k[1];
  p.kw = g.k[2];
  p.dh = g.d[1];
  p.dw = g.d[2];
  p.pt = g.pb[1];
  p.pl = g.pb[2];
  p.oh = g.out[1];
  p.ow = g.out[2];
  p.hp = p.oh + (p.kh - 1) * p.dh;  // rows the taps read (padding below included)
  p.wp = p.ow + (p.kw - 1) * p.dw;
  p.padded = p.pt != 0 || p.pl != 0 || p.hp != p.ih || p.wp != p.iw;
  // Rows per item: the item's slice of padded input (cg x (rows + taps' reach) x wp) and its wide
  // output (mg x rows x wp) within ~512 KiB, split further until every thread has two items.
  const int64_t budget = int64_t{128} * 1024;
  int64_t rows = std::max<int64_t>(1, budget / std::max<int64_t>(1, (cg + mg) * p.wp));
  rows = std::min(rows, p.oh);
  // Halving stops at ~64 columns per GEMM; the kernel splits small planes by output channels then.
  while (nt > 1 && rows > 1 && planes * ((p.oh + rows - 1) / rows) < 2 * nt && (rows / 2) * p.wp >= 64)
    rows = (rows + 1) / 2;
  p.rows = rows;
  return p;
}

// W [M, cg, kh, kw] (M = groups * mg) -> [group][tap][mg][cg].
inline void pack_weights(const Plan& p, const float* w, int64_t groups, float* out) {
  const int64_t taps = p.taps();
  for (int64_t gi = 0; gi < groups; ++gi)
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t m = 0; m < p.mg; ++m)
        for (int64_t c = 0; c < p.cg; ++c)
          out[((gi * taps + t) * p.mg + m) * p.cg + c] = w[((gi * p.mg + m) * p.cg + c) * taps + t];
}

// One channel plane [ih, iw] -> [hp, wp] with the convolution's zero padding (and the zeros below /
// right of the input that the last taps of the last rows reach).
inline void pad_plane(const Plan& p, const float* x, float* dst) {
  for (int64_t r = 0; r < p.hp; ++r) {
    float* d = dst + r * p.wp;
    const int64_t sr = r - p.pt;
    if (sr < 0 || sr >= p.ih) {
      std::fill(d, d + p.wp, 0.0f);
      continue;
    }
    const int64_t lo = std::min(p.pl, p.wp), n = std::clamp<int64_t>(p.iw, 0, p.wp - lo);
    std::fill(d, d + lo, 0.0f);
    std::memcpy(d + lo, x + sr * p.iw, static_cast<size_t>(n) * sizeof(float));
    std::fill(d + lo + n, d + p.wp, 0.0f);
  }
}

// Output rows [r0, r1) and output channels [m0, m0 + mc) of one (image, group): `src` the group's
// [cg, hp, wp] planes (padded, or the input itself when no padding is needed), `wt` its
// [tap][mg][cg] weights, `wide` scratch of wide_floats(), `y` the group's [mg, oh * ow] output.
// Single-threaded GEMMs inside a parallel region; multithreaded ones otherwise.
inline void run_rows(const Plan& p, const float* src, const float* wt, int64_t r0, int64_t r1, int64_t m0, int64_t mc,
                     float* wide, float* y) {
  const int64_t plane = p.hp * p.wp, span = (r1 - r0 - 1) * p.wp + p.ow;
  for (int64_t i = 0; i < p.kh; ++i)
    for (int64_t j = 0; j < p.kw; ++j) {
      const int64_t t = i * p.kw + j;
      sgemm(false, false, mc, span, p.cg, 1.0f, wt + (t * p.mg + m0) * p.cg, p.cg,
            src + (r0 + i * p.dh) * p.wp + j * p.dw, plane, t == 0 ? 0.0f : 1.0f, wide, span);
    }
  const int64_t ohw = p.oh * p.ow;
  y += m0 * ohw;
  for (int64_t m = 0; m < mc; ++m)
    for (int64_t r = r0; r < r1; ++r)
      std::memcpy(y + m * ohw + r * p.ow, wide + m * span + (r - r0) * p.wp, static_cast<size_t>(p.ow) * sizeof(float));
}

}  // namespace fs::cpu::shifted
