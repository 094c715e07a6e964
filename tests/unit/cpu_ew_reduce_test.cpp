// Cpu reductions (Reduce*, ArgMax/ArgMin, TopK) and Resize against the reference backend on random
// inputs: every axis combination of 4-D shapes with odd sizes, keepdims, noop, empty sets, the
// block-split paths for large reductions, and every Resize mode.
#include <limits>

#include "tests/unit/cpu_ew_test_util.h"

namespace fs::test::cpu_ew {
namespace {

const std::vector<std::string> kReduceOps = {"ReduceSum",    "ReduceMean",     "ReduceMax", "ReduceMin",
                                             "ReduceProd",   "ReduceL1",       "ReduceL2",  "ReduceSumSquare",
                                             "ReduceLogSum", "ReduceLogSumExp"};

// Values per op: positive for the logs, near 1 for products so they neither vanish nor explode.
std::pair<double, double> range_of(const std::string& op) {
  if (op == "ReduceProd") return {0.9, 1.1};
  if (op == "ReduceLogSum") return {0.1, 2};
  return {-3, 3};
}

void check_reduce(const std::string& op, const Tensor& x, const std::vector<int64_t>& axes, int64_t keepdims,
                  bool axes_as_input = true) {
  std::map<std::string, Attribute> attrs = {{"keepdims", ai(keepdims)}};
  if (axes_as_input) {
    expect_matches_reference(op, {{x, false}, {i64({int64_t(axes.size())}, axes), true}}, attrs);
  } else {
    attrs["axes"] = ais(axes);
    expect_matches_reference(op, {{x, false}}, attrs, 1, false, 13);
  }
}

TEST(CpuEwReduce, EveryAxisSubsetOf4D) {
  uint32_t seed = 1;
  for (const std::string& op : kReduceOps) {
    auto [lo, hi] = range_of(op);
    Tensor x = random(DType::F32, {3, 13, 5, 7}, seed++, lo, hi);
    for (int mask = 1; mask < 16; ++mask) {
      std::vector<int64_t> axes;
      for (int64_t d = 0; d < 4; ++d)
        if (mask & (1 << d)) axes.push_back(d == 2 ? -2 : d);
      check_reduce(op, x, axes, mask % 2);
    }
    check_reduce(op, x, {1, 3}, 1, false);   // opset 13: axes attribute
    expect_matches_reference(op, fed({x}));  // all axes
    expect_matches_reference(op, {{x, false}, {i64({0}, {}), true}}, {{"noop_with_empty_axes", ai(1)}});
  }
}

TEST(CpuEwReduce, OtherDtypes) {
  uint32_t seed = 100;
  for (const std::string& op : kReduceOps)
    for (DType t : {DType::F64, DType::I32, DType::I64, DType::U8, DType::I8, DType::U64}) {
      auto [lo, hi] = range_of(op);
      if (!is_float(t)) {
        lo = op == "ReduceProd" ? 1 : op == "ReduceLogSum" ? 0 : -20;
        hi = op == "ReduceProd" ? 3 : 20;
      }
      Tensor x = random(t, {3, 13, 5, 7}, seed++, lo, hi);
      check_reduce(op, x, {1}, 1);
      check_reduce(op, x, {0, 2, 3}, 0);
      check_reduce(op, x, {3}, 1);
    }
  for (const std::string op : {"ReduceMax", "ReduceMin"}) check_reduce(op, random(DType::Bool, {4, 7}, 3), {1}, 0);
}

TEST(CpuEwReduce, LargeAndBlockSplit) {
  uint32_t seed = 200;
  // Few outputs with long reductions (fixed blocks, combined in order), and many short ones.
  for (const std::string op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceL2", "ReduceLogSumExp"}) {
    check_reduce(op, random(DType::F32, {2, 100000}, seed++), {1}, 1);
    check_reduce(op, random(DType::F32, {40000, 3}, seed++), {0}, 1);
    check_reduce(op, random(DType::F32, {3000, 40}, seed++), {0}, 0);
    check_reduce(op, random(DType::F32, {2, 96, 56, 56}, seed++), {2, 3}, 1);  // global pooling in SE blocks
    check_reduce(op, random(DType::F32, {2, 96, 56, 56}, seed++), {1}, 1);
    check_reduce(op, random(DType::F32, {8, 50000}, seed++), {0, 1}, 0);
  }
}

TEST(CpuEwReduce, SpecialValuesAndEmptySets) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = f32({4, 3}, {1, nan, 2, inf, 3, -1, -inf, -inf, 5, inf, -inf, 0});
  for (const std::string& op : kReduceOps) {
    check_reduce(op, x, {0}, 1);
    check_reduce(op, x, {1}, 0);
    check_reduce(op, random(DType::F32, {3, 0, 2}, 1), {1}, 1);
    check_reduce(op, random(DType::I32, {3, 0, 2}, 1), {1}, 0);
    check_reduce(op, random(DType::F32, {3, 0, 2}, 1), {0}, 1);
  }
}

TEST(CpuEwArg, ArgMaxArgMin) {
  uint32_t seed = 300;
  for (const std::string op : {"ArgMax", "ArgMin"})
    for (DType t : {DType::F32, DType::F64, DType::I32, DType::U8, DType::I64, DType::F16})
      for (const Shape& s : std::vector<Shape>{{13}, {3, 13, 5, 7}, {2, 300, 3}, {3000, 40}})
        for (int64_t axis = -1; axis < static_cast<int64_t>(s.size()); ++axis)
          for (int64_t last : {0, 1})
            for (int64_t keep : {0, 1}) {
              Tensor x = random(t, s, seed++, -4, 4);  // ties among integers
              expect_matches_reference(op, fed({x}),
                                       {{"axis", ai(axis)}, {"select_last_index", ai(last)}, {"keepdims", ai(keep)}});
            }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = f32({3, 4}, {1, nan, 3, nan, 2, 2, -1, 2, nan, 0, nan, 5});
  for (const std::string op : {"ArgMax", "ArgMin"})
    for (int64_t axis : {0, 1})
      for (int64_t last : {0, 1})
        expect_matches_reference(op, fed({x}), {{"axis", ai(axis)}, {"select_last_index", ai(last)}});
}

TEST(CpuEwTopK, LargestSmallestTies) {
  uint32_t seed = 400;
  for (DType t : {DType::F32, DType::I64, DType::U8, DType::F64})
    for (const Shape& s : std::vector<Shape>{{13}, {3, 13, 5}, {2, 1000}})
      for (int64_t axis = 0; axis < static_cast<int64_t>(s.size()); ++axis)
        for (int64_t k : {int64_t{1}, std::min<int64_t>(3, s[static_cast<size_t>(axis)]), s[static_cast<size_t>(axis)]})
          for (int64_t largest : {0, 1}) {
            Tensor x = random(t, s, seed++, -5, 5);
            expect_matches_reference("TopK", {{x, false}, {i64({1}, {k}), true}},
                                     {{"axis", ai(axis)}, {"largest", ai(largest)}}, 2);
          }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t largest : {0, 1})
    expect_matches_reference("TopK", fed({f32({6}, {1, nan, 3, nan, 3, -1}), i64({1}, {4})}),
                             {{"largest", ai(largest)}}, 2);
}

