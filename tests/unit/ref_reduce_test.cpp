// Reference Reduce*, ArgMax/ArgMin and TopK: small hand-checked cases, attribute/input forms of
// axes, empty-set reductions, exact integer arithmetic and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/unit/reduce_test_util.h"

namespace fs {
namespace {

using test::ai;
using test::ais;
using test::error_of;
using test::expect_close;
using test::expect_near;
using test::f32;
using test::i32;
using test::i64;
using test::ints;
using test::run_op;
using test::typed;

const double kInf = std::numeric_limits<double>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor m23() { return f32({2, 3}, {1, 2, 3, 4, 5, 6}); }

// Runs a reduce op with the axes given as input 1, either fed at run time or as a constant.
Tensor reduce_input_axes(const std::string& op, const Tensor& x, std::vector<int64_t> axes, bool constant,
                         std::map<std::string, Attribute> attrs = {}) {
  test::OpInput ax{i64({static_cast<int64_t>(axes.size())}, axes), constant};
  return run_op(op, std::vector<test::OpInput>{{x, false}, ax}, std::move(attrs))[0];
}

// ---- ReduceSum ----------------------------------------------------------------------------------
TEST(RefReduce, SumAxesAttributeKeepdims) {
  Tensor y = run_op("ReduceSum", {m23()}, {{"axes", ais({1})}})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  expect_near(y, {6, 15});
}

TEST(RefReduce, SumAxesInputNoKeepdims) {
  for (bool constant : {false, true}) {
    Tensor y = reduce_input_axes("ReduceSum", m23(), {0}, constant, {{"keepdims", ai(0)}});
    EXPECT_EQ(y.shape(), (Shape{3}));
    expect_near(y, {5, 7, 9});
  }
}

TEST(RefReduce, SumNegativeAxisAndAllAxes) {
  expect_near(run_op("ReduceSum", {m23()}, {{"axes", ais({-1})}, {"keepdims", ai(0)}})[0], {6, 15});
  Tensor all = run_op("ReduceSum", {m23()})[0];
  EXPECT_EQ(all.shape(), (Shape{1, 1}));
  expect_near(all, {21});
  Tensor scalar = run_op("ReduceSum", {m23()}, {{"keepdims", ai(0)}})[0];
  EXPECT_EQ(scalar.shape(), (Shape{}));
  expect_near(scalar, {21});
}

TEST(RefReduce, SumNoopWithEmptyAxes) {
  Tensor x = m23();
  Tensor y = reduce_input_axes("ReduceSum", x, {}, false, {{"noop_with_empty_axes", ai(1)}});
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  expect_near(y, {1, 2, 3, 4, 5, 6});
  // Empty axes without noop: reduce everything.
  expect_near(reduce_input_axes("ReduceSum", x, {}, true), {21});
}

TEST(RefReduce, SumIntegersExactAndWrapping) {
  Tensor big = i64({2}, {9007199254740993, 1});  // 2^53 + 1: not representable in double
  EXPECT_EQ(ints(run_op("ReduceSum", {big}, {{"keepdims", ai(0)}})[0]), (std::vector<int64_t>{9007199254740994}));
  Tensor y = run_op("ReduceSum", {i32({2}, {2147483647, 1})}, {{"keepdims", ai(0)}})[0];
  EXPECT_EQ(y.dtype(), DType::I32);
  EXPECT_EQ(ints(y), (std::vector<int64_t>{-2147483648LL}));
}

TEST(RefReduce, SumEmptySet) {
  Tensor x = f32({2, 0}, {});
  Tensor y = run_op("ReduceSum", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  expect_near(y, {0, 0});
}

TEST(RefReduce, SumErrors) {
  EXPECT_NE(error_of([] {
              run_op("ReduceSum", {m23()}, {{"axes", ais({2})}});
            }).find("attribute 'axes'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              run_op("ReduceSum", {m23()}, {{"axes", ais({1, -1})}});
            }).find("repeated"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              run_op("ReduceSum", {m23()}, {{"keepdims", ai(2)}});
            }).find("attribute 'keepdims'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              reduce_input_axes("ReduceSum", m23(), {0}, true, {{"axes", ais({0})}});
            }).find("both as an attribute and as input 1"),
            std::string::npos);
  EXPECT_NE(error_of([] { reduce_input_axes("ReduceSum", m23(), {3}, false); }).find("out of range"),
            std::string::npos);
}

