// cpu MaxPool, AveragePool and the global pools against the reference: 1-3 spatial dims, pads,
// strides, dilations, ceil_mode, count_include_pad, MaxPool Indices and NaN propagation.
#include <limits>

#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

struct PoolSpec {
  Shape x;
  std::vector<int64_t> k, strides, pads, dilations;
  int64_t ceil_mode = 0, count_include_pad = 0;
  std::string auto_pad;
};

CpuCase pool_case(const std::string& op, const PoolSpec& s, uint32_t seed, int n_outputs = 1) {
  CpuCase c;
  c.op = op;
  c.inputs = {random_f32(s.x, seed)};
  c.attrs["kernel_shape"] = a_ints(s.k);
  if (!s.strides.empty()) c.attrs["strides"] = a_ints(s.strides);
  if (!s.pads.empty()) c.attrs["pads"] = a_ints(s.pads);
  if (!s.dilations.empty()) c.attrs["dilations"] = a_ints(s.dilations);
  if (s.ceil_mode) c.attrs["ceil_mode"] = a_int(1);
  if (s.count_include_pad) c.attrs["count_include_pad"] = a_int(1);
  if (!s.auto_pad.empty()) c.attrs["auto_pad"] = a_str(s.auto_pad);
  c.n_outputs = n_outputs;
  c.opset = 19;  // AveragePool dilations
  return c;
}

const std::vector<PoolSpec>& pool_specs() {
  static const std::vector<PoolSpec> specs = {
      {.x = {1, 13, 15, 17}, .k = {3, 3}, .strides = {2, 2}},
      {.x = {1, 24, 55, 55}, .k = {3, 3}, .strides = {2, 2}, .ceil_mode = 1},  // SqueezeNet
      {.x = {3, 3, 14, 13}, .k = {2, 2}, .strides = {2, 2}, .ceil_mode = 1},
      {.x = {1, 5, 9, 10}, .k = {3, 3}, .pads = {1, 1, 1, 1}},
      {.x = {1, 5, 9, 10}, .k = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 1, 1}, .count_include_pad = 1},
      {.x = {1, 5, 10, 9},
       .k = {3, 2},
       .strides = {2, 3},
       .pads = {0, 1, 2, 1},
       .ceil_mode = 1,
       .count_include_pad = 1},
      {.x = {1, 4, 11, 12}, .k = {2, 3}, .pads = {1, 1, 1, 1}, .dilations = {2, 2}},
      {.x = {1, 4, 7, 7}, .k = {7, 7}},  // global-like window (MobileNet v1/v2 head)
      {.x = {2, 3, 11, 12}, .k = {5, 5}, .pads = {2, 2, 2, 2}, .count_include_pad = 1},  // large windows
      {.x = {1, 3, 13, 17}, .k = {4, 9}, .strides = {3, 4}, .pads = {1, 2, 2, 3}, .ceil_mode = 1},
      {.x = {1, 3, 13, 17}, .k = {5, 5}, .strides = {2, 2}, .dilations = {2, 1}},
      {.x = {1, 2, 5, 6, 19}, .k = {2, 3, 9}, .strides = {1, 2, 5}, .pads = {1, 0, 3, 0, 1, 3}},
      {.x = {1, 3, 8, 9}, .k = {3, 3}, .strides = {2, 2}, .auto_pad = "SAME_UPPER"},
      {.x = {1, 3, 8, 9}, .k = {4, 4}, .auto_pad = "SAME_LOWER"},
      {.x = {2, 3, 17}, .k = {3}, .strides = {2}, .pads = {1, 1}},  // 1-D
      {.x = {1, 2, 5, 6, 7}, .k = {2, 3, 2}, .strides = {2, 1, 2}, .pads = {1, 0, 1, 0, 1, 1}, .ceil_mode = 1},
      {.x = {1, 2, 6, 6, 6}, .k = {3, 3, 3}, .strides = {2, 2, 2}, .pads = {1, 1, 1, 1, 1, 1}, .count_include_pad = 1},
  };
  return specs;
}