TEST(CpuEwResize, EveryMode) {
  uint32_t seed = 500;
  Tensor x = random(DType::F32, {2, 3, 7, 9}, seed++);
  std::vector<std::vector<float>> scales = {{1, 1, 2, 2}, {1, 1, 0.5f, 0.6f}, {1, 1, 1.7f, 0.35f}, {1, 1, 3, 1}};
  std::vector<std::vector<int64_t>> sizes = {{2, 3, 14, 18}, {2, 3, 4, 5}, {2, 3, 13, 1}, {2, 3, 1, 27}};
  const std::vector<std::string> coords = {"half_pixel",    "half_pixel_symmetric", "pytorch_half_pixel",
                                           "align_corners", "asymmetric",           "tf_half_pixel_for_nn"};
  Tensor none;
  for (const std::string mode : {"nearest", "linear", "cubic"})
    for (const std::string& coord : coords) {
      if (mode != "nearest" && coord == "tf_half_pixel_for_nn") continue;
      std::map<std::string, Attribute> a = {{"mode", as(mode)}, {"coordinate_transformation_mode", as(coord)}};
      for (const auto& sc : scales) expect_matches_reference("Resize", fed({x, none, f32({4}, sc)}), a);
      for (const auto& sz : sizes)
        expect_matches_reference("Resize", {{x, false}, {none, false}, {none, false}, {i64({4}, sz), true}}, a);
    }
  for (const std::string nm : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
    for (const auto& sz : sizes)
      expect_matches_reference("Resize", {{x, false}, {none, false}, {none, false}, {i64({4}, sz), true}},
                               {{"nearest_mode", as(nm)}, {"coordinate_transformation_mode", as("asymmetric")}});
  for (const std::string mode : {"linear", "cubic"})
    for (int64_t aa : {0, 1})
      for (int64_t excl : {0, 1})
        for (const auto& sc : scales)
          expect_matches_reference(
              "Resize", fed({x, none, f32({4}, sc)}),
              {{"mode", as(mode)}, {"antialias", ai(aa)}, {"exclude_outside", ai(excl)}, {"cubic_coeff_a", af(-0.5f)}});
  // tf_crop_and_resize with extrapolation, axes, aspect-ratio policies.
  for (const std::string mode : {"nearest", "linear", "cubic"})
    expect_matches_reference("Resize",
                             fed({x, f32({8}, {0, 0, 0.2f, -0.3f, 1, 1, 0.9f, 1.2f}), none, i64({4}, {2, 3, 5, 11})}),
                             {{"mode", as(mode)},
                              {"coordinate_transformation_mode", as("tf_crop_and_resize")},
                              {"extrapolation_value", af(7.5f)}});
  for (const std::string policy : {"stretch", "not_larger", "not_smaller"})
    expect_matches_reference("Resize", {{x, false}, {none, false}, {none, false}, {i64({2}, {10, 5}), true}},
                             {{"mode", as("linear")}, {"axes", ais({2, 3})}, {"keep_aspect_ratio_policy", as(policy)}},
                             1, false, 18);
  // Other dtypes, the legacy opset-10 rule and a large input on two threads.
  // (float16 only with nearest: interpolated values can fall on a float16 rounding tie up to the
  // last bit of the double computation, whose order differs.)
  for (DType t : {DType::F64, DType::U8, DType::I32, DType::F16})
    for (const std::string mode : {"nearest", "linear"})
      if (t != DType::F16 || mode == "nearest")
        expect_matches_reference("Resize",
                                 fed({random(t, {1, 3, 5, 6}, seed++, -100, 200), none, f32({4}, {1, 1, 2.5f, 0.5f})}),
                                 {{"mode", as(mode)}});
  expect_matches_reference("Resize", fed({x, none, f32({4}, {1, 1, 0.6f, 1.5f})}), {{"legacy_opset10_nearest", ai(1)}});
  Tensor big = random(DType::F32, {2, 24, 33, 31}, seed++);
  for (const std::string mode : {"nearest", "linear"}) {
    expect_matches_reference("Resize", fed({big, none, f32({4}, {1, 1, 2, 2})}), {{"mode", as(mode)}});
    expect_matches_reference("Resize", fed({big, none, f32({4}, {1, 1, 0.5f, 0.5f})}), {{"mode", as(mode)}});
  }
}

}  // namespace
}  // namespace fs::test::cpu_ew
