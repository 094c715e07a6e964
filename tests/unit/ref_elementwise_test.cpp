// Reference kernels of the elementwise family, part 1: unary math, predicates and activations.
// Binary ops and casts/constants are in ref_elementwise_{binary,misc}_test.cpp.
#include <cmath>
#include <limits>
#include <numbers>

#include "tests/unit/elementwise_test_util.h"

namespace fs {
namespace {

using test::attr_f;
using test::attr_i;
using test::expect_error;
using test::expect_exact;
using test::expect_near;
using test::f32;
using test::f64;
using test::ints;
using test::make_f;
using test::make_i;
using test::run_op;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = std::numbers::pi;
constexpr double kE = std::numbers::e;

Tensor one(const std::string& op, Tensor x, std::map<std::string, Attribute> attrs = {}) {
  return run_op(op, {x}, std::move(attrs))[0];
}

TEST(RefElementwise, Abs) {
  expect_near(one("Abs", f32({3}, {-1.5f, 0, 2})), {1.5, 0, 2});
  EXPECT_EQ(ints(one("Abs", make_i(DType::I8, {3}, {-128, -3, 5}))), (std::vector<int64_t>{-128, 3, 5}));  // wraps
  EXPECT_EQ(ints(one("Abs", make_i(DType::U8, {2}, {200, 0}))), (std::vector<int64_t>{200, 0}));
  expect_error([] { one("Abs", test::boolean({1}, {1})); }, "expected one of");
}

TEST(RefElementwise, Neg) {
  expect_near(one("Neg", f32({3}, {1, -2, 0})), {-1, 2, 0});
  EXPECT_EQ(ints(one("Neg", make_i(DType::I32, {3}, {5, -7, INT32_MIN}))), (std::vector<int64_t>{-5, 7, INT32_MIN}));
  expect_error([] { one("Neg", make_i(DType::U8, {1}, {1})); }, "expected one of");
}

TEST(RefElementwise, CeilFloor) {
  expect_near(one("Ceil", f32({4}, {-1.5f, 1.2f, 2, -0.2f})), {-1, 2, 2, 0});
  expect_near(one("Floor", f32({4}, {-1.5f, 1.2f, 2, -0.2f})), {-2, 1, 2, -1});
  expect_error([] { one("Floor", make_i(DType::I32, {1}, {1})); }, "expected one of");
}

TEST(RefElementwise, RoundHalfToEven) {
  Tensor y = one("Round", f32({10}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4f, 2.6f, -2.6f, 3.5f}));
  expect_near(y, {0, 2, 2, 0, -2, -2, 2, 3, -3, 4}, 0, 0);
  EXPECT_TRUE(std::signbit(y.get_f64(3)));  // -0.5 -> -0
  expect_exact(one("Round", f64({3}, {kNaN, kInf, 4503599627370497.0})), {kNaN, kInf, 4503599627370497.0});
}

TEST(RefElementwise, SqrtReciprocalExpLog) {
  expect_exact(one("Sqrt", f32({3}, {4, 2.25f, -1})), {2, 1.5, kNaN});
  expect_near(one("Reciprocal", f32({2}, {2, -0.25f})), {0.5, -4});
  expect_exact(one("Reciprocal", f32({2}, {0, -0.0f})), {kInf, -kInf});
  expect_near(one("Exp", f64({2}, {0, 1})), {1, kE}, 1e-15);
  expect_exact(one("Log", f64({4}, {1, kE, 0, -1})), {0, 1, -kInf, kNaN});
}

TEST(RefElementwise, Trigonometric) {
  expect_near(one("Sin", f64({2}, {0, kPi / 2})), {0, 1}, 1e-15);
  expect_near(one("Cos", f64({2}, {0, kPi})), {1, -1}, 1e-15);
  expect_near(one("Tan", f64({2}, {0, kPi / 4})), {0, 1}, 1e-15);
  expect_near(one("Asin", f64({2}, {0, 1})), {0, kPi / 2}, 1e-15);
  expect_near(one("Acos", f64({2}, {1, 0})), {0, kPi / 2}, 1e-15);
  expect_near(one("Atan", f64({2}, {0, 1})), {0, kPi / 4}, 1e-15);
  expect_near(one("Sinh", f64({2}, {0, 1})), {0, (kE - 1 / kE) / 2}, 1e-15);
  expect_near(one("Cosh", f64({2}, {0, 1})), {1, (kE + 1 / kE) / 2}, 1e-15);
  expect_near(one("Asinh", f64({2}, {0, 1})), {0, std::log(1 + std::sqrt(2.0))}, 1e-15);
  expect_near(one("Acosh", f64({2}, {1, 2})), {0, std::log(2 + std::sqrt(3.0))}, 1e-15);
  expect_near(one("Atanh", f64({2}, {0, 0.5})), {0, 0.5 * std::log(3.0)}, 1e-15);
  expect_exact(one("Asin", f32({1}, {2})), {kNaN});
  expect_error([] { one("Sin", make_i(DType::I64, {1}, {1})); }, "expected one of");
}

TEST(RefElementwise, Erf) {
  expect_near(one("Erf", f64({3}, {0, 1, -1})), {0, 0.8427007929497149, -0.8427007929497149}, 1e-15);
  EXPECT_EQ(ints(one("Erf", make_i(DType::I32, {2}, {0, 3}))), (std::vector<int64_t>{0, 0}));  // truncated
}

TEST(RefElementwise, Sign) {
  expect_exact(one("Sign", f32({4}, {-2, 0, 3.5f, NAN})), {-1, 0, 1, kNaN});
  EXPECT_EQ(ints(one("Sign", make_i(DType::I32, {3}, {-5, 0, 7}))), (std::vector<int64_t>{-1, 0, 1}));
  EXPECT_EQ(ints(one("Sign", make_i(DType::U64, {2}, {0, -1}))), (std::vector<int64_t>{0, 1}));  // 2^64-1 > 0
}

TEST(RefElementwise, IsNaNIsInf) {
  Tensor x = f32({4}, {-INFINITY, INFINITY, 1, NAN});
  Tensor n = one("IsNaN", x);
  EXPECT_EQ(n.dtype(), DType::Bool);
  EXPECT_EQ(ints(n), (std::vector<int64_t>{0, 0, 0, 1}));
  EXPECT_EQ(ints(one("IsInf", x)), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(ints(one("IsInf", x, {{"detect_negative", attr_i(0)}})), (std::vector<int64_t>{0, 1, 0, 0}));
  EXPECT_EQ(ints(one("IsInf", x, {{"detect_positive", attr_i(0)}})), (std::vector<int64_t>{1, 0, 0, 0}));
  expect_error([&] { one("IsInf", x, {{"detect_negative", attr_i(2)}}); }, "attribute 'detect_negative'");
}

TEST(RefElementwise, Not) {
  EXPECT_EQ(ints(one("Not", test::boolean({2}, {1, 0}))), (std::vector<int64_t>{0, 1}));
  expect_error([] { one("Not", f32({1}, {1})); }, "expected one of");
}

TEST(RefElementwise, Relu) {
  expect_near(one("Relu", f32({3}, {-1, 0, 2})), {0, 0, 2});
  EXPECT_EQ(ints(one("Relu", make_i(DType::I8, {2}, {-5, 5}))), (std::vector<int64_t>{0, 5}));
}

TEST(RefElementwise, LeakyRelu) {
  expect_near(one("LeakyRelu", f32({2}, {-1, 2})), {-0.01, 2});
  expect_near(one("LeakyRelu", f32({2}, {-10, 3}), {{"alpha", attr_f(0.1f)}}), {-1, 3});
  expect_error([] { one("LeakyRelu", f32({1}, {1}), {{"alpha", attr_i(1)}}); }, "attribute 'alpha'");
}

TEST(RefElementwise, Elu) {
  expect_near(one("Elu", f64({3}, {-1, 0, 3}), {{"alpha", attr_f(2)}}), {2 * (1 / kE - 1), 0, 3}, 1e-15);
  expect_near(one("Elu", f64({1}, {-1})), {1 / kE - 1}, 1e-15);
  expect_error([] { one("Elu", f32({1}, {1}), {{"alpha", test::attr_s("x")}}); }, "attribute 'alpha'");
}

TEST(RefElementwise, Selu) {
  double alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875;
  expect_near(one("Selu", f64({3}, {-1, 0, 2})), {gamma * alpha * (1 / kE - 1), 0, 2 * gamma}, 1e-15);
  expect_near(one("Selu", f64({2}, {-1, 1}), {{"alpha", attr_f(2)}, {"gamma", attr_f(3)}}), {6 * (1 / kE - 1), 3},
              1e-15);
  expect_error([] { one("Selu", f32({1}, {1}), {{"gamma", attr_i(3)}}); }, "attribute 'gamma'");
}

TEST(RefElementwise, Celu) {
  expect_near(one("Celu", f64({3}, {-2, 0, 3}), {{"alpha", attr_f(2)}}), {2 * (1 / kE - 1), 0, 3}, 1e-15);
  expect_near(one("Celu", f64({1}, {-1})), {1 / kE - 1}, 1e-15);
  expect_error([] { one("Celu", f32({1}, {1}), {{"alpha", attr_f(0)}}); }, "attribute 'alpha': must not be 0");
}

TEST(RefElementwise, SigmoidTanh) {
  expect_near(one("Sigmoid", f64({4}, {0, std::log(3.0), -1000, 1000})), {0.5, 0.75, 0, 1}, 1e-15);
  expect_near(one("Tanh", f64({3}, {0, 0.5, -0.5})), {0, std::tanh(0.5), -std::tanh(0.5)}, 1e-15);
  expect_near(one("Tanh", f64({1}, {std::log(3.0) / 2})), {0.5}, 1e-15);  // tanh(ln(3)/2) = (3-1)/(3+1)
}

TEST(RefElementwise, HardSigmoid) {
  expect_near(one("HardSigmoid", f32({4}, {-5, 0, 1, 5})), {0, 0.5, 0.7, 1}, 1e-6);
  expect_near(one("HardSigmoid", f32({1}, {1}), {{"alpha", attr_f(0.5f)}, {"beta", attr_f(0.25f)}}), {0.75});
  expect_error([] { one("HardSigmoid", f32({1}, {1}), {{"beta", attr_i(0)}}); }, "attribute 'beta'");
}

TEST(RefElementwise, HardSwish) {
  expect_near(one("HardSwish", f32({5}, {-4, -1.5f, 0, 1.5f, 4})), {0, -0.375, 0, 1.125, 4});
}

TEST(RefElementwise, SoftplusSoftsign) {
  expect_near(one("Softplus", f64({4}, {0, 1, 1000, -1000})), {std::log(2.0), std::log(1 + kE), 1000, 0}, 1e-15);
  expect_near(one("Softsign", f32({3}, {1, -3, 0})), {0.5, -0.75, 0});
}

TEST(RefElementwise, ThresholdedRelu) {
  expect_near(one("ThresholdedRelu", f32({3}, {0.5f, 1, 2})), {0, 0, 2});
  expect_near(one("ThresholdedRelu", f32({3}, {0.1f, 1, -2}), {{"alpha", attr_f(0.2f)}}), {0, 1, 0});
  expect_error([] { one("ThresholdedRelu", f32({1}, {1}), {{"alpha", attr_i(1)}}); }, "attribute 'alpha'");
}

TEST(RefElementwise, PRelu) {
  Tensor x = f32({2, 3}, {-1, -2, -3, 1, 2, 3});
  expect_near(run_op("PRelu", {x, f32({3}, {0.1f, 0.2f, 0.3f})})[0], {-0.1, -0.4, -0.9, 1, 2, 3});
  expect_near(run_op("PRelu", {x, f32({2, 1}, {0.5f, 2})})[0], {-0.5, -1, -1.5, 1, 2, 3});
  EXPECT_EQ(ints(run_op("PRelu", {make_i(DType::I32, {2}, {-3, 4}), make_i(DType::I32, {1}, {2})})[0]),
            (std::vector<int64_t>{-6, 4}));
  expect_error([&] { run_op("PRelu", {x, f32({4}, {1, 1, 1, 1})}); }, "cannot be broadcast to the input shape");
  expect_error([&] { run_op("PRelu", {f32({3}, {1, 1, 1}), f32({2, 3}, {1, 1, 1, 1, 1, 1})}); }, "cannot be broadcast");
}

TEST(RefElementwise, Shrink) {
  expect_near(one("Shrink", f32({5}, {-1, -0.5f, 0.2f, 0.5f, 2})), {-1, 0, 0, 0, 2});
  expect_near(one("Shrink", f32({4}, {-2, -1, 1, 2}), {{"lambd", attr_f(1.5f)}, {"bias", attr_f(1)}}), {-1, 0, 0, 1});
  EXPECT_EQ(ints(one("Shrink", make_i(DType::I8, {3}, {-3, 1, 3}), {{"lambd", attr_f(1.5f)}, {"bias", attr_f(1)}})),
            (std::vector<int64_t>{-2, 0, 2}));
  expect_error([] { one("Shrink", f32({1}, {1}), {{"lambd", attr_i(1)}}); }, "attribute 'lambd'");
}

TEST(RefElementwise, Mish) {
  expect_near(one("Mish", f64({3}, {0, 1, -1000})), {0, std::tanh(std::log(1 + kE)), 0}, 1e-15);
}

TEST(RefElementwise, Clip) {
  Tensor x = f32({4}, {-2, 0, 5, NAN});
  Tensor lo = f32({}, {-1}), hi = f32({}, {1});
  expect_exact(run_op("Clip", {x, lo, hi})[0], {-1, 0, 1, kNaN});
  // Only max (min absent), as a constant input.
  Tensor x3 = f32({3}, {-2, 0, 5});
  expect_near(run_op("Clip", std::vector<test::OpInput>{{x3, false}, {Tensor(), false}, {hi, true}})[0], {-2, 0, 1});
  expect_near(run_op("Clip", {x3, lo})[0], {-1, 0, 5});
  expect_near(run_op("Clip", {x3})[0], {-2, 0, 5});
  // min > max: everything becomes max.
  expect_near(run_op("Clip", {x3, f32({}, {2}), f32({}, {1})})[0], {1, 1, 1});
  EXPECT_EQ(ints(run_op("Clip", {make_i(DType::I8, {3}, {-100, 50, 100}), make_i(DType::I8, {}, {-50}),
                                 make_i(DType::I8, {}, {60})})[0]),
            (std::vector<int64_t>{-50, 50, 60}));
  // uint64 above 2^63 compares as unsigned.
  Tensor u = make_i(DType::U64, {2}, {-1, 5});
  Tensor umax = make_i(DType::U64, {1}, {INT64_MIN});  // 2^63
  EXPECT_EQ(ints(run_op("Clip", std::vector<test::OpInput>{{u, false}, {Tensor(), false}, {umax, false}})[0]),
            (std::vector<int64_t>{INT64_MIN, 5}));
  expect_error([&] { run_op("Clip", {x3, f32({2}, {0, 1})}); }, "min (input 1) must be a scalar");
  expect_near(run_op("Clip", {f64({2}, {-2, 2}), f32({}, {-1})})[0], {-1, 2});  // float bounds of another float type
  expect_error([&] { run_op("Clip", {make_i(DType::I32, {1}, {1}), f32({}, {0})}); }, "they must match");
}

}  // namespace
}  // namespace fs
