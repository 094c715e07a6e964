// cpu com.microsoft.QLinearAdd / QLinearGlobalAveragePool against the reference kernels: random
// uint8/int8 tensors, broadcasting, zero points 0 and 128 (u8) / -3 (i8), NCHW and channels_last,
// two threads. Integer outputs: the tolerance table says exact, and both compute in double.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/cpu_conv_test_util.h"
#include "tests/unit/test_util.h"

namespace fs {
namespace {

Tensor random_q(DType t, Shape s, uint32_t seed) {
  Tensor r(t, std::move(s));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(t == DType::U8 ? 0 : -128, t == DType::U8 ? 255 : 127);
  for (int64_t i = 0; i < r.numel(); ++i) r.set_i64(i, u(rng));
  return r;
}
Tensor scalar_f(float v) { return test::f32({}, {v}); }
Tensor scalar_q(DType t, int v) {
  Tensor r(t, {});
  r.set_i64(0, v);
  return r;
}

std::vector<Tensor> run_both(const std::string& op, const std::vector<test::OpInput>& in,
                             std::map<std::string, Attribute> attrs = {}) {
  auto ref = test::run_node(op, in, attrs, 1, "reference", 1);
  auto cpu = test::run_node(op, in, attrs, 1, "cpu", 2);
  return {ref.at(0), cpu.at(0)};
}

void expect_equal(const Tensor& ref, const Tensor& cpu, const std::string& what) {
  ASSERT_EQ(ref.shape(), cpu.shape()) << what;
  ASSERT_EQ(ref.dtype(), cpu.dtype()) << what;
  int bad = 0;
  for (int64_t i = 0; i < ref.numel(); ++i)
    if (ref.get_i64(i) != cpu.get_i64(i) && bad++ < 5)
      ADD_FAILURE() << what << " element " << i << ": cpu " << cpu.get_i64(i) << " reference " << ref.get_i64(i);
  EXPECT_EQ(bad, 0) << what;
}

TEST(CpuQLinearContrib, AddMatchesReferenceWithBroadcasting) {
  struct Case {
    Shape a, b;
  };
  const std::vector<Case> cases = {{{1, 13, 7, 9}, {1, 13, 7, 9}},  // residual add (odd sizes)
                                   {{3, 24, 5, 5}, {1, 24, 1, 1}},  // per-channel operand
                                   {{2, 3, 1, 17}, {4, 1}},         // both sides broadcast
                                   {{1, 1, 300, 300}, {}}};         // large, scalar b (2 threads' worth)
  uint32_t seed = 1;
  for (DType t : {DType::U8, DType::I8})
    for (const auto& c : cases) {
      const int azp = t == DType::U8 ? 128 : -3, czp = t == DType::U8 ? 0 : 5;
      std::vector<test::OpInput> in = {{random_q(t, c.a, seed++)}, {scalar_f(0.02f), true},
                                       {scalar_q(t, azp), true},   {random_q(t, c.b, seed++)},
                                       {scalar_f(0.035f), true},   {scalar_q(t, 0), true},
                                       {scalar_f(0.05f), true},    {scalar_q(t, czp), true}};
      auto r = run_both("com.microsoft.QLinearAdd", in);
      expect_equal(r[0], r[1], std::string(dtype_name(t)) + " " + shape_str(c.a) + " + " + shape_str(c.b));
    }
}

TEST(CpuQLinearContrib, GlobalAveragePoolMatchesReference) {
  uint32_t seed = 11;
  for (DType t : {DType::U8, DType::I8})
    for (int channels_last : {0, 1})
      for (Shape s : {Shape{1, 13, 7, 7}, Shape{3, 24, 5, 9}, Shape{2, 1, 1, 1}}) {
        std::vector<test::OpInput> in = {{random_q(t, s, seed++)},
                                         {scalar_f(0.03f), true},
                                         {scalar_q(t, t == DType::U8 ? 128 : -3), true},
                                         {scalar_f(0.011f), true},
                                         {scalar_q(t, t == DType::U8 ? 3 : 0), true}};
        auto r = run_both("com.microsoft.QLinearGlobalAveragePool", in,
                          {{"channels_last", Attribute::make_int(channels_last)}});
        expect_equal(r[0], r[1],
                     std::string(dtype_name(t)) + " " + shape_str(s) + " channels_last=" + std::to_string(channels_last));
      }
}

}  // namespace
}  // namespace fs
