// kernels/cpu/int8_matmul.h: oneDNN's matmul primitive (or its fallbacks) against a plain int64
// product, exact: shapes with tails in every dimension, m = 1, a packed constant B, concurrent runs
// from two threads, and the fallback taken without VNNI.
#include <gtest/gtest.h>
#include <omp.h>

#include <array>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels/cpu/int8_matmul.h"

namespace fs {
namespace {

struct Operands {
  std::vector<uint8_t> a;
  std::vector<int8_t> b;
  std::vector<int32_t> want;
};

Operands make(int64_t m, int64_t n, int64_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(0, 255);
  Operands o;
  o.a.resize(static_cast<size_t>(m * k));
  o.b.resize(static_cast<size_t>(k * n));
  for (auto& v : o.a) v = static_cast<uint8_t>(u(rng));
  for (auto& v : o.b) v = static_cast<int8_t>(u(rng) - 128);
  // Extremes in the first row and column: 255 * -128 sums, which saturate pairwise int16 products.
  for (int64_t i = 0; i < k; ++i) {
    o.a[static_cast<size_t>(i)] = 255;
    o.b[static_cast<size_t>(i * n)] = -128;
  }
  o.want.assign(static_cast<size_t>(m * n), 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t t = 0; t < k; ++t) s += int64_t{o.a[i * k + t]} * o.b[t * n + j];
      o.want[static_cast<size_t>(i * n + j)] = static_cast<int32_t>(s);
    }
  return o;
}

Node test_node() {
  Node n;
  n.op_type = "QLinearConv";
  n.name = "int8_matmul_test";
  return n;
}

const std::vector<std::array<int64_t, 3>> kShapes = {{1, 1000, 1280}, {96, 1168, 16}, {13, 49, 160}, {5, 7, 3},
                                                     {24, 784, 144},  {1, 1, 1},      {40, 65, 300}};

void check_all(const char* what) {
  const Node node = test_node();
  uint32_t seed = 1;
  for (const auto& s : kShapes) {
    const int64_t m = s[0], n = s[1], k = s[2];
    const Operands o = make(m, n, k, seed++);
    cpu::int8::U8S8Matmul mm;
    mm.plan(m, n, k);
    mm.reserve_threads(1);
    std::vector<int32_t> c(static_cast<size_t>(m * n), -1);
    mm.run(node, o.a.data(), o.b.data(), c.data(), 0);
    EXPECT_EQ(c, o.want) << what << " plain " << m << "x" << n << "x" << k << " (" << mm.impl() << ")";

    cpu::int8::U8S8Matmul packed;
    packed.plan_packed(m, n, k, o.b.data());
    packed.reserve_threads(1);
    std::fill(c.begin(), c.end(), -1);
    packed.run(node, o.a.data(), nullptr, c.data(), 0);
    EXPECT_EQ(c, o.want) << what << " packed " << m << "x" << n << "x" << k << " (" << packed.impl() << ")";
  }
}

TEST(CpuInt8Matmul, ExactOnEveryShape) {
  unsetenv("FLIPSCOPE_INT8_NO_VNNI");
  check_all("oneDNN matmul");
  setenv("FLIPSCOPE_INT8_NO_VNNI", "1", 1);  // the exact double GEMM
  check_all("no VNNI");
  unsetenv("FLIPSCOPE_INT8_NO_VNNI");
}

// One plan run from two OpenMP threads at once, each on its own operands (per-thread streams,
// memory objects and scratchpads), then the set's shapes reused.
TEST(CpuInt8Matmul, ConcurrentRunsFromTwoThreads) {
  unsetenv("FLIPSCOPE_INT8_NO_VNNI");
  const Node node = test_node();
  cpu::int8::U8S8MatmulSet set;
  cpu::int8::U8S8Matmul& mm = set.get(48, 1168, 24);
  EXPECT_EQ(&set.get(48, 1168, 24), &mm);
  set.reserve_threads(2);
  const Operands o0 = make(48, 1168, 24, 11), o1 = make(48, 1168, 24, 12);
  std::vector<int32_t> c0(o0.want.size()), c1(o1.want.size());
  for (int rep = 0; rep < 20; ++rep) {
#pragma omp parallel num_threads(2)
    for (int t = omp_get_thread_num(); t < 2; t += omp_get_num_threads())
      mm.run(node, (t ? o1 : o0).a.data(), (t ? o1 : o0).b.data(), (t ? c1 : c0).data(), t);
    ASSERT_EQ(c0, o0.want) << "rep " << rep << " (" << mm.impl() << ")";
    ASSERT_EQ(c1, o1.want) << "rep " << rep;
  }
}

}  // namespace
}  // namespace fs