// ---- ReduceMean ---------------------------------------------------------------------------------
TEST(RefReduce, Mean) {
  expect_near(run_op("ReduceMean", {m23()}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {2, 5});
  expect_near(reduce_input_axes("ReduceMean", m23(), {0, 1}, true), {3.5});
  // Integers: truncating division, toward zero for negative sums.
  Tensor y = run_op("ReduceMean", {i32({2, 2}, {1, 2, -3, -4})}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0];
  EXPECT_EQ(ints(y), (std::vector<int64_t>{1, -3}));
  // Empty set: NaN.
  Tensor e = run_op("ReduceMean", {f32({0, 2}, {})}, {{"axes", ais({0})}})[0];
  EXPECT_EQ(e.shape(), (Shape{1, 2}));
  EXPECT_TRUE(std::isnan(e.get_f64(0)));
  EXPECT_NE(error_of([] {
              run_op("ReduceMean", {m23()}, {{"noop_with_empty_axes", ai(-1)}});
            }).find("attribute 'noop_with_empty_axes'"),
            std::string::npos);
}

// ---- ReduceMax / ReduceMin ----------------------------------------------------------------------
TEST(RefReduce, MaxMin) {
  Tensor x = f32({2, 3}, {1, -5, 3, -4, 5, 0});
  expect_near(run_op("ReduceMax", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {3, 5});
  expect_near(run_op("ReduceMin", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {-5, -4});
  expect_near(reduce_input_axes("ReduceMax", x, {0}, false, {{"keepdims", ai(0)}}), {1, 5, 3});
  expect_near(reduce_input_axes("ReduceMin", x, {0}, true, {{"keepdims", ai(0)}}), {-4, -5, 0});
}

TEST(RefReduce, MaxMinNaNPropagates) {
  Tensor x = f32({3}, {1, kNaN, 3});
  EXPECT_TRUE(std::isnan(run_op("ReduceMax", {x})[0].get_f64(0)));
  EXPECT_TRUE(std::isnan(run_op("ReduceMin", {x})[0].get_f64(0)));
}

TEST(RefReduce, MaxMinEmptySet) {
  Tensor x = f32({2, 0}, {});
  expect_close(run_op("ReduceMax", {x}, {{"axes", ais({1})}})[0], {-kInf, -kInf});
  expect_close(run_op("ReduceMin", {x}, {{"axes", ais({1})}})[0], {kInf, kInf});
  Tensor xi = typed(DType::I8, {0}, {});
  EXPECT_EQ(ints(run_op("ReduceMax", {xi})[0]), (std::vector<int64_t>{-128}));
  Tensor xu = typed(DType::U8, {0}, {});
  EXPECT_EQ(ints(run_op("ReduceMin", {xu})[0]), (std::vector<int64_t>{255}));
}

TEST(RefReduce, MaxMinIntegerOrders) {
  // uint64 values above 2^63 compare as unsigned.
  Tensor u = typed(DType::U64, {2}, {static_cast<int64_t>(0x8000000000000005ULL), 1});
  EXPECT_EQ(ints(run_op("ReduceMax", {u})[0]), (std::vector<int64_t>{static_cast<int64_t>(0x8000000000000005ULL)}));
  EXPECT_EQ(ints(run_op("ReduceMin", {u})[0]), (std::vector<int64_t>{1}));
  Tensor b = typed(DType::Bool, {3}, {0, 1, 0});
  EXPECT_EQ(ints(run_op("ReduceMax", {b})[0]), (std::vector<int64_t>{1}));
  EXPECT_EQ(ints(run_op("ReduceMin", {b})[0]), (std::vector<int64_t>{0}));
  EXPECT_NE(error_of([&] { run_op("ReduceSum", {b}); }).find("bool"), std::string::npos);
}

// ---- ReduceProd ---------------------------------------------------------------------------------
TEST(RefReduce, Prod) {
  expect_near(run_op("ReduceProd", {m23()}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {6, 120});
  expect_near(reduce_input_axes("ReduceProd", m23(), {0}, true), {4, 10, 18});
  expect_near(run_op("ReduceProd", {f32({0}, {})})[0], {1});
  // int64 exact: 3^39 = 4052555153018976267 does not fit a double exactly.
  std::vector<int64_t> threes(39, 3);
  EXPECT_EQ(ints(run_op("ReduceProd", {i64({39}, threes)})[0]), (std::vector<int64_t>{4052555153018976267LL}));
}

// ---- ReduceL1 / ReduceL2 ------------------------------------------------------------------------
TEST(RefReduce, L1) {
  Tensor x = f32({2, 2}, {-1, 2, 3, -4});
  expect_near(run_op("ReduceL1", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {3, 7});
  expect_near(reduce_input_axes("ReduceL1", x, {0}, false), {4, 6});
  EXPECT_EQ(ints(run_op("ReduceL1", {i32({2, 2}, {-1, 2, 3, -4})}, {{"axes", ais({1})}})[0]),
            (std::vector<int64_t>{3, 7}));
  expect_near(run_op("ReduceL1", {f32({0, 3}, {})}, {{"axes", ais({0})}})[0], {0, 0, 0});
}

TEST(RefReduce, L2) {
  Tensor x = f32({2, 2}, {3, -4, 6, 8});
  expect_near(run_op("ReduceL2", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {5, 10});
  expect_near(reduce_input_axes("ReduceL2", x, {0, 1}, true), {std::sqrt(125.0)});
  // Integers: sqrt truncated toward zero.
  EXPECT_EQ(ints(run_op("ReduceL2", {i32({2, 2}, {3, 4, 1, 1})}, {{"axes", ais({1})}})[0]),
            (std::vector<int64_t>{5, 1}));
  expect_near(run_op("ReduceL2", {f32({0}, {})})[0], {0});
}

// ---- ReduceLogSum / ReduceLogSumExp -------------------------------------------------------------
TEST(RefReduce, LogSum) {
  Tensor x = f32({2, 2}, {1, static_cast<float>(std::exp(1.0) - 1), 2, 2});
  expect_near(run_op("ReduceLogSum", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {1, std::log(4.0)}, 1e-6);
  expect_close(run_op("ReduceLogSum", {f32({0}, {})})[0], {-kInf});
  // noop_with_empty_axes: each element reduced alone, log(x).
  Tensor y = reduce_input_axes("ReduceLogSum", f32({2}, {1, 4}), {}, true, {{"noop_with_empty_axes", ai(1)}});
  expect_near(y, {0, std::log(4.0)});
}

TEST(RefReduce, LogSumExp) {
  expect_near(run_op("ReduceLogSumExp", {f32({2}, {0, 0})})[0], {std::log(2.0)});
  // Shifted by the maximum: no overflow.
  expect_near(run_op("ReduceLogSumExp", {f32({2}, {1000, 1000})})[0], {1000 + std::log(2.0)}, 1e-3);
  expect_close(run_op("ReduceLogSumExp", {f32({2}, {-INFINITY, -INFINITY})})[0], {-kInf});
  expect_close(run_op("ReduceLogSumExp", {f32({2}, {INFINITY, 1})})[0], {kInf});
  EXPECT_TRUE(std::isnan(run_op("ReduceLogSumExp", {f32({2}, {kNaN, 1})})[0].get_f64(0)));
  expect_close(run_op("ReduceLogSumExp", {f32({0}, {})})[0], {-kInf});
  Tensor x = f32({2, 2}, {0, 0, 1, 1});
  expect_near(reduce_input_axes("ReduceLogSumExp", x, {1}, false, {{"keepdims", ai(0)}}),
              {std::log(2.0), 1 + std::log(2.0)}, 1e-6);
}

// ---- ReduceSumSquare ----------------------------------------------------------------------------
TEST(RefReduce, SumSquare) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  expect_near(run_op("ReduceSumSquare", {x}, {{"axes", ais({1})}, {"keepdims", ai(0)}})[0], {5, 25});
  expect_near(reduce_input_axes("ReduceSumSquare", x, {0}, true), {10, 20});
  // noop_with_empty_axes: the squares themselves (as the ONNX reference).
  expect_near(reduce_input_axes("ReduceSumSquare", x, {}, false, {{"noop_with_empty_axes", ai(1)}}), {1, 4, 9, 16});
  EXPECT_EQ(ints(run_op("ReduceSumSquare", {i64({2}, {3000000000LL, 1})})[0]),
            (std::vector<int64_t>{9000000000000000001LL}));
}

// ---- ArgMax / ArgMin ----------------------------------------------------------------------------
TEST(RefReduce, ArgMax) {
  Tensor x = f32({2, 2}, {2, 1, 3, 10});
  Tensor y = run_op("ArgMax", {x})[0];
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(y.shape(), (Shape{1, 2}));
  EXPECT_EQ(ints(y), (std::vector<int64_t>{1, 1}));
  Tensor z = run_op("ArgMax", {x}, {{"axis", ai(-1)}, {"keepdims", ai(0)}})[0];
  EXPECT_EQ(z.shape(), (Shape{2}));
  EXPECT_EQ(ints(z), (std::vector<int64_t>{0, 1}));
}

TEST(RefReduce, ArgMaxTiesAndNaN) {
  Tensor t = f32({1, 4}, {1, 3, 3, 2});
  EXPECT_EQ(ints(run_op("ArgMax", {t}, {{"axis", ai(1)}})[0]), (std::vector<int64_t>{1}));
  EXPECT_EQ(ints(run_op("ArgMax", {t}, {{"axis", ai(1)}, {"select_last_index", ai(1)}})[0]), (std::vector<int64_t>{2}));
  Tensor n = f32({5}, {1, kNaN, 5, kNaN, 0});
  EXPECT_EQ(ints(run_op("ArgMax", {n})[0]), (std::vector<int64_t>{1}));
  EXPECT_EQ(ints(run_op("ArgMax", {n}, {{"select_last_index", ai(1)}})[0]), (std::vector<int64_t>{3}));
  EXPECT_EQ(ints(run_op("ArgMin", {n})[0]), (std::vector<int64_t>{1}));
}

TEST(RefReduce, ArgMin) {
  Tensor x = i32({2, 3}, {4, 1, 1, -7, 0, -7});
  EXPECT_EQ(ints(run_op("ArgMin", {x}, {{"axis", ai(1)}, {"keepdims", ai(0)}})[0]), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(ints(run_op("ArgMin", {x}, {{"axis", ai(1)}, {"select_last_index", ai(1)}})[0]),
            (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ints(run_op("ArgMin", {x}, {{"axis", ai(0)}})[0]), (std::vector<int64_t>{1, 1, 1}));
}

TEST(RefReduce, ArgErrors) {
  Tensor x = f32({2, 2}, {2, 1, 3, 10});
  EXPECT_NE(error_of([&] { run_op("ArgMax", {x}, {{"axis", ai(2)}}); }).find("attribute 'axis'"), std::string::npos);
  EXPECT_NE(error_of([&] {
              run_op("ArgMin", {x}, {{"select_last_index", ai(3)}});
            }).find("attribute 'select_last_index'"),
            std::string::npos);
  EXPECT_NE(error_of([] { run_op("ArgMax", {f32({2, 0}, {})}, {{"axis", ai(1)}}); }).find("size 0"), std::string::npos);
}

// ---- TopK ---------------------------------------------------------------------------------------
std::vector<Tensor> topk(const Tensor& x, int64_t k, std::map<std::string, Attribute> attrs = {}) {
  return run_op("TopK", std::vector<test::OpInput>{{x, false}, {i64({1}, {k}), true}}, std::move(attrs), 2);
}

TEST(RefReduce, TopKLargestLastAxis) {
  Tensor x = f32({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 9, 8});
  auto out = topk(x, 3);
  EXPECT_EQ(out[0].shape(), (Shape{3, 3}));
  expect_near(out[0], {3, 2, 1, 7, 6, 5, 11, 10, 9});
  EXPECT_EQ(out[1].dtype(), DType::I64);
  EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{3, 2, 1, 3, 2, 1, 0, 1, 2}));
}

TEST(RefReduce, TopKSmallestAxis0) {
  Tensor x = f32({3, 2}, {5, 0, 1, 9, 3, 4});
  auto out = topk(x, 2, {{"axis", ai(0)}, {"largest", ai(0)}});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  expect_near(out[0], {1, 0, 3, 4});
  EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{1, 0, 2, 2}));
}

TEST(RefReduce, TopKTiesLowerIndexFirst) {
  auto big = topk(f32({4}, {1, 3, 3, 2}), 2);
  expect_near(big[0], {3, 3});
  EXPECT_EQ(ints(big[1]), (std::vector<int64_t>{1, 2}));
  auto small = topk(i64({4}, {2, 1, 1, 3}), 3, {{"largest", ai(0)}});
  EXPECT_EQ(ints(small[0]), (std::vector<int64_t>{1, 1, 2}));
  EXPECT_EQ(ints(small[1]), (std::vector<int64_t>{1, 2, 0}));
  // NaN sorts above every number.
  auto n = topk(f32({3}, {1, kNaN, 3}), 2);
  EXPECT_TRUE(std::isnan(n[0].get_f64(0)));
  EXPECT_EQ(ints(n[1]), (std::vector<int64_t>{1, 2}));
  auto k0 = topk(f32({3}, {1, 2, 3}), 0);
  EXPECT_EQ(k0[0].shape(), (Shape{0}));
}

TEST(RefReduce, TopKErrors) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_NE(error_of([&] { topk(x, 4); }).find("out of range"), std::string::npos);
  EXPECT_NE(error_of([&] { topk(x, 1, {{"axis", ai(2)}}); }).find("attribute 'axis'"), std::string::npos);
  EXPECT_NE(error_of([&] { topk(x, 1, {{"largest", ai(2)}}); }).find("attribute 'largest'"), std::string::npos);
  EXPECT_NE(error_of([&] { run_op("TopK", {x, i32({1}, {1})}, {}, 2); }).find("int64"), std::string::npos);
}

}  // namespace
}  // namespace fs