TEST(CpuPool, MaxPool) {
  uint32_t seed = 300;
  for (const PoolSpec& s : pool_specs()) expect_cpu_matches_reference(pool_case("MaxPool", s, seed++));
}

TEST(CpuPool, AveragePool) {
  uint32_t seed = 400;
  for (const PoolSpec& s : pool_specs()) expect_cpu_matches_reference(pool_case("AveragePool", s, seed++));
}

// A window covering the whole unpadded input takes the kernel's plane-mean path; near misses
// (padding, a window one smaller, stride over a larger input) take the general one.
TEST(CpuPool, AveragePoolGlobalWindow) {
  uint32_t seed = 450;
  const std::vector<PoolSpec> specs = {
      {{1, 13, 7, 7}, {7, 7}},        {{3, 24, 5, 9}, {5, 9}, {2, 2}},           {{2, 3, 11}, {11}},
      {{1, 1, 300, 200}, {300, 200}}, {{1, 13, 7, 7}, {7, 7}, {}, {1, 1, 1, 1}}, {{1, 13, 7, 7}, {6, 6}}};
  for (const PoolSpec& s : specs) expect_cpu_matches_reference(pool_case("AveragePool", s, seed++));
}

TEST(CpuPool, MaxPoolIndices) {
  uint32_t seed = 500;
  for (const PoolSpec& s : pool_specs()) {
    for (int64_t order : {0, 1}) {
      CpuCase c = pool_case("MaxPool", s, seed++, 2);
      if (order) c.attrs["storage_order"] = a_int(1);
      expect_cpu_matches_reference(c);
    }
  }
}

TEST(CpuPool, MaxPoolNaN) {
  CpuCase c = pool_case("MaxPool", {.x = {1, 2, 9, 9}, .k = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 1, 1}}, 7);
  float* x = c.inputs[0].data<float>();
  x[0] = std::numeric_limits<float>::quiet_NaN();
  x[40] = std::numeric_limits<float>::quiet_NaN();
  x[100] = -std::numeric_limits<float>::infinity();
  expect_cpu_matches_reference(c);
  c.n_outputs = 2;
  expect_cpu_matches_reference(c);
}

TEST(CpuPool, MaxPool8Bit) {
  std::mt19937 gen(11);
  for (DType dt : {DType::U8, DType::I8}) {
    uint32_t seed = 550;
    for (const PoolSpec& s : pool_specs()) {
      CpuCase c = pool_case("MaxPool", s, seed, 1 + seed % 2);
      ++seed;
      Tensor x(dt, c.inputs[0].shape());
      for (int64_t i = 0; i < x.numel(); ++i) x.set_i64(i, static_cast<int64_t>(gen() % 256) - (dt == DType::I8) * 128);
      c.inputs[0] = x;
      expect_cpu_matches_reference(c, std::string(dtype_name(dt)));
    }
  }
}

TEST(CpuPool, Global) {
  uint32_t seed = 600;
  for (const Shape& s : std::vector<Shape>{
           {1, 13, 7, 7}, {3, 24, 5, 9}, {2, 3, 17}, {1, 2, 3, 4, 5}, {1, 1280, 1, 1}, {1, 5, 112, 112}}) {
    for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"})
      expect_cpu_matches_reference({.op = op, .inputs = {random_f32(s, seed++)}}, shape_str(s));
  }
  Tensor x = random_f32({1, 3, 5, 5}, 9);
  x.data<float>()[30] = std::numeric_limits<float>::quiet_NaN();
  expect_cpu_matches_reference({.op = "GlobalMaxPool", .inputs = {x}});
  expect_cpu_matches_reference({.op = "GlobalAveragePool", .inputs = {x}});
}

}  // namespace
}  // namespace fs::test
