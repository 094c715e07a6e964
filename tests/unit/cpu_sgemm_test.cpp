// The cpu backend's one fp32 GEMM entry point (kernels/cpu/sgemm.h): both libraries it can use,
// oneDNN and OpenBLAS, against a double-precision product on shapes with vector tails, transposes,
// leading dimensions larger than the matrix, alpha / beta, k = 0 and a single row or column.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/sgemm.h"

namespace fs::test {
namespace {

struct GemmCase {
  int64_t m, n, k;
  bool ta, tb;
  float alpha, beta;
  int64_t pad;  // extra columns in every leading dimension
};

void check(cpu::GemmLib lib, const GemmCase& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  // Stored shapes: A is [m, k] or, transposed, [k, m]; B is [k, n] or [n, k].
  const int64_t ar = g.ta ? g.k : g.m, ac = g.ta ? g.m : g.k, br = g.tb ? g.n : g.k, bc = g.tb ? g.k : g.n;
  const int64_t lda = ac + g.pad, ldb = bc + g.pad, ldc = g.n + g.pad;
  std::vector<float> a(static_cast<size_t>(std::max<int64_t>(ar * lda, 1))),
      b(static_cast<size_t>(std::max<int64_t>(br * ldb, 1)));
  std::vector<float> c(static_cast<size_t>(g.m * ldc));
  for (auto& v : a) v = u(rng);
  for (auto& v : b) v = u(rng);
  for (auto& v : c) v = u(rng);
  const std::vector<float> c0 = c;
  cpu::sgemm_with(lib, g.ta, g.tb, g.m, g.n, g.k, g.alpha, a.data(), lda, b.data(), ldb, g.beta, c.data(), ldc);
  const std::string what = std::string(lib == cpu::GemmLib::OneDnn ? "onednn" : "openblas") +
                           " m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
                           " ta=" + std::to_string(g.ta) + " tb=" + std::to_string(g.tb);
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      double s = 0, mag = 0;
      for (int64_t p = 0; p < g.k; ++p) {
        const double x = g.ta ? a[p * lda + i] : a[i * lda + p], y = g.tb ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
        mag += std::fabs(x * y);
      }
      const double want = g.alpha * s + g.beta * c0[i * ldc + j];
      // fp32 accumulation over k terms: a few ulps of the sum of magnitudes.
      const double tol = 1e-6 + 4 * 1.2e-7 * (std::fabs(g.alpha) * mag + std::fabs(g.beta * c0[i * ldc + j])) *
                                    std::sqrt(static_cast<double>(g.k) + 1);
      ASSERT_NEAR(c[i * ldc + j], want, tol) << what << " at (" << i << ", " << j << ")";
    }
    for (int64_t j = g.n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]) << what << ": wrote past n";
  }
}

TEST(CpuSgemm, BothLibrariesMatchDoubleProduct) {
  const std::vector<GemmCase> cases = {
      {1, 1, 1, false, false, 1.0f, 0.0f, 0},      {13, 17, 24, false, false, 1.0f, 0.0f, 0},
      {13, 17, 24, true, false, 0.75f, -1.5f, 3},  {13, 17, 24, false, true, 1.0f, 1.0f, 1},
      {13, 17, 24, true, true, -2.0f, 0.5f, 5},    {32, 49, 1152, false, false, 1.0f, 0.0f, 0},
      {64, 3136, 27, false, false, 1.0f, 1.0f, 0}, {1, 1000, 1280, false, true, 1.0f, 1.0f, 0},
      {1000, 1, 256, false, false, 1.0f, 0.0f, 0}, {24, 9, 0, false, false, 1.0f, 0.5f, 2},
      {3, 196, 515, false, true, 1.0f, 0.0f, 7},
  };
  uint32_t seed = 9100;
  for (auto lib : {cpu::GemmLib::OneDnn, cpu::GemmLib::OpenBlas})
    for (const auto& g : cases) check(lib, g, seed++);
}

TEST(CpuSgemm, LibraryChoiceIsNamed) {
  const std::string name = cpu::gemm_lib_name();
  EXPECT_TRUE(name == "onednn" || name == "openblas") << name;
}

}  // namespace
}  // namespace fs::test
