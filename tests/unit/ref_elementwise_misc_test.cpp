// Reference kernels of the elementwise family, part 3: Identity, Dropout, Cast, CastLike, Constant,
// ConstantOfShape, Shape and Size.
#include <cmath>
#include <limits>

#include "tests/unit/elementwise_test_util.h"

namespace fs {
namespace {

using test::attr_f;
using test::attr_i;
using test::expect_error;
using test::expect_exact;
using test::f32;
using test::f64;
using test::ints;
using test::make_f;
using test::make_i;
using test::OpInput;
using test::run_kernel;
using test::run_op;
using V = std::vector<int64_t>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor cast(Tensor x, DType to) { return run_op("Cast", {x}, {{"to", attr_i(dtype_info(to).onnx_code)}})[0]; }

TEST(RefElementwiseMisc, Identity) {
  expect_exact(run_op("Identity", {f32({3}, {1, NAN, -0.0f})})[0], {1, kNaN, 0});
  EXPECT_EQ(ints(run_op("Identity", {make_i(DType::I64, {2}, {INT64_MIN, 7})})[0]), (V{INT64_MIN, 7}));
  EXPECT_EQ(ints(run_op("Identity", {test::boolean({2}, {1, 0})})[0]), (V{1, 0}));
}

TEST(RefElementwiseMisc, DropoutIsIdentityAtInference) {
  Tensor x = f32({2, 2}, {1, -2, 3, 4});
  auto out = run_op("Dropout", {x}, {}, 2);
  expect_exact(out[0], {1, -2, 3, 4});
  EXPECT_EQ(out[1].dtype(), DType::Bool);
  EXPECT_EQ(ints(out[1]), (V{1, 1, 1, 1}));
  expect_exact(run_op("Dropout", std::vector<OpInput>{{x, false}, {f32({}, {0.1f}), true}})[0], {1, -2, 3, 4});
  expect_exact(run_op("Dropout", {x, f32({}, {0.5f}), test::boolean({}, {0})})[0], {1, -2, 3, 4});
  expect_exact(run_op("Dropout", {x}, {{"ratio", attr_f(0.2f)}})[0], {1, -2, 3, 4});  // opset < 12 form
}

TEST(RefElementwiseMisc, DropoutErrors) {
  Tensor x = f32({2}, {1, 2});
  expect_error(
      [&] {
        run_op("Dropout", std::vector<OpInput>{{x, false}, {Tensor(), false}, {test::boolean({}, {1}), true}});
      },
      "node 'n0' (Dropout): training mode is not supported");
  expect_error(
      [&] {
        run_op("Dropout", {x, f32({}, {0.5f}), test::boolean({}, {1})});
      },
      "training mode is not supported");
  expect_error(
      [&] {
        run_op("Dropout", std::vector<OpInput>{{x, false}, {f32({}, {1.5f}), true}});
      },
      "ratio (input 1) must be in [0, 1)");
  expect_error([&] { run_op("Dropout", {x}, {{"ratio", attr_f(-1)}}); }, "attribute 'ratio': must be in [0, 1)");
  expect_error([&] { run_op("Dropout", {make_i(DType::I32, {1}, {1})}); }, "expected one of");
}

TEST(RefElementwiseMisc, CastFloatToInt) {
  EXPECT_EQ(ints(cast(f32({4}, {1.9f, -1.9f, NAN, 0.5f}), DType::I32)), (V{1, -1, 0, 0}));  // toward zero
  EXPECT_EQ(ints(cast(f32({2}, {300, -1}), DType::U8)), (V{44, 255}));                      // wraps like int -> int
  Tensor big = cast(f32({1}, {1e19f}), DType::U64);
  EXPECT_EQ(big.data<uint64_t>()[0], static_cast<uint64_t>(1e19f));
  EXPECT_EQ(ints(cast(f32({4}, {0, 0.5f, NAN, -2}), DType::Bool)), (V{0, 1, 1, 1}));
}

TEST(RefElementwiseMisc, CastIntToInt) {
  EXPECT_EQ(ints(cast(make_i(DType::I32, {2}, {300, -1}), DType::U8)), (V{44, 255}));
  EXPECT_EQ(ints(cast(make_i(DType::U8, {1}, {200}), DType::I8)), (V{-56}));
  EXPECT_EQ(ints(cast(make_i(DType::I64, {2}, {0, 2}), DType::Bool)), (V{0, 1}));
  EXPECT_EQ(ints(cast(make_i(DType::U64, {1}, {-1}), DType::I64)), (V{-1}));
  EXPECT_EQ(ints(cast(test::boolean({2}, {1, 0}), DType::I16)), (V{1, 0}));
}

TEST(RefElementwiseMisc, CastToHalfRoundsToNearestEven) {
  // float -> float16: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 -> 1; 1 + 3 * 2^-11 -> 1 + 2^-9.
  expect_exact(cast(f32({4}, {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, INFINITY, NAN}), DType::F16),
               {1, 1 + 0x1p-9, kInf, kNaN});
  // double -> float16 rounds once: just above halfway goes up (via float it would tie to 1).
  expect_exact(cast(f64({2}, {1 + 0x1p-11 + 0x1p-40, 70000}), DType::F16), {1 + 0x1p-10, kInf});
  // bfloat16 likewise.
  expect_exact(cast(f32({3}, {1 + 0x1p-8f, 1 + 3 * 0x1p-8f, -INFINITY}), DType::BF16), {1, 1 + 0x1p-6, -kInf});
  expect_exact(cast(f64({1}, {1 + 0x1p-8 + 0x1p-40}), DType::BF16), {1 + 0x1p-7});
  expect_exact(cast(make_f(DType::F16, {1}, {0.1}), DType::F32), {0.0999755859375});
}

TEST(RefElementwiseMisc, CastIntToFloatRoundsOnce) {
  expect_exact(cast(make_i(DType::I64, {3}, {16777217, 16777219, INT64_MIN}), DType::F32),
               {16777216, 16777220, -0x1p63});
  expect_exact(cast(make_i(DType::I64, {5}, {65519, 65520, -65520, 2049, 2051}), DType::F16),
               {65504, kInf, -kInf, 2048, 2052});
  // 2^30 + 2^22 + 1 is just above halfway between two bfloat16 values (via float it would tie).
  expect_exact(cast(make_i(DType::I64, {3}, {257, 259, (1 << 30) + (1 << 22) + 1}), DType::BF16),
               {256, 260, 0x1p30 + 0x1p23});
  expect_exact(cast(make_i(DType::U64, {1}, {-1}), DType::F32), {0x1p64});
  expect_exact(cast(make_i(DType::U64, {1}, {-1}), DType::F64), {0x1p64});
  expect_exact(cast(test::boolean({2}, {1, 0}), DType::F16), {1, 0});
}

TEST(RefElementwiseMisc, CastErrors) {
  Tensor x = f32({1}, {1});
  try {
    run_op("Cast", {x}, {{"to", attr_i(8)}});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("attribute 'to': casting to STRING is not supported"), std::string::npos)
        << e.what();
  }
  expect_error([&] { run_op("Cast", {x}, {{"to", attr_i(99)}}); }, "99 is not an ONNX tensor element type");
  expect_error([&] { run_op("Cast", {x}); }, "attribute 'to': required");
}

TEST(RefElementwiseMisc, CastLike) {
  Tensor y = run_op("CastLike", {f32({2}, {1.5f, -2.5f}), make_i(DType::I64, {1}, {0})})[0];
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(ints(y), (V{1, -2}));
  Tensor h = run_op("CastLike", {f64({1}, {1 + 0x1p-11 + 0x1p-40}), make_f(DType::F16, {}, {0})})[0];
  EXPECT_EQ(h.dtype(), DType::F16);
  expect_exact(h, {1 + 0x1p-10});
}

TEST(RefElementwiseMisc, Constant) {
  std::vector<Tensor> none;
  Tensor y = run_op("Constant", none, {{"value", Attribute::make_tensor(f32({2}, {1, 2}))}})[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  expect_exact(y, {1, 2});
  Tensor f = run_op("Constant", none, {{"value_float", attr_f(2.5f)}})[0];
  EXPECT_EQ(f.dtype(), DType::F32);
  EXPECT_EQ(f.shape(), Shape{});
  expect_exact(f, {2.5});
  expect_exact(run_op("Constant", none, {{"value_floats", Attribute::make_floats({1, 2})}})[0], {1, 2});
  Tensor i = run_op("Constant", none, {{"value_int", attr_i(7)}})[0];
  EXPECT_EQ(i.dtype(), DType::I64);
  EXPECT_EQ(ints(i), V{7});
  Tensor is = run_op("Constant", none, {{"value_ints", Attribute::make_ints({1, 2, 3})}})[0];
  EXPECT_EQ(is.shape(), (Shape{3}));
  EXPECT_EQ(ints(is), (V{1, 2, 3}));
  // The kernel itself (the session folds Constant during inference).
  expect_exact(run_kernel("Constant", {}, {{"value", Attribute::make_tensor(f64({2}, {3, 4}))}})[0], {3, 4});
  EXPECT_EQ(ints(run_kernel("Constant", {}, {{"value_ints", Attribute::make_ints({5})}})[0]), V{5});
}

TEST(RefElementwiseMisc, ConstantErrors) {
  std::vector<Tensor> none;
  try {
    run_op("Constant", none, {{"value_string", test::attr_s("hi")}});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("attribute 'value_string'"), std::string::npos) << e.what();
  }
  expect_error([&] { run_op("Constant", none); }, "needs one of the attributes");
  expect_error(
      [&] {
        run_op("Constant", none, {{"value_int", attr_i(1)}, {"value_float", attr_f(1)}});
      },
      "only one value attribute");
  expect_error([&] { run_op("Constant", none, {{"value", attr_i(1)}}); }, "attribute 'value': expected");
}

TEST(RefElementwiseMisc, ConstantOfShape) {
  Tensor shape = make_i(DType::I64, {2}, {2, 3});
  Tensor y = run_op("ConstantOfShape", std::vector<OpInput>{{shape, true}},
                    {{"value", Attribute::make_tensor(make_i(DType::I32, {1}, {7}))}})[0];
  EXPECT_EQ(y.dtype(), DType::I32);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(ints(y), (V{7, 7, 7, 7, 7, 7}));
  Tensor z = run_op("ConstantOfShape", {shape})[0];  // fed at run time; float32 zeros by default
  EXPECT_EQ(z.dtype(), DType::F32);
  expect_exact(z, {0, 0, 0, 0, 0, 0});
  EXPECT_EQ(run_op("ConstantOfShape", {make_i(DType::I64, {1}, {0})})[0].numel(), 0);
  Tensor s =
      run_op("ConstantOfShape", {make_i(DType::I64, {0}, {})}, {{"value", Attribute::make_tensor(f64({1}, {1.5}))}})[0];
  EXPECT_EQ(s.shape(), Shape{});
  expect_exact(s, {1.5});
  expect_error(
      [&] {
        run_op("ConstantOfShape", {shape}, {{"value", Attribute::make_tensor(f32({2}, {1, 2}))}});
      },
      "attribute 'value': expected a one-element tensor, got 2");
  expect_error([&] { run_op("ConstantOfShape", {make_i(DType::I64, {2}, {2, -1})}); }, "negative dimension");
  expect_error([&] { run_op("ConstantOfShape", {make_i(DType::I32, {1}, {2})}); }, "expected one of int64");
}

TEST(RefElementwiseMisc, Shape) {
  Tensor x = f32({2, 3, 4}, std::vector<float>(24, 0));
  Tensor y = run_op("Shape", {x})[0];
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(ints(y), (V{2, 3, 4}));
  EXPECT_EQ(ints(run_op("Shape", {x}, {{"start", attr_i(1)}})[0]), (V{3, 4}));
  EXPECT_EQ(ints(run_op("Shape", {x}, {{"end", attr_i(-1)}})[0]), (V{2, 3}));
  EXPECT_EQ(ints(run_op("Shape", {x}, {{"start", attr_i(-10)}, {"end", attr_i(10)}})[0]), (V{2, 3, 4}));
  EXPECT_EQ(run_op("Shape", {x}, {{"start", attr_i(2)}, {"end", attr_i(1)}})[0].shape(), (Shape{0}));
  EXPECT_EQ(run_op("Shape", {f32({}, {1})})[0].shape(), (Shape{0}));
  EXPECT_EQ(ints(run_kernel("Shape", {x}, {{"start", attr_i(-2)}})[0]), (V{3, 4}));
  expect_error([&] { run_op("Shape", {x}, {{"start", attr_f(1)}}); }, "attribute 'start': expected");
}

TEST(RefElementwiseMisc, Size) {
  Tensor y = run_op("Size", {f32({3, 4, 5}, std::vector<float>(60, 1))})[0];
  EXPECT_EQ(y.dtype(), DType::I64);
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_EQ(ints(y), V{60});
  EXPECT_EQ(ints(run_op("Size", {test::boolean({}, {1})})[0]), V{1});
  EXPECT_EQ(ints(run_kernel("Size", {make_i(DType::U8, {2, 0}, {})})[0]), V{0});
}

}  // namespace
}  // namespace fs
