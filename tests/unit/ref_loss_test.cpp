// Reference NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, DynamicQuantizeLinear, Unique,
// MaxUnpool and Det: small hand-checked cases, attributes, edge cases and error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "tests/unit/test_util.h"

namespace fs {
namespace {

using test::expect_near;
using test::f32;
using test::f64;
using test::i32;
using test::i64;
using test::run_op;

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const double kLog2 = std::log(2.0);

Attribute ai(int64_t v) { return Attribute::make_int(v); }
Attribute as(const std::string& v) { return Attribute::make_string(v); }
Attribute ais(std::vector<int64_t> v) { return Attribute::make_ints(std::move(v)); }
std::vector<int64_t> ints(const Tensor& t) { return t.to_i64_vector(); }

// The message of the fs::Error thrown by f ("" when nothing is thrown).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_HAS(expr, text) \
  EXPECT_NE(error_of([&] { expr; }).find(text), std::string::npos) << error_of([&] { expr; })

// ---- NegativeLogLikelihoodLoss --------------------------------------------------------------------
// Log-probabilities of N = 2 samples over C = 3 classes; targets pick -1 and -6.
Tensor nll_x() { return f32({2, 3}, {-1, -2, -3, -4, -5, -6}); }

TEST(RefLoss, NllReductions) {
  Tensor none = run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 2})}, {{"reduction", as("none")}})[0];
  EXPECT_EQ(none.shape(), (Shape{2}));
  expect_near(none, {1, 6});
  Tensor sum = run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 2})}, {{"reduction", as("sum")}})[0];
  EXPECT_EQ(sum.shape(), (Shape{}));
  expect_near(sum, {7});
  expect_near(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 2})})[0], {3.5});  // default: mean
}

TEST(RefLoss, NllWeightMeanDividesByWeightSum) {
  Tensor w = f32({3}, {1, 2, 3});
  expect_near(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 2}), w}, {{"reduction", as("none")}})[0],
              {1, 18});
  expect_near(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 2}), w}, {{"reduction", as("sum")}})[0], {19});
  expect_near(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 2}), w})[0], {19.0 / 4.0});
}

TEST(RefLoss, NllIgnoreIndex) {
  Tensor t = i32({2}, {0, 2});  // int32 targets
  expect_near(
      run_op("NegativeLogLikelihoodLoss", {nll_x(), t}, {{"reduction", as("none")}, {"ignore_index", ai(2)}})[0],
      {1, 0});
  expect_near(run_op("NegativeLogLikelihoodLoss", {nll_x(), t}, {{"ignore_index", ai(2)}})[0], {1});
  // The ignored target may lie outside [0, C) (here -1), and weights of ignored targets do not count.
  Tensor w = f32({3}, {2, 5, 7});
  expect_near(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {-1, 1}), w}, {{"ignore_index", ai(-1)}})[0], {5});
  // Every target ignored: mean is 0 / 0.
  Tensor all = run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {1, 1})}, {{"ignore_index", ai(1)}})[0];
  EXPECT_TRUE(std::isnan(all.get_f64(0)));
}

TEST(RefLoss, NllSpatialDims) {
  // N = 1, C = 2, d1 = 2: x[0, c, d]; class 0 = {-1, -2}, class 1 = {-3, -4}.
  Tensor x = f64({1, 2, 2}, {-1, -2, -3, -4});
  Tensor y = run_op("NegativeLogLikelihoodLoss", {x, i64({1, 2}, {1, 0})}, {{"reduction", as("none")}})[0];
  EXPECT_EQ(y.dtype(), DType::F64);
  EXPECT_EQ(y.shape(), (Shape{1, 2}));
  expect_near(y, {3, 2});
}

TEST(RefLoss, NllErrors) {
  EXPECT_ERROR_HAS(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 3})}), "out of range for 3 classes");
  EXPECT_ERROR_HAS(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 1})}, {{"reduction", as("avg")}}),
                   "attribute 'reduction'");
  EXPECT_ERROR_HAS(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({3}, {0, 1, 2})}), "expected [2]");
  EXPECT_ERROR_HAS(run_op("NegativeLogLikelihoodLoss", {nll_x(), i64({2}, {0, 1}), f32({2}, {1, 1})}),
                   "one weight per class");
  EXPECT_ERROR_HAS(run_op("NegativeLogLikelihoodLoss", {nll_x(), f32({2}, {0, 1})}), "int32 or int64");
}

