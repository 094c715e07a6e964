// Reference kernels of the elementwise family, part 2: broadcasting binary and variadic ops,
// logic, comparisons and Where.
#include <cmath>
#include <limits>

#include "tests/unit/elementwise_test_util.h"

namespace fs {
namespace {

using test::attr_i;
using test::attr_s;
using test::expect_error;
using test::expect_exact;
using test::expect_near;
using test::f32;
using test::f64;
using test::ints;
using test::make_f;
using test::make_i;
using test::run_op;
using V = std::vector<int64_t>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor two(const std::string& op, Tensor a, Tensor b, std::map<std::string, Attribute> attrs = {}) {
  return run_op(op, {a, b}, std::move(attrs))[0];
}

TEST(RefElementwiseBinary, AddBroadcasts) {
  Tensor y = two("Add", f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {10, 20, 30}));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  expect_near(y, {11, 22, 33, 14, 25, 36});
  Tensor z = two("Add", f32({2, 1}, {1, 2}), f32({1, 3}, {10, 20, 30}));
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  expect_near(z, {11, 21, 31, 12, 22, 32});
  expect_near(two("Add", f32({}, {1}), f32({2}, {1, 2})), {2, 3});
  EXPECT_EQ(ints(two("Add", make_i(DType::I8, {1}, {100}), make_i(DType::I8, {1}, {100}))), V{-56});  // wraps
  EXPECT_EQ(ints(two("Add", make_i(DType::U8, {1}, {200}), make_i(DType::U8, {1}, {100}))), V{44});
  EXPECT_EQ(ints(two("Add", make_i(DType::I64, {1}, {INT64_MAX}), make_i(DType::I64, {1}, {1}))), V{INT64_MIN});
  // float16 rounds once: 2048 + 1 is halfway between 2048 and 2050 -> 2048 (even); 2048 + 3 -> 2052.
  Tensor h = two("Add", make_f(DType::F16, {2}, {2048, 2048}), make_f(DType::F16, {2}, {1, 3}));
  expect_near(h, {2048, 2052}, 0, 0);
  expect_error([] { two("Add", f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({4}, {1, 2, 3, 4})); }, "cannot be broadcast");
  expect_error([] { two("Add", f32({1}, {1}), f64({1}, {1})); }, "they must match");
}

TEST(RefElementwiseBinary, SubMul) {
  expect_near(two("Sub", f32({2, 1}, {10, 20}), f32({1, 3}, {1, 2, 3})), {9, 8, 7, 19, 18, 17});
  EXPECT_EQ(ints(two("Sub", make_i(DType::U8, {1}, {1}), make_i(DType::U8, {1}, {2}))), V{255});
  expect_near(two("Mul", f32({}, {2}), f32({3}, {1, -2, 0.5f})), {2, -4, 1});
  EXPECT_EQ(ints(two("Mul", make_i(DType::I16, {1}, {300}), make_i(DType::I16, {1}, {300}))), V{90000 - 65536 * 1});
  EXPECT_EQ(ints(two("Mul", make_i(DType::I64, {1}, {INT64_MIN}), make_i(DType::I64, {1}, {-1}))), V{INT64_MIN});
}

TEST(RefElementwiseBinary, Div) {
  Tensor y = two("Div", f32({3}, {1, -1, 7}), f32({3}, {0, 0, 2}));
  expect_exact(y, {kInf, -kInf, 3.5});
  EXPECT_EQ(ints(two("Div", make_i(DType::I32, {4}, {7, -7, 7, -7}), make_i(DType::I32, {4}, {2, 2, -2, -2}))),
            (V{3, -3, -3, 3}));
  EXPECT_EQ(ints(two("Div", make_i(DType::I64, {1}, {INT64_MIN}), make_i(DType::I64, {1}, {-1}))), V{INT64_MIN});
  EXPECT_EQ(ints(two("Div", make_i(DType::U64, {1}, {-2}), make_i(DType::U64, {1}, {2}))), V{INT64_MAX});
  EXPECT_EQ(ints(two("Div", make_i(DType::U8, {2}, {200, 7}), make_i(DType::U8, {1}, {3}))), (V{66, 2}));
  expect_error([] { two("Div", make_i(DType::I32, {1}, {1}), make_i(DType::I32, {1}, {0})); },
               "node 'n0' (Div): integer division by zero");
}

TEST(RefElementwiseBinary, Pow) {
  expect_near(two("Pow", f32({3}, {2, 4, 2}), f32({3}, {3, 0.5f, -1})), {8, 2, 0.5});
  expect_near(two("Pow", f32({2}, {3, 2}), make_i(DType::I64, {2}, {2, -2})), {9, 0.25});
  EXPECT_EQ(ints(two("Pow", make_i(DType::I32, {3}, {2, 3, -2}), make_i(DType::I64, {3}, {10, 0, 3}))),
            (V{1024, 1, -8}));
  EXPECT_EQ(ints(two("Pow", make_i(DType::I64, {3}, {2, 3, 3}), f32({3}, {0.5f, 2, 3}))), (V{1, 9, 27}));
  EXPECT_EQ(ints(two("Pow", make_i(DType::I64, {3}, {2, 1, -1}), make_i(DType::I64, {3}, {-1, -5, -3}))),
            (V{0, 1, -1}));
  EXPECT_EQ(ints(two("Pow", make_i(DType::I32, {1}, {2}), make_i(DType::I32, {1}, {32}))), V{0});  // wraps
  EXPECT_EQ(ints(two("Pow", make_i(DType::I64, {1}, {3}), make_i(DType::U8, {1}, {4}))), V{81});
  expect_error([] { two("Pow", make_i(DType::I64, {1}, {0}), make_i(DType::I64, {1}, {-1})); },
               "negative integer power");
  expect_error([] { two("Pow", make_i(DType::I8, {1}, {2}), make_i(DType::I8, {1}, {2})); }, "expected one of");
}

TEST(RefElementwiseBinary, Mod) {
  Tensor a = make_i(DType::I32, {6}, {-4, 7, 5, 4, -7, 8}), b = make_i(DType::I32, {6}, {2, -3, 8, -2, 3, 5});
  EXPECT_EQ(ints(two("Mod", a, b)), (V{0, -2, 5, 0, 2, 3}));                         // sign of the divisor
  EXPECT_EQ(ints(two("Mod", a, b, {{"fmod", attr_i(1)}})), (V{0, 1, 5, 0, -1, 3}));  // sign of the dividend
  expect_near(two("Mod", f32({3}, {-4.5f, 7.5f, 5}), f32({3}, {2, -2, 8}), {{"fmod", attr_i(1)}}), {-0.5, 1.5, 5});
  EXPECT_EQ(ints(two("Mod", make_i(DType::U8, {2}, {7, 250}), make_i(DType::U8, {1}, {3}))), (V{1, 1}));
  EXPECT_EQ(ints(two("Mod", make_i(DType::I64, {1}, {INT64_MIN}), make_i(DType::I64, {1}, {-1}))), V{0});
  expect_error([] { two("Mod", f32({1}, {1}), f32({1}, {1})); }, "attribute 'fmod': must be 1 for floating-point");
  expect_error([&] { two("Mod", a, b, {{"fmod", attr_i(2)}}); }, "attribute 'fmod': expected 0 or 1");
  expect_error([] { two("Mod", make_i(DType::I32, {1}, {1}), make_i(DType::I32, {1}, {0})); }, "modulo by zero");
}

TEST(RefElementwiseBinary, MaxMinVariadic) {
  std::vector<Tensor> in = {f32({3}, {1, 5, 3}), f32({}, {4}), f32({2, 1}, {2, 6})};
  Tensor mx = run_op("Max", in)[0];
  EXPECT_EQ(mx.shape(), (Shape{2, 3}));
  expect_near(mx, {4, 5, 4, 6, 6, 6});
  expect_near(run_op("Min", in)[0], {1, 2, 2, 1, 4, 3});
  expect_near(run_op("Max", {f32({2}, {-1, 2})})[0], {-1, 2});
  expect_exact(run_op("Max", {f32({3}, {1, NAN, 2}), f32({3}, {NAN, 1, 1})})[0], {kNaN, kNaN, 2});
  expect_exact(run_op("Min", {f32({3}, {1, NAN, 2}), f32({3}, {NAN, 1, 1})})[0], {kNaN, kNaN, 1});
  // uint64 compares as unsigned, int64 exactly.
  EXPECT_EQ(ints(run_op("Max", {make_i(DType::U64, {2}, {-1, 3}), make_i(DType::U64, {2}, {5, 4})})[0]), (V{-1, 4}));
  EXPECT_EQ(ints(run_op("Min", {make_i(DType::I64, {1}, {INT64_MAX}), make_i(DType::I64, {1}, {INT64_MAX - 1})})[0]),
            V{INT64_MAX - 1});
  expect_error([] { run_op("Max", std::vector<Tensor>{}); }, "expected 1-");
}

TEST(RefElementwiseBinary, SumMean) {
  std::vector<Tensor> in = {f32({2}, {1, 2}), f32({1}, {3}), f32({2}, {10, 20})};
  expect_near(run_op("Sum", in)[0], {14, 25});
  expect_near(run_op("Mean", in)[0], {14.0 / 3, 25.0 / 3});
  expect_near(run_op("Sum", {f32({2}, {1, 2})})[0], {1, 2});
  expect_near(run_op("Mean", {f64({1}, {5}), f64({1}, {6})})[0], {5.5});
  expect_error([] { run_op("Sum", {make_i(DType::I32, {1}, {1})}); }, "expected one of");
}

TEST(RefElementwiseBinary, BitShift) {
  EXPECT_EQ(ints(two("BitShift", make_i(DType::U8, {3}, {1, 3, 255}), make_i(DType::U8, {3}, {2, 7, 1}),
                     {{"direction", attr_s("LEFT")}})),
            (V{4, 128, 254}));
  EXPECT_EQ(ints(two("BitShift", make_i(DType::U16, {3}, {16, 4, 1}), make_i(DType::U16, {1}, {2}),
                     {{"direction", attr_s("RIGHT")}})),
            (V{4, 1, 0}));
  EXPECT_EQ(ints(two("BitShift", make_i(DType::U64, {2}, {-1, 1}), make_i(DType::U64, {2}, {63, 64}),
                     {{"direction", attr_s("RIGHT")}})),
            (V{1, 0}));
  Tensor u = make_i(DType::U8, {1}, {1});
  expect_error([&] { two("BitShift", u, u, {{"direction", attr_s("UP")}}); }, "attribute 'direction': expected LEFT");
  expect_error([&] { two("BitShift", u, u); }, "attribute 'direction': required");
}

TEST(RefElementwiseBinary, Logic) {
  Tensor a = test::boolean({2, 2}, {0, 0, 1, 1}), b = test::boolean({2}, {0, 1});
  Tensor y = two("And", a, b);
  EXPECT_EQ(y.dtype(), DType::Bool);
  EXPECT_EQ(ints(y), (V{0, 0, 0, 1}));
  EXPECT_EQ(ints(two("Or", a, b)), (V{0, 1, 1, 1}));
  EXPECT_EQ(ints(two("Xor", a, b)), (V{0, 1, 1, 0}));
  expect_error([] { two("And", f32({1}, {1}), f32({1}, {1})); }, "expected one of bool");
}

TEST(RefElementwiseBinary, Comparisons) {
  Tensor a = make_i(DType::I32, {3}, {1, 2, 3}), b = make_i(DType::I32, {1}, {2});
  Tensor eq = two("Equal", a, b);
  EXPECT_EQ(eq.dtype(), DType::Bool);
  EXPECT_EQ(ints(eq), (V{0, 1, 0}));
  EXPECT_EQ(ints(two("Greater", a, b)), (V{0, 0, 1}));
  EXPECT_EQ(ints(two("GreaterOrEqual", a, b)), (V{0, 1, 1}));
  EXPECT_EQ(ints(two("Less", a, b)), (V{1, 0, 0}));
  EXPECT_EQ(ints(two("LessOrEqual", a, b)), (V{1, 1, 0}));
  Tensor f = f32({3}, {NAN, 1, 2}), g = f32({3}, {NAN, 1, 1});
  EXPECT_EQ(ints(two("Equal", f, g)), (V{0, 1, 0}));
  EXPECT_EQ(ints(two("GreaterOrEqual", f, g)), (V{0, 1, 1}));
  EXPECT_EQ(ints(two("Equal", test::boolean({2}, {1, 0}), test::boolean({1}, {1}))), (V{1, 0}));
  // 2^63 + 1 > 1 as uint64; int64 values beyond 2^53 compare exactly.
  EXPECT_EQ(ints(two("Greater", make_i(DType::U64, {1}, {INT64_MIN + 1}), make_i(DType::U64, {1}, {1}))), V{1});
  EXPECT_EQ(ints(two("Equal", make_i(DType::I64, {1}, {(int64_t{1} << 53) + 1}),
                     make_i(DType::I64, {1}, {int64_t{1} << 53}))),
            V{0});
  expect_error([] { two("Less", test::boolean({1}, {1}), test::boolean({1}, {1})); }, "expected one of");
}

TEST(RefElementwiseBinary, Where) {
  Tensor c = test::boolean({2, 1}, {1, 0});
  Tensor y = run_op("Where", {c, make_i(DType::I64, {3}, {1, 2, 3}), make_i(DType::I64, {}, {9})})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(ints(y), (V{1, 2, 3, 9, 9, 9}));
  Tensor z = run_op("Where", {test::boolean({2}, {0, 1}), f32({2}, {1, NAN}), f32({2}, {-0.0f, 5})})[0];
  EXPECT_TRUE(std::signbit(z.get_f64(0)));
  EXPECT_TRUE(std::isnan(z.get_f64(1)));
  expect_error([] { run_op("Where", {f32({1}, {1}), f32({1}, {1}), f32({1}, {1})}); }, "expected one of bool");
  expect_error([] { run_op("Where", {test::boolean({1}, {1}), f32({1}, {1}), f64({1}, {1})}); }, "must match");
}

}  // namespace
}  // namespace fs
