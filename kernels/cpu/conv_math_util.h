// Vectorizable math for the cpu norm / softmax / global-pool kernels: exp (Cephes polynomial),
// sums accumulated in double across lanes, NaN-propagating max.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace fs::cpu {

// e^x within ~2 ulp for x in [-87.3, 88.3] (clamped outside: 1.2e-38 below, 2.3e38 above; NaN
// stays NaN). Plain arithmetic so that loops calling it vectorize (std::floor would not).
inline float exp_poly(float x) {
  const float xc = std::min(std::max(x, -87.33654f), 88.37f);
  // n = round(xc / ln 2) by the 1.5 * 2^23 trick (|xc / ln 2| < 2^22, round to nearest even).
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = xc - n * 0.693359375f;  // Cody-Waite: ln 2 = 0.693359375 - 2.12194440e-4
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  const float scale = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
  return e * scale;
}

// Sum of x[0..n) accumulated in double over 8 lanes.
inline double sum_f64(const float* __restrict x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += static_cast<double>(x[i + l]);
  double s = 0;
  for (; i < n; ++i) s += static_cast<double>(x[i]);
  for (int l = 0; l < 8; ++l) s += acc[l];
  return s;
}

// Sum of (x[i] - mean)^2 accumulated in double over 8 lanes.
inline double sum_sq_dev_f64(const float* __restrict x, int64_t n, double mean) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) {
      const double d = static_cast<double>(x[i + l]) - mean;
      acc[l] += d * d;
    }
  double s = 0;
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - mean;
    s += d * d;
  }
  for (int l = 0; l < 8; ++l) s += acc[l];
  return s;
}

// max(a, x) that propagates a NaN from either side.
inline float max_nan(float a, float x) { return (x > a || x != x) ? x : a; }

// Maximum of x[0..n) (n >= 1) over 16 lanes, NaN if any element is NaN.
inline float max_f32(const float* __restrict x, int64_t n) {
  float acc[16];
  for (int l = 0; l < 16; ++l) acc[l] = x[0];
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) acc[l] = max_nan(acc[l], x[i + l]);
  float m = x[0];
  for (; i < n; ++i) m = max_nan(m, x[i]);
  for (int l = 0; l < 16; ++l) m = max_nan(m, acc[l]);
  return m;
}

}  // namespace fs::cpu
