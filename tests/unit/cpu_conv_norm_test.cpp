// cpu BatchNormalization, InstanceNormalization, LayerNormalization, Softmax and LogSoftmax
// against the reference: constant and fed parameters, axes, legacy coercion, extreme values.
#include <limits>

#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

TEST(CpuNorm, BatchNormalization) {
  uint32_t seed = 1000;
  for (const Shape& s : std::vector<Shape>{{1, 13, 7, 9}, {3, 24, 5, 5}, {2, 3}, {2, 5, 17}, {1, 3, 2, 3, 4}}) {
    const int64_t c = s[1];
    CpuCase k;
    k.op = "BatchNormalization";
    k.inputs = {random_f32(s, seed), random_f32({c}, seed + 1), random_f32({c}, seed + 2), random_f32({c}, seed + 3),
                random_f32({c}, seed + 4, 0.1f, 2.0f)};
    k.attrs["epsilon"] = a_float(1e-3f);
    k.params = {1, 2, 3, 4};
    expect_cpu_matches_reference(k, shape_str(s));
    seed += 5;
  }
  // opset < 9 spatial=0: one parameter per element of [C, H, W].
  CpuCase k;
  k.op = "BatchNormalization";
  k.inputs = {random_f32({2, 3, 4, 5}, 1), random_f32({3, 4, 5}, 2), random_f32({3, 4, 5}, 3), random_f32({3, 4, 5}, 4),
              random_f32({3, 4, 5}, 5, 0.1f, 2.0f)};
  k.attrs["spatial"] = a_int(0);
  k.params = {1, 2, 3, 4};
  k.opset = 7;
  expect_cpu_matches_reference(k, "spatial=0");
}

TEST(CpuNorm, InstanceNormalization) {
  uint32_t seed = 1100;
  for (const Shape& s : std::vector<Shape>{{1, 13, 7, 9}, {3, 24, 5, 5}, {2, 5, 17}, {1, 3, 2, 3, 4}}) {
    CpuCase k;
    k.op = "InstanceNormalization";
    k.inputs = {random_f32(s, seed, -3.0f, 5.0f), random_f32({s[1]}, seed + 1), random_f32({s[1]}, seed + 2)};
    k.params = {1, 2};
    expect_cpu_matches_reference(k, shape_str(s));
    seed += 3;
  }
}

TEST(CpuNorm, LayerNormalization) {
  uint32_t seed = 1200;
  struct Case {
    Shape x;
    int64_t axis;
    Shape scale, bias;  // bias {} = absent
  };
  for (const Case& c : std::vector<Case>{{{3, 13, 24}, -1, {24}, {24}},
                                         {{2, 5, 7, 9}, 2, {7, 9}, {9}},
                                         {{2, 5, 7, 9}, 1, {5, 1, 9}, {}},
                                         {{4, 17}, 0, {4, 17}, {1}},
                                         {{1, 197, 192}, -1, {192}, {192}}}) {
    CpuCase k;
    k.op = "LayerNormalization";
    k.inputs = {random_f32(c.x, seed, -2.0f, 3.0f), random_f32(c.scale, seed + 1)};
    k.inputs.push_back(c.bias.empty() ? Tensor() : random_f32(c.bias, seed + 2));
    k.attrs["axis"] = a_int(c.axis);
    k.n_outputs = 3;
    k.params = {1};
    if (!c.bias.empty()) k.params.push_back(2);
    expect_cpu_matches_reference(k, shape_str(c.x) + " axis " + std::to_string(c.axis));
    seed += 3;
  }
}

TEST(CpuSoftmax, AxesAndLegacy) {
  uint32_t seed = 1300;
  struct Case {
    Shape x;
    int64_t axis;
    int legacy;
  };
  for (const char* op : {"Softmax", "LogSoftmax"})
    for (const Case& c : std::vector<Case>{{{3, 1000}, -1, 0},
                                           {{2, 13, 7}, 1, 0},
                                           {{2, 13, 7, 9}, 1, 0},
                                           {{2, 3, 300}, 0, 0},
                                           {{5}, 0, 0},
                                           {{2, 3, 4, 5}, 1, 1},
                                           {{2, 3, 4}, 2, 1},
                                           {{2, 3, 4}, 0, 1}}) {
      CpuCase k;
      k.op = op;
      k.inputs = {random_f32(c.x, seed++, -20.0f, 20.0f)};
      k.attrs["axis"] = a_int(c.axis);
      if (c.legacy) k.attrs["legacy_coerce_2d"] = a_int(1);
      expect_cpu_matches_reference(k, shape_str(c.x) + " axis " + std::to_string(c.axis));
    }
}

TEST(CpuSoftmax, ExtremeValues) {
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    Tensor x = random_f32({4, 40}, 5, -5.0f, 5.0f);
    float* p = x.data<float>();
    p[3] = -std::numeric_limits<float>::infinity();
    p[45] = 1e30f;
    p[46] = -1e30f;
    p[90] = std::numeric_limits<float>::quiet_NaN();
    for (int i = 120; i < 160; ++i) p[i] = 88.0f + static_cast<float>(i % 3);
    expect_cpu_matches_reference({.op = op, .inputs = {x}});
  }
}

}  // namespace
}  // namespace fs::test
