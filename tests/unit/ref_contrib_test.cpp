// Reference kernels of the com.microsoft contrib ops (QLinearAdd, QLinearGlobalAveragePool) on
// small hand-computed cases: rounding half to even, saturation, broadcasting, absent zero points.
#include <string>

#include "tests/unit/test_util.h"

namespace fs {
namespace {

using test::OpInput;

Tensor u8(Shape s, std::vector<uint8_t> v) { return Tensor::from_vector(DType::U8, std::move(s), v); }
Tensor i8(Shape s, std::vector<int8_t> v) { return Tensor::from_vector(DType::I8, std::move(s), v); }
Tensor scale(float v) { return test::f32({}, {v}); }

const char* kAdd = "com.microsoft.QLinearAdd";
const char* kPool = "com.microsoft.QLinearGlobalAveragePool";

// All inputs but the data (0 and 3 for QLinearAdd, 0 for the pool) as initializers.
std::vector<Tensor> run(const std::string& op, std::vector<Tensor> in, std::map<std::string, Attribute> attrs = {}) {
  std::vector<OpInput> v;
  for (size_t i = 0; i < in.size(); ++i) {
    bool data = i == 0 || (op == kAdd && i == 3);
    v.push_back({in[i], !data && in[i].defined()});
  }
  return test::run_op(op, v, std::move(attrs));
}

std::string error_of(const std::string& op, std::vector<Tensor> in, std::map<std::string, Attribute> attrs = {}) {
  try {
    run(op, std::move(in), std::move(attrs));
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(RefContrib, QLinearAddRoundsHalfToEven) {
  // A = 0.5 * {1, 3, 5, 7} = {0.5, 1.5, 2.5, 3.5}, B = 0; C = round_half_even(A) + 10.
  auto y = run(kAdd, {u8({4}, {1, 3, 5, 7}), scale(0.5f), u8({}, {0}), u8({4}, {0, 0, 0, 0}), scale(1.0f), u8({}, {0}),
                      scale(1.0f), u8({}, {10})});
  EXPECT_EQ(y[0].dtype(), DType::U8);
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{10, 12, 12, 14}));
}

TEST(RefContrib, QLinearAddBroadcastsWithZeroPoints) {
  // A = 2 * ({0, 1, 2, 3} - 1) = {-2, 0, 2, 4}; B = 0.1 * ({10, 20} - 10) = {0, 1} on the last axis;
  // sum {-2, 1, 2, 5} / 0.5 = {-4, 2, 4, 10}, + 128.
  auto y = run(kAdd, {u8({2, 2}, {0, 1, 2, 3}), scale(2.0f), u8({}, {1}), u8({2}, {10, 20}), scale(0.1f), u8({}, {10}),
                      scale(0.5f), u8({}, {128})});
  EXPECT_EQ(y[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{124, 130, 132, 138}));
}

TEST(RefContrib, QLinearAddSaturatesInt8) {
  // 127 + 127 = 254 -> 127; -128 + -128 = -256 -> -128; 1 + -3 = -2; scales 1, zero points 0.
  auto y = run(kAdd, {i8({3}, {127, -128, 1}), scale(1.0f), i8({}, {0}), i8({3}, {127, -128, -3}), scale(1.0f),
                      i8({}, {0}), scale(1.0f), i8({}, {0})});
  EXPECT_EQ(y[0].dtype(), DType::I8);
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{127, -128, -2}));
}

TEST(RefContrib, QLinearAddAbsentZeroPointsAreZero) {
  // (0.5 * 4 + 0.5 * 6) / 2 = 2.5 -> 2 (half to even); C_zero_point absent (7 inputs).
  auto y = run(kAdd, {u8({1}, {4}), scale(0.5f), Tensor(), u8({1}, {6}), scale(0.5f), Tensor(), scale(2.0f)});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{2}));
}