// ---- SoftmaxCrossEntropyLoss ----------------------------------------------------------------------
TEST(RefLoss, SceUniformScores) {
  auto out = run_op("SoftmaxCrossEntropyLoss", {f32({1, 2}, {0, 0}), i64({1}, {0})}, {}, 2);
  EXPECT_EQ(out[0].shape(), (Shape{}));
  expect_near(out[0], {kLog2});
  EXPECT_EQ(out[1].shape(), (Shape{1, 2}));
  expect_near(out[1], {-kLog2, -kLog2});
}

TEST(RefLoss, SceLogSoftmax) {
  // log softmax([1, 2, 3])[2] = -log(1 + e^-1 + e^-2).
  double l = std::log(1 + std::exp(-1.0) + std::exp(-2.0));
  expect_near(run_op("SoftmaxCrossEntropyLoss", {f32({1, 3}, {1, 2, 3}), i64({1}, {2})})[0], {l});
}

TEST(RefLoss, SceWeightsAndIgnoreIndex) {
  Tensor x = f32({3, 2}, {0, 0, 0, 0, 0, 0});
  Tensor t = i64({3}, {0, 1, 1});
  Tensor w = f32({2}, {1, 3});
  std::map<std::string, Attribute> ii{{"ignore_index", ai(0)}};
  expect_near(run_op("SoftmaxCrossEntropyLoss", {x, t, w}, ii)[0], {kLog2});  // 6 log 2 / 6
  ii["reduction"] = as("sum");
  expect_near(run_op("SoftmaxCrossEntropyLoss", {x, t, w}, ii)[0], {6 * kLog2});
  ii["reduction"] = as("none");
  expect_near(run_op("SoftmaxCrossEntropyLoss", {x, t, w}, ii)[0], {0, 3 * kLog2, 3 * kLog2});
}

TEST(RefLoss, SceSpatialDims) {
  // N = 1, C = 2, d1 = 2: position 0 has scores {0, 0}, position 1 has {ln 3, 0} (softmax 3/4, 1/4).
  Tensor x = f32({1, 2, 2}, {0, static_cast<float>(std::log(3.0)), 0, 0});
  auto out = run_op("SoftmaxCrossEntropyLoss", {x, i64({1, 2}, {1, 0})}, {{"reduction", as("none")}}, 2);
  EXPECT_EQ(out[0].shape(), (Shape{1, 2}));
  expect_near(out[0], {kLog2, -std::log(0.75)});
  expect_near(out[1], {-kLog2, std::log(0.75), -kLog2, std::log(0.25)});
}

TEST(RefLoss, SceErrors) {
  EXPECT_ERROR_HAS(run_op("SoftmaxCrossEntropyLoss", {f32({1, 2}, {0, 0}), i64({1}, {0})}, {{"reduction", as("x")}}),
                   "attribute 'reduction'");
  EXPECT_ERROR_HAS(run_op("SoftmaxCrossEntropyLoss", {f32({2}, {0, 0}), i64({1}, {0})}), "rank >= 2");
  EXPECT_ERROR_HAS(run_op("SoftmaxCrossEntropyLoss", {f32({1, 2}, {0, 0}), i64({1}, {5})}), "out of range");
}

// ---- DynamicQuantizeLinear ------------------------------------------------------------------------
TEST(RefLoss, DynamicQuantizeSpecExample) {
  // min -3, max 2: scale 5/255 (as float32), zero point 153; -2.5 / scale is just above -127.5.
  auto out = run_op("DynamicQuantizeLinear", {f32({6}, {0, 2, -3, -2.5f, 1.34f, 0.5f})}, {}, 3);
  EXPECT_EQ(out[0].dtype(), DType::U8);
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{153, 255, 0, 26, 221, 179}));
  EXPECT_EQ(out[1].dtype(), DType::F32);
  EXPECT_EQ(out[1].shape(), (Shape{}));
  EXPECT_EQ(out[1].data<float>()[0], 5.0f / 255.0f);
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{153}));
}

TEST(RefLoss, DynamicQuantizeRoundsHalfToEven) {
  // Range [0, 255]: scale exactly 1, zero point 0.
  auto out = run_op("DynamicQuantizeLinear", {f32({5}, {0, 255, 0.5f, 1.5f, 2.5f})}, {}, 3);
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{0, 255, 0, 2, 2}));
  EXPECT_EQ(out[1].get_f64(0), 1.0);
  // Range [-2.5, 252.5]: zero point round(2.5) = 2.
  out = run_op("DynamicQuantizeLinear", {f32({3}, {-2.5f, 252.5f, 0})}, {}, 3);
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{2}));
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{0, 254, 2}));
}

