// diff/metrics: every expected figure below is worked out by hand in the comment next to it.
#include "diff/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace fs {
namespace {

using V = std::vector<double>;

TEST(Metrics, TopKLargestFirstTiesToLowerIndex) {
  V v{1, 2, 2, 0};
  EXPECT_EQ(top_k(v, 2), (std::vector<int64_t>{1, 2}));     // the two 2s, lower index first
  EXPECT_EQ(top_k(v, 3), (std::vector<int64_t>{1, 2, 0}));  // then the 1
  EXPECT_EQ(top_k(v, 9).size(), 4u);                        // capped at the size
}

TEST(Metrics, SoftmaxAndKl) {
  // softmax(0, ln 3) = (1, 3) / 4 = (0.25, 0.75)
  V a{0, std::log(3.0)}, b{0, 0};
  auto s = softmax(a);
  EXPECT_NEAR(s[0], 0.25, 1e-15);
  EXPECT_NEAR(s[1], 0.75, 1e-15);
  // KL(p || q), p = (.25, .75), q = (.5, .5): .25 ln(.25/.5) + .75 ln(.75/.5)
  //   = .25 * (-0.693147181) + .75 * 0.405465108 = -0.173286795 + 0.304098831 = 0.130812036
  EXPECT_NEAR(kl_divergence(a, b), 0.130812036, 1e-9);
  EXPECT_EQ(kl_divergence(a, a), 0.0);
  // Shift invariance: softmax(x + 100) = softmax(x), so the KL is unchanged.
  V a100{100, 100 + std::log(3.0)};
  EXPECT_NEAR(kl_divergence(a100, b), 0.130812036, 1e-9);
}

TEST(Metrics, ErrorNormsAndCosine) {
  // ref (10, 0.001, -2), var (10.5, 0.002, -2): max abs = 0.5.
  V ref{10, 0.001, -2}, var{10.5, 0.002, -2};
  EXPECT_DOUBLE_EQ(max_abs_error(ref, var), 0.5);
  // Floor = 1e-3 * max|ref| = 0.01. Relative errors: 0.5 / 10 = 0.05; 0.001 / max(0.001, 0.01) = 0.1; 0.
  EXPECT_NEAR(max_rel_error(ref, var), 0.1, 1e-12);
  // cos((3,4), (4,3)) = (12 + 12) / (5 * 5) = 0.96; cos((1,0), (1,1)) = 1 / sqrt(2).
  EXPECT_NEAR(cosine_similarity(V{3, 4}, V{4, 3}), 0.96, 1e-15);
  EXPECT_NEAR(cosine_similarity(V{1, 0}, V{1, 1}), 1 / std::sqrt(2.0), 1e-15);
  EXPECT_EQ(cosine_similarity(V{0, 0}, V{0, 0}), 1.0);
}

TEST(Metrics, TopKOverlap) {
  // ref top-5 = {6,5,4,3,2}; var swaps the 0 and the 6, its top-5 = {0,5,4,3,2}: 4 in common -> 0.8.
  V ref{0, 1, 2, 3, 4, 5, 6}, var{6, 1, 2, 3, 4, 5, 0};
  EXPECT_DOUBLE_EQ(top_k_overlap(ref, var, 5), 0.8);
  EXPECT_DOUBLE_EQ(top_k_overlap(ref, ref, 5), 1.0);
}

TEST(Metrics, MarginsAndNearTies) {
  // (1, 3, 2.5): top1 3, top2 2.5 -> margin 0.5; threshold 1e-3 * 3 = 0.003 -> not a near tie.
  EXPECT_DOUBLE_EQ(top1_margin(V{1, 3, 2.5}), 0.5);
  EXPECT_FALSE(near_tie(V{1, 3, 2.5}));
  // (1, 3, 2.999): margin 0.001 < 0.003 -> near tie.  (-5, 1, 0.9999): margin 1e-4 < 1e-3 * 5 = 0.005.
  EXPECT_TRUE(near_tie(V{1, 3, 2.999}));
  EXPECT_TRUE(near_tie(V{-5, 1, 0.9999}));
  // An exact tie has margin 0.
  EXPECT_EQ(top1_margin(V{2, 2}), 0.0);
  EXPECT_TRUE(near_tie(V{2, 2}));
}

TEST(Metrics, WilsonInterval) {
  // k = 3, n = 10, z = 1.959964, z^2 = 3.841459: p = 0.3, den = 1 + z^2/n = 1.384146,
  // centre = (0.3 + z^2/20) / den = 0.492073 / 1.384146 = 0.355507,
  // half = z/den * sqrt(0.3*0.7/10 + z^2/400) = 1.416009 * sqrt(0.021 + 0.009604) = 1.416009 * 0.174939 = 0.247716
  // -> [0.107791, 0.603222] (the textbook 3/10 Wilson interval [0.1078, 0.6032]).
  auto w = wilson95(3, 10);
  EXPECT_NEAR(w.lo, 0.107791, 2e-6);
  EXPECT_NEAR(w.hi, 0.603222, 2e-6);
  // k = 0, n = 20: centre = half = (z^2/40) / (1 + z^2/20) = 0.096036 / 1.192073 = 0.080563 -> [0, 0.161125].
  auto z = wilson95(0, 20);
  EXPECT_EQ(z.lo, 0.0);
  EXPECT_NEAR(z.hi, 0.161125, 2e-6);
  auto e = wilson95(0, 0);
  EXPECT_EQ(e.lo, 0.0);
  EXPECT_EQ(e.hi, 0.0);
}

TEST(Metrics, McNemarExact) {
  // b = 1, c = 5: n = 6, P[X <= 1] = (C(6,0) + C(6,1)) / 2^6 = 7/64; p = 14/64 = 0.21875.
  EXPECT_NEAR(mcnemar_exact(1, 5), 0.21875, 1e-12);
  // b = 0, c = 3: P[X <= 0] = 1/8; p = 0.25.  b = 0, c = 10: p = 2/1024 = 0.001953125.
  EXPECT_NEAR(mcnemar_exact(0, 3), 0.25, 1e-12);
  EXPECT_NEAR(mcnemar_exact(0, 10), 0.001953125, 1e-12);
  // b = c = 2: P[X <= 2] = (1 + 4 + 6)/16 = 11/16; 2 * 11/16 > 1 -> 1.  No discordant pairs -> 1.
  EXPECT_EQ(mcnemar_exact(2, 2), 1.0);
  EXPECT_EQ(mcnemar_exact(0, 0), 1.0);
  // Symmetric in b and c.
  EXPECT_EQ(mcnemar_exact(5, 1), mcnemar_exact(1, 5));
}

TEST(Metrics, Quantiles) {
  // (4, 1, 3, 2) sorted (1, 2, 3, 4): median at position 1.5 -> 2.5; p90 at 2.7 -> 3 + 0.7 = 3.7.
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_NEAR(quantile({4, 1, 3, 2}, 0.9), 3.7, 1e-12);
  // 1..10: p90 at 8.1 -> 9 + 0.1 = 9.1.
  EXPECT_NEAR(quantile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9), 9.1, 1e-12);
  EXPECT_TRUE(std::isnan(median({})));
}

}  // namespace
}  // namespace fs