TEST(RefContrib, QLinearAddErrors) {
  std::string msg =
      error_of(kAdd, {u8({1}, {4}), scale(1), u8({}, {0}), i8({1}, {6}), scale(1), i8({}, {0}), scale(1)});
  EXPECT_NE(msg.find("inputs 0 (A) and 3 (B) must have the same dtype"), std::string::npos) << msg;
  msg = error_of(kAdd, {u8({1}, {4}), scale(1), i8({}, {0}), u8({1}, {6}), scale(1), u8({}, {0}), scale(1)});
  EXPECT_NE(msg.find("input 2 (A_zero_point) must have the data's dtype uint8"), std::string::npos) << msg;
  msg = error_of(kAdd,
                 {u8({1}, {4}), test::f32({2}, {1, 2}), u8({}, {0}), u8({1}, {6}), scale(1), u8({}, {0}), scale(1)});
  EXPECT_NE(msg.find("input 1 (A_scale) must be a scalar, got shape [2]"), std::string::npos) << msg;
  msg = error_of(kAdd, {u8({2}, {4, 4}), scale(1), u8({}, {0}), u8({3}, {6, 6, 6}), scale(1), u8({}, {0}), scale(1)});
  EXPECT_NE(msg.find("com.microsoft.QLinearAdd"), std::string::npos) << msg;  // shapes do not broadcast
}

TEST(RefContrib, QLinearGlobalAveragePoolNchw) {
  // Channel 0: mean {1, 2, 3, 4} = 2.5 -> 2 (half to even); channel 1: mean {10, 10, 10, 11} = 10.25 -> 10.
  auto y = run(kPool, {u8({1, 2, 2, 2}, {1, 2, 3, 4, 10, 10, 10, 11}), scale(1), u8({}, {0}), scale(1), u8({}, {0})});
  EXPECT_EQ(y[0].shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{2, 10}));
}

TEST(RefContrib, QLinearGlobalAveragePoolScalesAndZeroPoints) {
  // x = 0.5 * ({130, 132, 134, 136} - 128) = {1, 2, 3, 4}: mean 2.5; / 0.25 = 10; + 100.
  auto y = run(kPool, {u8({1, 1, 4}, {130, 132, 134, 136}), scale(0.5f), u8({}, {128}), scale(0.25f), u8({}, {100})});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{110}));
}

TEST(RefContrib, QLinearGlobalAveragePoolChannelsLast) {
  // X [1, 2, 2, 3] as N, H, W, C: channel c holds {c, c + 3, c + 6, c + 9}: means 4.5, 5.5, 6.5 -> 4, 6, 6.
  std::vector<uint8_t> v;
  for (uint8_t i = 0; i < 12; ++i) v.push_back(i);
  auto y = run(kPool, {u8({1, 2, 2, 3}, v), scale(1), u8({}, {0}), scale(1), u8({}, {0})},
               {{"channels_last", Attribute::make_int(1)}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 1, 3}));
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{4, 6, 6}));
}

TEST(RefContrib, QLinearGlobalAveragePoolSaturatesInt8) {
  // Batch 0: (127 - -128) = 255 twice: the mean 255 saturates to 127; batch 1: (-128 - -128) = 0.
  auto y = run(kPool, {i8({2, 1, 2}, {127, 127, -128, -128}), scale(1), i8({}, {-128}), scale(1), i8({}, {0})});
  EXPECT_EQ(test::values(y[0]), (std::vector<double>{127, 0}));
}

TEST(RefContrib, QLinearGlobalAveragePoolErrors) {
  std::vector<Tensor> in = {u8({1, 1, 2}, {1, 2}), scale(1), u8({}, {0}), scale(1), u8({}, {0})};
  std::string msg = error_of(kPool, in, {{"channels_last", Attribute::make_int(2)}});
  EXPECT_NE(msg.find("attribute 'channels_last': must be 0 or 1, got 2"), std::string::npos) << msg;
  msg = error_of(kPool, {u8({1, 2}, {1, 2}), scale(1), u8({}, {0}), scale(1), u8({}, {0})});
  EXPECT_NE(msg.find("must have rank >= 3"), std::string::npos) << msg;
  msg = error_of(kPool, {test::f32({1, 1, 2}, {1, 2}), scale(1), u8({}, {0}), scale(1), u8({}, {0})});
  EXPECT_NE(msg.find("input 0 (X): dtype float32 is not allowed"), std::string::npos) << msg;
}

}  // namespace
}  // namespace fs