TEST(RefLoss, DynamicQuantizeRangeIncludesZero) {
  auto pos = run_op("DynamicQuantizeLinear", {f32({3}, {1, 2, 3})}, {}, 3);  // [0, 3]
  EXPECT_EQ(ints(pos[0]), (std::vector<int64_t>{85, 170, 255}));
  EXPECT_EQ(ints(pos[2]), (std::vector<int64_t>{0}));
  auto neg = run_op("DynamicQuantizeLinear", {f32({2}, {-2, -0.5f})}, {}, 3);  // [-2, 0]: zero point 255
  EXPECT_EQ(ints(neg[0]), (std::vector<int64_t>{0, 191}));
  EXPECT_EQ(ints(neg[2]), (std::vector<int64_t>{255}));
  auto zero = run_op("DynamicQuantizeLinear", {f32({2}, {0, 0})}, {}, 3);  // empty range: scale 1/255
  EXPECT_EQ(ints(zero[0]), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(zero[1].data<float>()[0], 1.0f / 255.0f);
}

TEST(RefLoss, DynamicQuantizeErrors) {
  EXPECT_ERROR_HAS(run_op("DynamicQuantizeLinear", {f64({1}, {1})}, {}, 3), "must be float32");
  EXPECT_ERROR_HAS(run_op("DynamicQuantizeLinear", {f32({1}, {1})}, {}, 1), "expected 3 outputs");
}

// ---- Unique -----------------------------------------------------------------------------------------
TEST(RefLoss, UniqueSortedFlat) {
  for (bool constant : {false, true}) {  // deferred to run time, or inferred at plan time
    auto out = run_op("Unique", std::vector<test::OpInput>{{i64({4}, {3, 1, 3, 2}), constant}}, {}, 4);
    EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{1, 3, 0}));
    EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{2, 0, 2, 1}));
    EXPECT_EQ(ints(out[3]), (std::vector<int64_t>{1, 1, 2}));
  }
}

TEST(RefLoss, UniqueNotSortedKeepsFirstOccurrenceOrder) {
  auto out = run_op("Unique", {i64({2, 2}, {3, 1, 3, 2})}, {{"sorted", ai(0)}}, 4);
  EXPECT_EQ(out[0].shape(), (Shape{3}));
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{3, 1, 2}));
  EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_EQ(ints(out[3]), (std::vector<int64_t>{2, 1, 1}));
}

TEST(RefLoss, UniqueAxisSortsSlicesLexicographically) {
  auto out = run_op("Unique", {f32({3, 2}, {1, 0, 1, 0, 0, 1})}, {{"axis", ai(0)}}, 4);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  expect_near(out[0], {0, 1, 1, 0});
  EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(ints(out[3]), (std::vector<int64_t>{1, 2}));
  // Columns of [[1, 1, 0], [2, 2, 5]] along axis -1: (0, 5) < (1, 2) = (1, 2).
  out = run_op("Unique", {i32({2, 3}, {1, 1, 0, 2, 2, 5})}, {{"axis", ai(-1)}}, 4);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{0, 1, 5, 2}));
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{1, 1, 0}));
}

TEST(RefLoss, UniqueNaNsCollapseAndSortLast) {
  auto out = run_op("Unique", {f32({4}, {kNaN, 1, kNaN, -0.0f})}, {}, 4);
  ASSERT_EQ(out[0].numel(), 3);
  EXPECT_EQ(out[0].get_f64(0), 0.0);
  EXPECT_EQ(out[0].get_f64(1), 1.0);
  EXPECT_TRUE(std::isnan(out[0].get_f64(2)));
  EXPECT_EQ(ints(out[3]), (std::vector<int64_t>{1, 1, 2}));
}

TEST(RefLoss, UniqueOnlyFirstOutput) {
  auto out = run_op("Unique", {i64({3}, {5, 5, 5})}, {}, 1);
  EXPECT_EQ(ints(out[0]), (std::vector<int64_t>{5}));
}

TEST(RefLoss, UniqueErrors) {
  EXPECT_ERROR_HAS(run_op("Unique", {i64({2}, {1, 2})}, {{"sorted", ai(2)}}, 4), "attribute 'sorted'");
  EXPECT_ERROR_HAS(run_op("Unique", {i64({2}, {1, 2})}, {{"axis", ai(1)}}, 4), "attribute 'axis'");
}

