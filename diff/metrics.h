// Pure comparison statistics of the differential oracle: top-k, softmax, KL, error norms, margins,
// Wilson intervals, McNemar's exact test and percentiles. Definitions are in docs/study.md.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace fs {

// Indices of the k largest values, largest first; ties go to the lower index. k is capped at the size.
std::vector<int64_t> top_k(std::span<const double> v, int64_t k);
// Softmax in double (max subtracted first). log_softmax likewise, without underflow to -inf.
std::vector<double> softmax(std::span<const double> logits);
std::vector<double> log_softmax(std::span<const double> logits);
// KL(softmax(ref) || softmax(var)) in nats; 0 when equal.
double kl_divergence(std::span<const double> ref, std::span<const double> var);
// max_i |var_i - ref_i|.
double max_abs_error(std::span<const double> ref, std::span<const double> var);
// max_i |var_i - ref_i| / max(|ref_i|, 1e-3 * max_j |ref_j|): relative error with a floor so that a
// logit near zero does not dominate (0 when ref is all zeros and var equals it).
double max_rel_error(std::span<const double> ref, std::span<const double> var);
// Cosine similarity; 1 when both are all zeros, 0 when exactly one is.
double cosine_similarity(std::span<const double> a, std::span<const double> b);
// |top_k(ref) ∩ top_k(var)| / k (k capped at the size).
double top_k_overlap(std::span<const double> ref, std::span<const double> var, int64_t k);
// Top-1 minus top-2 of the values as given (logits, not softmax); 0 for fewer than 2 values.
double top1_margin(std::span<const double> v);
// Near-tie rule: margin < 1e-3 * max_i |v_i| (rounding alone can flip such an input).
bool near_tie(std::span<const double> v);
constexpr double kNearTieFraction = 1e-3;

struct Interval {
  double lo = 0, hi = 0;
};
// Wilson score 95% interval for k successes out of n (z = 1.959963984540054); {0, 0} for n = 0.
Interval wilson95(int64_t k, int64_t n);
// McNemar's exact test: two-sided binomial p-value on the discordant pairs b (correct->wrong) and
// c (wrong->correct): min(1, 2 * P[X <= min(b, c)]), X ~ Binomial(b + c, 1/2). 1 when b + c = 0.
double mcnemar_exact(int64_t b, int64_t c);
// Quantile q in [0, 1] (diff/profile.h has percentile(v, 0..100)) with linear interpolation between order statistics
// (numpy's default): position q * (n - 1). NaN for an empty vector.
double quantile(std::vector<double> v, double q);
inline double median(std::vector<double> v) { return quantile(std::move(v), 0.5); }

}  // namespace fs
