// Reference Resize: hand-checked nearest / linear / cubic cases for every coordinate transform,
// antialias, axes, keep_aspect_ratio_policy, integer rounding, the legacy (opset-10) nearest form and
// errors.
#include <gtest/gtest.h>

#include "tests/unit/reduce_test_util.h"

namespace fs {
namespace {

using test::ai;
using test::ais;
using test::as;
using test::error_of;
using test::expect_near;
using test::f32;
using test::i64;
using test::ints;
using test::OpInput;
using test::run_op;
using test::typed;

using Attrs = std::map<std::string, Attribute>;

Tensor resize_scales(const Tensor& x, std::vector<float> scales, Attrs attrs = {}, bool constant = true) {
  Tensor s = f32({static_cast<int64_t>(scales.size())}, scales);
  return run_op("Resize", std::vector<OpInput>{{x, false}, {}, {s, constant}}, std::move(attrs))[0];
}

Tensor resize_sizes(const Tensor& x, std::vector<int64_t> sizes, Attrs attrs = {}, std::vector<float> roi = {}) {
  OpInput r;
  if (!roi.empty()) r = {f32({static_cast<int64_t>(roi.size())}, roi), true};
  Tensor s = i64({static_cast<int64_t>(sizes.size())}, sizes);
  return run_op("Resize", std::vector<OpInput>{{x, false}, r, {}, {s, true}}, std::move(attrs))[0];
}

Tensor m22() { return f32({1, 1, 2, 2}, {1, 2, 3, 4}); }
Tensor m24() { return f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}); }

// ---- nearest ------------------------------------------------------------------------------------
TEST(RefResize, NearestUpsampleDefaultModes) {
  for (bool constant : {true, false}) {
    Tensor y = resize_scales(m22(), {1, 1, 2, 3}, {}, constant);
    EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 6}));
    expect_near(y, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  }
}

TEST(RefResize, NearestDownsampleHalfPixel) {
  // W: 4 -> floor(2.4) = 2; x=1 maps to 1.5/0.6 - 0.5 = 2.0 -> column 2.
  Tensor y = resize_scales(m24(), {1, 1, 0.6f, 0.6f});
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1, 2}));
  expect_near(y, {1, 3});
}

TEST(RefResize, NearestModes) {
  // 1-D, 4 -> 8 with half_pixel: x_original = (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, ..., 3.25.
  Tensor x = f32({4}, {10, 20, 30, 40});
  expect_near(resize_sizes(x, {8}, {{"nearest_mode", as("round_prefer_floor")}}), {10, 10, 20, 20, 30, 30, 40, 40});
  expect_near(resize_sizes(x, {8}, {{"nearest_mode", as("floor")}}), {10, 10, 10, 20, 20, 30, 30, 40});
  expect_near(resize_sizes(x, {8}, {{"nearest_mode", as("ceil")}}), {10, 20, 20, 30, 30, 40, 40, 40});
  // Ties (x_original = 0.5, 1.5, ...) with asymmetric: 4 -> 8 gives x / 2.
  Attrs asym = {{"coordinate_transformation_mode", as("asymmetric")}};
  Attrs floor_ = asym, ceil_ = asym;
  floor_["nearest_mode"] = as("round_prefer_floor");
  ceil_["nearest_mode"] = as("round_prefer_ceil");
  expect_near(resize_sizes(x, {8}, floor_), {10, 10, 20, 20, 30, 30, 40, 40});
  expect_near(resize_sizes(x, {8}, ceil_), {10, 20, 20, 30, 30, 40, 40, 40});
}

TEST(RefResize, NearestAlignCornersAndTfHalfPixelForNN) {
  Tensor x = f32({4}, {10, 20, 30, 40});
  // align_corners, 4 -> 3: x * 3 / 2 = 0, 1.5, 3 -> round_prefer_floor: 0, 1, 3.
  expect_near(resize_sizes(x, {3}, {{"coordinate_transformation_mode", as("align_corners")}}), {10, 20, 40});
  // tf_half_pixel_for_nn, 4 -> 2: (x + 0.5) * 2 = 1, 3.
  expect_near(resize_sizes(x, {2}, {{"coordinate_transformation_mode", as("tf_half_pixel_for_nn")}}), {20, 40});
}