// ---- MaxUnpool ----------------------------------------------------------------------------------
std::map<std::string, Attribute> unpool_2x2() { return {{"kernel_shape", ais({2, 2})}, {"strides", ais({2, 2})}}; }

TEST(RefLoss, MaxUnpoolInferredShape) {
  Tensor y = run_op("MaxUnpool", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), i64({1, 1, 2, 2}, {5, 7, 13, 15})}, unpool_2x2())[0];
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  expect_near(y, {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4});
}

TEST(RefLoss, MaxUnpoolOutputShapeKeepsCoordinates) {
  // The indices address the inferred 4x4 tensor; it sits at the top-left of the 5x5 output.
  for (bool constant : {false, true}) {
    Tensor y = run_op("MaxUnpool",
                      std::vector<test::OpInput>{{f32({1, 1, 2, 2}, {5, 6, 7, 8}), false},
                                                 {i64({1, 1, 2, 2}, {5, 7, 13, 15}), false},
                                                 {i64({4}, {1, 1, 5, 5}), constant}},
                      unpool_2x2())[0];
    EXPECT_EQ(y.shape(), (Shape{1, 1, 5, 5}));
    expect_near(y, {0, 0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 0, 0, 7, 0, 8, 0, 0, 0, 0, 0, 0});
  }
}

TEST(RefLoss, MaxUnpool1dPadsAndGlobalIndices) {
  // (2 - 1) * 2 + 2 - (0 + 1) = 3 per channel; indices count across N and C.
  Tensor y = run_op("MaxUnpool", {f64({1, 2, 2}, {7, 8, 9, 10}), i64({1, 2, 2}, {0, 2, 4, 5})},
                    {{"kernel_shape", ais({2})}, {"strides", ais({2})}, {"pads", ais({0, 1})}})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 2, 3}));
  expect_near(y, {7, 0, 8, 0, 9, 10});
}

TEST(RefLoss, MaxUnpoolErrors) {
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_ERROR_HAS(run_op("MaxUnpool", {x, i64({1, 1, 2, 2}, {5, 7, 13, 16})}, unpool_2x2()), "out of range");
  EXPECT_ERROR_HAS(
      run_op("MaxUnpool", {x, i64({1, 1, 2, 2}, {0, 1, 2, 3})}, {{"kernel_shape", ais({2, 2})}, {"strides", ais({2})}}),
      "attribute 'strides'");
  EXPECT_ERROR_HAS(run_op("MaxUnpool", {x, i64({1, 1, 2, 2}, {0, 1, 2, 3})}), "attribute 'kernel_shape'");
  EXPECT_ERROR_HAS(run_op("MaxUnpool", {x, i64({1, 1, 2, 2}, {0, 1, 2, 3}), i64({4}, {1, 1, 3, 3})}, unpool_2x2()),
                   "at least the inferred shape");
}

// ---- Det ----------------------------------------------------------------------------------------
TEST(RefLoss, DetBatchedWithPivoting) {
  // [[1, 2], [3, 4]] -> -2; [[0, 2, 1], [1, 0, 0], [0, 0, 3]] needs a row swap -> -6.
  expect_near(run_op("Det", {f32({2, 2}, {1, 2, 3, 4})})[0], {-2});
  Tensor y = run_op("Det", {f64({1, 3, 3}, {0, 2, 1, 1, 0, 0, 0, 0, 3})})[0];
  EXPECT_EQ(y.shape(), (Shape{1}));
  expect_near(y, {-6});
  Tensor b = run_op("Det", {f32({2, 2, 2, 2}, {1, 2, 3, 4, 1, 2, 2, 4, 2, 0, 0, 2, 0, 1, 1, 0})})[0];
  EXPECT_EQ(b.shape(), (Shape{2, 2}));
  expect_near(b, {-2, 0, 4, -1});
}

TEST(RefLoss, DetEmptyMatrixIsOne) {
  Tensor y = run_op("Det", {f32({2, 0, 0}, {})})[0];
  EXPECT_EQ(y.shape(), (Shape{2}));
  expect_near(y, {1, 1});
}

TEST(RefLoss, DetErrors) {
  EXPECT_ERROR_HAS(run_op("Det", {f32({2, 3}, {1, 2, 3, 4, 5, 6})}), "square");
  EXPECT_ERROR_HAS(run_op("Det", {i64({1, 1}, {1})}), "floating type");
}

}  // namespace
}  // namespace fs
