// Comparison statistics (see diff/metrics.h for the definitions).
#include "diff/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace fs {

std::vector<int64_t> top_k(std::span<const double> v, int64_t k) {
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::clamp<int64_t>(k, 0, static_cast<int64_t>(v.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int64_t a, int64_t b) {
    double x = v[static_cast<size_t>(a)], y = v[static_cast<size_t>(b)];
    if (std::isnan(x) != std::isnan(y)) return !std::isnan(x);  // NaN last
    return x > y || (x == y && a < b);
  });
  idx.resize(static_cast<size_t>(k));
  return idx;
}

std::vector<double> log_softmax(std::span<const double> logits) {
  std::vector<double> r(logits.size());
  if (logits.empty()) return r;
  double m = *std::max_element(logits.begin(), logits.end());
  double s = 0;
  for (double x : logits) s += std::exp(x - m);
  double ls = std::log(s);
  for (size_t i = 0; i < logits.size(); ++i) r[i] = logits[i] - m - ls;
  return r;
}

std::vector<double> softmax(std::span<const double> logits) {
  auto r = log_softmax(logits);
  for (double& x : r) x = std::exp(x);
  return r;
}

double kl_divergence(std::span<const double> ref, std::span<const double> var) {
  auto lp = log_softmax(ref), lq = log_softmax(var);
  double kl = 0;
  for (size_t i = 0; i < lp.size() && i < lq.size(); ++i) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
  return std::max(0.0, kl);  // rounding can make an exact 0 slightly negative
}

double max_abs_error(std::span<const double> ref, std::span<const double> var) {
  double m = 0;
  for (size_t i = 0; i < ref.size() && i < var.size(); ++i) {
    double d = std::fabs(var[i] - ref[i]);
    if (std::isnan(d)) return std::numeric_limits<double>::infinity();
    m = std::max(m, d);
  }
  return m;
}

double max_rel_error(std::span<const double> ref, std::span<const double> var) {
  double scale = 0;
  for (double x : ref) scale = std::max(scale, std::fabs(x));
  double floor = 1e-3 * scale, m = 0;
  for (size_t i = 0; i < ref.size() && i < var.size(); ++i) {
    double d = std::fabs(var[i] - ref[i]);
    if (d == 0) continue;
    double den = std::max(std::fabs(ref[i]), floor);
    if (den == 0 || std::isnan(d)) return std::numeric_limits<double>::infinity();
    m = std::max(m, d / den);
  }
  return m;
}

double cosine_similarity(std::span<const double> a, std::span<const double> b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa == 0 && bb == 0) return 1;
  if (aa == 0 || bb == 0) return 0;
  return ab / (std::sqrt(aa) * std::sqrt(bb));
}

double top_k_overlap(std::span<const double> ref, std::span<const double> var, int64_t k) {
  auto a = top_k(ref, k), b = top_k(var, k);
  if (a.empty()) return 1;
  int64_t common = 0;
  for (int64_t x : a) common += std::count(b.begin(), b.end(), x);
  return static_cast<double>(common) / static_cast<double>(a.size());
}

double top1_margin(std::span<const double> v) {
  auto t = top_k(v, 2);
  if (t.size() < 2) return 0;
  return v[static_cast<size_t>(t[0])] - v[static_cast<size_t>(t[1])];
}

bool near_tie(std::span<const double> v) {
  double scale = 0;
  for (double x : v) scale = std::max(scale, std::fabs(x));
  return top1_margin(v) < kNearTieFraction * scale;
}

Interval wilson95(int64_t k, int64_t n) {
  if (n <= 0) return {};
  const double z = 1.959963984540054, z2 = z * z, nn = static_cast<double>(n);
  double p = static_cast<double>(k) / nn;
  double den = 1 + z2 / nn;
  double centre = (p + z2 / (2 * nn)) / den;
  double half = z / den * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double mcnemar_exact(int64_t b, int64_t c) {
  int64_t n = b + c;
  if (n <= 0) return 1;
  int64_t m = std::min(b, c);
  // P[X <= m] summed in log space: log C(n, i) - n log 2.
  double tail = 0;
  for (int64_t i = 0; i <= m; ++i) {
    double lc = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
                std::lgamma(static_cast<double>(n - i) + 1);
    tail += std::exp(lc - static_cast<double>(n) * std::log(2.0));
  }
  return std::min(1.0, 2 * tail);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  double f = pos - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * f;
}

}  // namespace fs