TEST(RefResize, LegacyOpset10Nearest) {
  // Resize-10 / Upsample as the importer converts them: asymmetric + floor, and with the legacy
  // flag a shrinking axis rounds up (1 / 0.6 = 1.67 -> 2), as the opset-10 conformance case wants.
  Attrs a = {{"coordinate_transformation_mode", as("asymmetric")}, {"nearest_mode", as("floor")}};
  expect_near(resize_scales(m24(), {1, 1, 0.6f, 0.6f}, a), {1, 2});
  a["legacy_opset10_nearest"] = ai(1);
  expect_near(resize_scales(m24(), {1, 1, 0.6f, 0.6f}, a), {1, 3});
  expect_near(resize_scales(m22(), {1, 1, 2, 3}, a),
              {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

// ---- linear -------------------------------------------------------------------------------------
TEST(RefResize, LinearAsymmetricUpsample) {
  Tensor y = resize_scales(m22(), {1, 1, 2, 2},
                           {{"mode", as("linear")}, {"coordinate_transformation_mode", as("asymmetric")}});
  expect_near(y, {1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4});
}

TEST(RefResize, LinearHalfPixelDownsample) {
  // y: 0.5/0.6 - 0.5 = 1/3; x: 1/3 and 2 -> row blend 1/3 of the way from [1..4] to [5..8].
  expect_near(resize_scales(m24(), {1, 1, 0.6f, 0.6f}, {{"mode", as("linear")}}), {8.0 / 3, 13.0 / 3}, 1e-5);
}

TEST(RefResize, LinearAlignCornersDownsampleUsesUnflooredLength) {
  // ONNX reference: x * (4 - 1) / (0.6 * 4 - 1) = 3 / 1.4 for x = 1.
  Attrs a = {{"mode", as("linear")}, {"coordinate_transformation_mode", as("align_corners")}};
  expect_near(resize_scales(m24(), {1, 1, 0.6f, 0.6f}, a), {1, 1 + 3 / 1.4}, 1e-5);
}

TEST(RefResize, LinearHalfPixelEdgesClamp) {
  // 2 -> 4: x_original = -0.25, 0.25, 0.75, 1.25; outside coordinates repeat the edge.
  expect_near(resize_sizes(f32({2}, {0, 10}), {4}, {{"mode", as("linear")}}), {0, 2.5, 7.5, 10});
}

TEST(RefResize, TrilinearCenterIsMean) {
  // 2x2x2 -> 3x3x3 with align_corners: the centre samples (0.5, 0.5, 0.5), the mean of all 8.
  Tensor x = f32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor y =
      resize_sizes(x, {3, 3, 3}, {{"mode", as("linear")}, {"coordinate_transformation_mode", as("align_corners")}});
  EXPECT_EQ(y.shape(), (Shape{3, 3, 3}));
  EXPECT_NEAR(y.get_f64(13), 3.5, 1e-12);
  EXPECT_NEAR(y.get_f64(0), 0, 1e-12);
  EXPECT_NEAR(y.get_f64(26), 7, 1e-12);
  EXPECT_NEAR(y.get_f64(1), 0.5, 1e-12);  // (0, 0, 0.5)
  EXPECT_NEAR(y.get_f64(4), 1.5, 1e-12);  // (0, 0.5, 0.5)
}

TEST(RefResize, PytorchHalfPixelAndHalfPixelSymmetric) {
  Tensor x = f32({4}, {1, 2, 4, 8});
  Attrs pt = {{"mode", as("cubic")}, {"coordinate_transformation_mode", as("pytorch_half_pixel")}};
  expect_near(resize_sizes(x, {1}, pt), {1});  // length_resized 1 -> x_original 0
  // half_pixel_symmetric, scale 0.6 (out 2, unfloored 2.4): offset 2 * (1 - 2/2.4) = 1/3;
  // x_original = 1/3 + (x + 0.5)/0.6 - 0.5 = 2/3, 7/3.
  Tensor y = resize_scales(f32({4}, {0, 10, 20, 30}), {0.6f},
                           {{"mode", as("linear")}, {"coordinate_transformation_mode", as("half_pixel_symmetric")}});
  expect_near(y, {20.0 / 3, 70.0 / 3}, 1e-4);
}

TEST(RefResize, TfCropAndResize) {
  Tensor x = f32({4}, {0, 10, 20, 30});
  Attrs a = {{"mode", as("linear")}, {"coordinate_transformation_mode", as("tf_crop_and_resize")}};
  // roi [0.25, 0.75]: x_original = 0.75 + x * 1.5 / 2 = 0.75, 1.5, 2.25.
  expect_near(resize_sizes(x, {3}, a, {0.25f, 0.75f}), {7.5, 15, 22.5});
  // roi [-0.5, 1.5]: x_original = -1.5, 1.5, 4.5; outside -> extrapolation_value.
  a["extrapolation_value"] = test::af(99);
  expect_near(resize_sizes(x, {3}, a, {-0.5f, 1.5f}), {99, 15, 99});
  // Size 1: the roi centre, 0.5 * (0.25 + 0.75) * 3 = 1.5.
  expect_near(resize_sizes(x, {1}, a, {0.25f, 0.75f}), {15});
}

TEST(RefResize, LinearAntialiasDownsample) {
  // 8 -> 4, scale 0.5: the triangle filter is twice as wide; x=0 samples 0.5 with weights
  // 1/8, 3/8, 3/8, 1/8 on indices -1 (edge), 0, 1, 2.
  Tensor x = f32({8}, {0, 1, 2, 3, 4, 5, 6, 7});
  expect_near(resize_sizes(x, {4}, {{"mode", as("linear")}, {"antialias", ai(1)}}), {0.625, 2.5, 4.5, 6.375}, 1e-12);
  // Without antialias: plain 2-tap linear at 0.5, 2.5, 4.5, 6.5.
  expect_near(resize_sizes(x, {4}, {{"mode", as("linear")}}), {0.5, 2.5, 4.5, 6.5}, 1e-12);
}

// ---- cubic --------------------------------------------------------------------------------------
TEST(RefResize, CubicAsymmetric) {
  // 4 -> 8 asymmetric: x_original = x / 2. At 1.5 the a=-0.75 weights are -3/32, 19/32, 19/32, -3/32.
  Tensor x = f32({4}, {1, 2, 4, 8});
  Attrs a = {{"mode", as("cubic")}, {"coordinate_transformation_mode", as("asymmetric")}};
  Tensor y = resize_sizes(x, {8}, a);
  EXPECT_NEAR(y.get_f64(0), 1, 1e-12);
  EXPECT_NEAR(y.get_f64(2), 2, 1e-12);
  EXPECT_NEAR(y.get_f64(3), (-3 * 1 + 19 * 2 + 19 * 4 - 3 * 8) / 32.0, 1e-6);
  // At 0.5 the left neighbour is outside: edge value, or (exclude_outside) dropped and renormalised.
  EXPECT_NEAR(y.get_f64(1), (-3 * 1 + 19 * 1 + 19 * 2 - 3 * 4) / 32.0, 1e-6);
  a["exclude_outside"] = ai(1);
  EXPECT_NEAR(resize_sizes(x, {8}, a).get_f64(1), (19 * 1 + 19 * 2 - 3 * 4) / 35.0, 1e-6);
  // a = -0.5 reproduces a linear ramp away from the edges.
  Tensor ramp = f32({8}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor r = resize_sizes(ramp, {16}, {{"mode", as("cubic")}, {"cubic_coeff_a", test::af(-0.5f)}});
  EXPECT_NEAR(r.get_f64(5), 2.25, 1e-6);
  EXPECT_NEAR(r.get_f64(8), 3.75, 1e-6);
}

// ---- axes, aspect ratio, shapes ----------------------------------------------------------------
TEST(RefResize, AxesAttribute) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  for (int64_t axis : {1, -1}) {
    Tensor y = resize_sizes(
        x, {6},
        {{"axes", ais({axis})}, {"coordinate_transformation_mode", as("asymmetric")}, {"nearest_mode", as("floor")}});
    EXPECT_EQ(y.shape(), (Shape{2, 6}));
    expect_near(y, {1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6});
  }
  Tensor z = resize_scales(x, {2}, {{"axes", ais({0})}});
  EXPECT_EQ(z.shape(), (Shape{4, 3}));
}

TEST(RefResize, KeepAspectRatioPolicy) {
  Tensor x = f32({1, 2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  Attrs a = {{"axes", ais({1, 2})}, {"keep_aspect_ratio_policy", as("not_larger")}};
  EXPECT_EQ(resize_sizes(x, {4, 4}, a).shape(), (Shape{1, 2, 4}));  // scale min(2, 1) = 1
  a["keep_aspect_ratio_policy"] = as("not_smaller");
  Tensor y = resize_sizes(x, {4, 4}, a);  // scale max(2, 1) = 2
  EXPECT_EQ(y.shape(), (Shape{1, 4, 8}));
  EXPECT_NEAR(y.get_f64(7), 3, 0);  // nearest, half_pixel, 2x: row 0, column 7 -> 3
}

TEST(RefResize, ScalesOutputSizeUsesFloatArithmetic) {
  // floor(10 * 0.7f) in float is 7 (in double it would be 6.99999988 -> 6), as ONNX shape inference.
  Tensor x(DType::F32, {10});
  EXPECT_EQ(resize_scales(x, {0.7f}).shape(), (Shape{7}));
}

// ---- integer dtypes -----------------------------------------------------------------------------
TEST(RefResize, IntegerRoundingAndSaturation) {
  Attrs lin = {{"mode", as("linear")}};
  // [0, 2] -> 4: 0, 0.5, 1.5, 2 -> round half to even -> 0, 0, 2, 2.
  EXPECT_EQ(ints(resize_sizes(typed(DType::U8, {2}, {0, 2}), {4}, lin)), (std::vector<int64_t>{0, 0, 2, 2}));
  EXPECT_EQ(ints(resize_sizes(typed(DType::U8, {2}, {0, 255}), {4}, lin)), (std::vector<int64_t>{0, 64, 191, 255}));
  // Cubic overshoot saturates to [0, 255]; 127.5 rounds to the even 128.
  Attrs cub = {{"mode", as("cubic")}, {"coordinate_transformation_mode", as("asymmetric")}};
  Tensor y = resize_sizes(typed(DType::U8, {4}, {0, 0, 255, 255}), {8}, cub);
  EXPECT_EQ(y.dtype(), DType::U8);
  EXPECT_EQ(ints(y), (std::vector<int64_t>{0, 0, 0, 128, 255, 255, 255, 255}));
}

// ---- errors -------------------------------------------------------------------------------------
TEST(RefResize, Errors) {
  Tensor x = m22();
  auto has = [](const std::string& msg, const std::string& what) { return msg.find(what) != std::string::npos; };
  EXPECT_TRUE(has(error_of([&] { resize_scales(x, {1, 1, 2, 2}, {{"mode", as("bilinear")}}); }), "attribute 'mode'"));
  EXPECT_TRUE(has(error_of([&] {
                    resize_scales(x, {1, 1, 2, 2}, {{"coordinate_transformation_mode", as("x")}});
                  }),
                  "attribute 'coordinate_transformation_mode'"));
  EXPECT_TRUE(has(error_of([&] {
                    resize_scales(x, {1, 1, 2, 2}, {{"nearest_mode", as("round")}});
                  }),
                  "attribute 'nearest_mode'"));
  EXPECT_TRUE(has(error_of([&] {
                    resize_scales(x, {1, 1, 2, 2}, {{"keep_aspect_ratio_policy", as("fit")}});
                  }),
                  "attribute 'keep_aspect_ratio_policy'"));
  EXPECT_TRUE(has(error_of([&] { resize_scales(x, {1, 1, 2, 2}, {{"antialias", ai(2)}}); }), "attribute 'antialias'"));
  EXPECT_TRUE(has(error_of([&] { resize_scales(x, {1, 2, 2}); }), "must have 4 values"));
  EXPECT_TRUE(has(error_of([&] { resize_scales(x, {1, 1, -2, 2}); }), "> 0"));
  EXPECT_TRUE(has(error_of([&] { resize_sizes(x, {2, 2}, {{"axes", ais({2, -2})}}); }), "repeated"));
  EXPECT_TRUE(has(error_of([&] { resize_sizes(x, {2}, {{"axes", ais({4})}}); }), "attribute 'axes'"));
  EXPECT_TRUE(has(error_of([&] {
                    resize_sizes(x, {1, 1, 3, 3}, {{"coordinate_transformation_mode", as("tf_crop_and_resize")}});
                  }),
                  "roi"));
  EXPECT_TRUE(has(error_of([&] { run_op("Resize", std::vector<OpInput>{{x, false}}); }), "scales"));
  EXPECT_TRUE(has(error_of([&] {
                    run_op("Resize",
                           std::vector<OpInput>{
                               {x, false}, {}, {f32({4}, {1, 1, 2, 2}), true}, {i64({4}, {1, 1, 4, 4}), true}});
                  }),
                  "only one of"));
}

}  // namespace
}  // namespace fs
