// im2col / col2im over a block of spatial positions (any of 1-3 spatial dims, padded to 3-D), for
// the sgemm-based Conv and ConvTranspose, and the block size that keeps a column block in cache.
#pragma once
#include "kernels/cpu/conv_util.h"

namespace fs::cpu {

// Columns per block so that a block of `rows` column rows stays within ~512 KiB (half an L2),
// rounded to 16 and at least 64 (whole when `total` is smaller).
inline int64_t column_block(int64_t rows, int64_t total) {
  int64_t nb = (int64_t{128} * 1024) / std::max<int64_t>(rows, 1);
  nb = std::max<int64_t>(64, nb / 16 * 16);
  return std::min(nb, total);
}

namespace gemm_detail {

// Calls f(od, oh, ow_begin, ow_end, j) for each output-row segment of flat positions [j0, j1).
template <typename F>
inline void for_row_segments(const int64_t out[3], int64_t j0, int64_t j1, F&& f) {
  int64_t j = j0;
  while (j < j1) {
    const int64_t ow = j % out[2], row = j / out[2];
    const int64_t oh = row % out[1], od = row / out[1];
    const int64_t e = std::min(out[2], ow + (j1 - j));
    f(od, oh, ow, e, j);
    j += e - ow;
  }
}

}  // namespace gemm_detail

// col[r][j - j0] for rows r = (c, kd, kh, kw) of `channels` input planes (x: [channels, in_vol]) and
// output positions j in [j0, j1): the input element under tap (kd, kh, kw) of output j, 0 in padding.
inline void im2col(const Geom3& g, const float* x, int64_t channels, int64_t j0, int64_t j1, float* col, int threads) {
  const int64_t kvol = g.k_vol(), nb = j1 - j0, rows = channels * kvol;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r / kvol, t = r % kvol;
    const int64_t kd = t / (g.k[1] * g.k[2]), kh = (t / g.k[2]) % g.k[1], kw = t % g.k[2];
    const float* xc = x + c * g.in_vol();
    float* dst = col + r * nb - j0;
    const int64_t woff = kw * g.d[2] - g.pb[2];
    const Range vw = valid_outputs(g.out[2], g.s[2], woff, g.in[2]);
    gemm_detail::for_row_segments(g.out, j0, j1, [&](int64_t od, int64_t oh, int64_t b, int64_t e, int64_t j) {
      float* o = dst + j - b;  // o[ow] for ow in [b, e)
      const int64_t id = od * g.s[0] - g.pb[0] + kd * g.d[0], ih = oh * g.s[1] - g.pb[1] + kh * g.d[1];
      if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
        std::fill(o + b, o + e, 0.0f);
        return;
      }
      const float* xr = xc + (id * g.in[1] + ih) * g.in[2] + woff;  // xr[ow * s] for valid ow
      const int64_t lo = std::clamp(vw.lo, b, e), hi = std::clamp(vw.hi, lo, e);
      std::fill(o + b, o + lo, 0.0f);
      if (g.s[2] == 1) {
        std::memcpy(o + lo, xr + lo, static_cast<size_t>(hi - lo) * sizeof(float));
      } else {
        for (int64_t ow = lo; ow < hi; ++ow) o[ow] = xr[ow * g.s[2]];
      }
      std::fill(o + hi, o + e, 0.0f);
    });
  }
}

// The transpose: for output channels [0, channels) of y ([channels, out_vol] planes of the
// transposed convolution's output), adds col[r][j - j0] (r = (m, kd, kh, kw), j an *input*
// position in [j0, j1)) to the output element that input j reaches through tap (kd, kh, kw).
// Geometry g is ConvTranspose's: g.in the small input, g.out the upsampled output.
inline void col2im(const Geom3& g, const float* col, int64_t channels, int64_t j0, int64_t j1, float* y, int threads) {
  const int64_t kvol = g.k_vol(), nb = j1 - j0;
  const int64_t in3[3] = {g.in[0], g.in[1], g.in[2]};
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t m = 0; m < channels; ++m) {
    float* ym = y + m * g.out_vol();
    for (int64_t t = 0; t < kvol; ++t) {
      const int64_t kd = t / (g.k[1] * g.k[2]), kh = (t / g.k[2]) % g.k[1], kw = t % g.k[2];
      const float* src = col + (m * kvol + t) * nb - j0;
      const int64_t woff = kw * g.d[2] - g.pb[2];
      // input columns iw whose output column iw*s + woff lies in [0, out)
      const Range vw = valid_outputs(g.in[2], g.s[2], woff, g.out[2]);
      gemm_detail::for_row_segments(in3, j0, j1, [&](int64_t id, int64_t ih, int64_t b, int64_t e, int64_t j) {
        const int64_t od = id * g.s[0] - g.pb[0] + kd * g.d[0], oh = ih * g.s[1] - g.pb[1] + kh * g.d[1];
        if (od < 0 || od >= g.out[0] || oh < 0 || oh >= g.out[1]) return;
        const float* s = src + j - b;                             // s[iw] for iw in [b, e)
        float* yr = ym + (od * g.out[1] + oh) * g.out[2] + woff;  // yr[iw * s]
        const int64_t lo = std::clamp(vw.lo, b, e), hi = std::clamp(vw.hi, lo, e);
        if (g.s[2] == 1) {
          for (int64_t iw = lo; iw < hi; ++iw) yr[iw] += s[iw];
        } else {
          for (int64_t iw = lo; iw < hi; ++iw) yr[iw * g.s[2]] += s[iw];
        }
      });
    }
  }
}

}  // namespace fs::cpu
