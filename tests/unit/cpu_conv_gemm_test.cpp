// cpu Gemm and MatMul against the reference: transposes, alpha / beta, C broadcasts, single rows
// (sgemv), constant (pre-packed) and fed B, 1-D operands and broadcast batches.
#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

TEST(CpuGemm, TransposesAndBroadcasts) {
  uint32_t seed = 700;
  const int64_t m = 13, k = 24, n = 17;
  for (int ta : {0, 1})
    for (int tb : {0, 1})
      for (const Shape& cs : std::vector<Shape>{{}, {1}, {n}, {1, n}, {m, 1}, {m, n}, {0}}) {
        CpuCase c;
        c.op = "Gemm";
        c.inputs = {random_f32(ta ? Shape{k, m} : Shape{m, k}, seed),
                    random_f32(tb ? Shape{n, k} : Shape{k, n}, seed + 1)};
        if (cs != Shape{0}) c.inputs.push_back(random_f32(cs, seed + 2));
        c.attrs = {{"transA", a_int(ta)}, {"transB", a_int(tb)}, {"alpha", a_float(0.75f)}, {"beta", a_float(-1.5f)}};
        c.params = {1};
        if (cs != Shape{0}) c.params.push_back(2);
        expect_cpu_matches_reference(
            c, "transA " + std::to_string(ta) + " transB " + std::to_string(tb) + " C " + shape_str(cs));
        seed += 3;
      }
}

TEST(CpuGemm, SingleRowAndClassifier) {
  uint32_t seed = 800;
  for (int ta : {0, 1})
    for (int tb : {0, 1})
      for (bool with_c : {false, true}) {
        const int64_t k = 1280, n = 1000;
        CpuCase c;
        c.op = "Gemm";
        c.inputs = {random_f32(ta ? Shape{k, 1} : Shape{1, k}, seed),
                    random_f32(tb ? Shape{n, k} : Shape{k, n}, seed + 1)};
        if (with_c) c.inputs.push_back(random_f32({n}, seed + 2));
        if (!with_c) c.attrs["beta"] = a_float(0.0f);
        c.attrs["transA"] = a_int(ta);
        c.attrs["transB"] = a_int(tb);
        c.params = {1, 2};
        if (!with_c) c.params = {1};
        expect_cpu_matches_reference(c);
        seed += 3;
      }
}

TEST(CpuMatMul, Shapes) {
  uint32_t seed = 900;
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{13, 24}, {24, 17}},
      {{24}, {24, 17}},
      {{13, 24}, {24}},
      {{24}, {24}},
      {{3, 13, 24}, {24, 17}},
      {{2, 3, 13, 24}, {3, 24, 17}},
      {{3, 1, 5, 8}, {1, 4, 8, 6}},
      {{1, 5, 8}, {4, 8, 6}},
      {{4, 1, 7}, {4, 7, 9}},
      {{8, 16, 32}, {8, 32, 16}},
      {{2, 96, 80}, {2, 80, 72}},
      {{5, 24}, {2, 24, 3}},
      {{1, 1280}, {1280, 1000}},
      {{3, 2, 0}, {0, 4}},
  };
  for (const auto& [a, b] : cases) {
    CpuCase c;
    c.op = "MatMul";
    c.inputs = {random_f32(a, seed), random_f32(b, seed + 1)};
    c.params = {1};
    expect_cpu_matches_reference(c, shape_str(a) + " x " + shape_str(b));
    seed += 2;
  }
}

}  // namespace
}  // namespace fs::test
