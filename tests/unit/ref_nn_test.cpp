// Hand-checked cases for the nn-family reference kernels, part 1: convolutions and pooling.
#include <array>
#include <cmath>

#include "engine/op_schema.h"
#include "tests/unit/nn_test_util.h"

namespace fs::test {
namespace {

std::vector<float> iotaf(int n, float start = 0) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(start + static_cast<float>(i));
  return v;
}

// ---- Conv ---------------------------------------------------------------------------------

TEST(RefConv, Basic2D) {
  auto y = run_op("Conv", {f32({1, 1, 3, 3}, iotaf(9)), f32({1, 1, 2, 2}, {1, 1, 1, 1})});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 2, 2}));
  expect_near(y[0], {8, 12, 20, 24});
}

TEST(RefConv, PadsAndBias) {
  auto y = run_op("Conv", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 2, 2}, {1, 1, 1, 1}), f32({1}, {10})},
                  {{"pads", ints({1, 1, 1, 1})}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 3, 3}));
  expect_near(y[0], {11, 13, 12, 14, 20, 16, 13, 17, 14});
}

TEST(RefConv, AsymmetricPads) {
  // 1-D: pad 2 at the start, none at the end; kernel [1, 10].
  auto y = run_op("Conv", {f32({1, 1, 3}, {1, 2, 3}), f32({1, 1, 2}, {1, 10})}, {{"pads", ints({2, 0})}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 4}));
  expect_near(y[0], {0, 10, 21, 32});
}

TEST(RefConv, StridesAndDilations1D) {
  // Dilated kernel taps x[2o] and x[2o+2].
  auto y = run_op("Conv", {f32({1, 1, 7}, iotaf(7, 1)), f32({1, 1, 2}, {1, 10})},
                  {{"strides", ints({2})}, {"dilations", ints({2})}});
  expect_near(y[0], {31, 53, 75});
}

TEST(RefConv, Depthwise) {
  auto y = run_op("Conv", {f32({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40}), f32({2, 1, 1, 1}, {2, 3})},
                  {{"group", int_(2)}});
  expect_near(y[0], {2, 4, 6, 8, 30, 60, 90, 120});
}

TEST(RefConv, GroupsWithChannelMultiplier) {
  // group 2, 2 input channels, 4 output channels: outputs 0-1 read channel 0, outputs 2-3 channel 1.
  auto y = run_op("Conv", {f32({1, 2, 1, 1}, {5, 7}), f32({4, 1, 1, 1}, {1, 2, 3, 4})}, {{"group", int_(2)}});
  expect_near(y[0], {5, 10, 21, 28});
}

TEST(RefConv, BatchAndInputChannels) {
  auto y = run_op("Conv", {f32({2, 2, 1, 1}, {1, 2, 3, 4}), f32({1, 2, 1, 1}, {10, 100})});
  expect_near(y[0], {210, 430});
}

TEST(RefConv, AutoPad) {
  Tensor x = f32({1, 1, 4}, {1, 2, 3, 4}), w = f32({1, 1, 2}, {1, 10});
  expect_near(run_op("Conv", {x, w}, {{"auto_pad", str("SAME_UPPER")}})[0], {21, 32, 43, 4});
  expect_near(run_op("Conv", {x, w}, {{"auto_pad", str("SAME_LOWER")}})[0], {10, 21, 32, 43});
  expect_near(run_op("Conv", {x, w}, {{"auto_pad", str("VALID")}})[0], {21, 32, 43});
  // SAME with stride 2: out = ceil(4 / 2) = 2, total pad (2-1)*2 + 2 - 4 = 0.
  expect_near(run_op("Conv", {x, w}, {{"auto_pad", str("SAME_UPPER")}, {"strides", ints({2})}})[0], {21, 43});
}

TEST(RefConv, ThreeD) {
  auto y = run_op("Conv", {f32({1, 1, 2, 2, 2}, iotaf(8, 1)), f32({1, 1, 2, 2, 2}, std::vector<float>(8, 1))},
                  {{"kernel_shape", ints({2, 2, 2})}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 1, 1, 1}));
  expect_near(y[0], {36});
}

TEST(RefConv, ConstantWeights) {
  auto y = run_op("Conv",
                  std::vector<OpInput>{{f32({1, 1, 3, 3}, iotaf(9)), false}, {f32({1, 1, 2, 2}, {1, 1, 1, 1}), true}});
  expect_near(y[0], {8, 12, 20, 24});
}

TEST(RefConv, AccumulatesInDoubleAndRoundsOnce) {
  // float32: 2^24 + 1 + 1 accumulated in float32 stays 2^24; exact 2^24 + 2 is representable.
  auto y = run_op("Conv", {f32({1, 1, 2}, {16777216.f, 1}), f32({1, 1, 2}, {1, 1}), f32({1}, {1})});
  EXPECT_EQ(y[0].get_f64(0), 16777218.0);
  // float16: 2048 + 1 + 1 (spacing 2 at 2048) -> exactly 2050.
  auto h = run_op("Conv", {make(DType::F16, {1, 1, 3}, {2048, 1, 1}), make(DType::F16, {1, 1, 3}, {1, 1, 1})});
  EXPECT_EQ(h[0].dtype(), DType::F16);
  EXPECT_EQ(h[0].get_f64(0), 2050.0);
  auto d = run_op("Conv", {f64({1, 1, 2}, {0.1, 0.2}), f64({1, 1, 2}, {1, 1})});
  EXPECT_EQ(d[0].get_f64(0), 0.1 + 0.2);
}

TEST(RefConv, Errors) {
  Tensor x = f32({1, 2, 3, 3}, std::vector<float>(18, 1)), w = f32({1, 2, 2, 2}, std::vector<float>(8, 1));
  EXPECT_FS_ERROR(run_op("Conv", {x, w}, {{"pads", ints({1, 1, 1})}}), "attribute 'pads': expected 4 values, got 3");
  EXPECT_FS_ERROR(run_op("Conv", {x, w}, {{"strides", ints({0, 1})}}), "attribute 'strides'");
  EXPECT_FS_ERROR(run_op("Conv", {x, w}, {{"auto_pad", str("SAME")}}), "attribute 'auto_pad': unknown value 'SAME'");
  EXPECT_FS_ERROR(run_op("Conv", {x, w}, {{"kernel_shape", ints({3, 3})}}), "attribute 'kernel_shape'");
  EXPECT_FS_ERROR(run_op("Conv", {x, w}, {{"group", int_(2)}}), "dimension 1 times group");
  EXPECT_FS_ERROR(run_op("Conv", {x, w, f32({2}, {1, 2})}), "must have shape [1]");
  EXPECT_FS_ERROR(run_op("Conv", {x, f32({1, 2, 4, 4}, std::vector<float>(32, 1))}), "kernel extent 4");
  EXPECT_FS_ERROR(run_op("Conv", {i32({1, 1, 2}, {1, 2}), i32({1, 1, 1}, {1})}), "dtype int32 is not allowed");
  EXPECT_FS_ERROR(run_op("Conv", {x, f32({1, 2, 0, 2}, {})}), "empty spatial dimension");
  EXPECT_FS_ERROR(run_op("Conv", {x, w}, {{"pads", ints({1, 1, 1, 1})}, {"auto_pad", str("VALID")}}),
                  "cannot be combined with auto_pad");
}

// ---- Conv / ConvTranspose against the textbook formulas ----------------------------------

// Deterministic values in [-1, 1).
std::vector<double> pseudo_random(int64_t n, uint32_t seed) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v.push_back(static_cast<double>(seed >> 8) / static_cast<double>(1u << 23) - 1.0);
  }
  return v;
}

struct ConvCase {
  int64_t n, c, m, group;
  Shape in, k;
  std::vector<int64_t> strides, dilations, pads;  // pads: begins then ends
};

int64_t numel(const Shape& s) {
  int64_t p = 1;
  for (int64_t d : s) p *= d;
  return p;
}

// Spatial dims padded on the left to 3 (unit dims, zero pads) so one set of loops covers 1-D to 3-D.
std::array<int64_t, 3> pad3(const std::vector<int64_t>& v, int64_t fill) {
  std::array<int64_t, 3> r{fill, fill, fill};
  for (size_t i = 0; i < v.size(); ++i) r[3 - v.size() + i] = v[i];
  return r;
}

TEST(RefConv, MatchesTextbookFormula) {
  std::vector<ConvCase> cases{
      {2, 3, 4, 1, {9}, {3}, {2}, {2}, {1, 2}},
      {1, 4, 6, 2, {7, 6}, {3, 2}, {2, 1}, {1, 2}, {1, 0, 2, 1}},
      {1, 4, 4, 4, {5, 5}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}},
      {1, 2, 3, 1, {4, 5, 3}, {2, 3, 2}, {1, 2, 1}, {2, 1, 1}, {0, 1, 1, 1, 0, 0}},
  };
  uint32_t seed = 1;
  for (const ConvCase& cc : cases) {
    const size_t r = cc.in.size();
    Shape xs{cc.n, cc.c}, ws{cc.m, cc.c / cc.group};
    xs.insert(xs.end(), cc.in.begin(), cc.in.end());
    ws.insert(ws.end(), cc.k.begin(), cc.k.end());
    std::vector<double> x = pseudo_random(numel(xs), seed++), w = pseudo_random(numel(ws), seed++);
    std::vector<double> b = pseudo_random(cc.m, seed++);
    auto y = run_op("Conv", {f64(xs, x), f64(ws, w), f64({cc.m}, b)},
                    {{"group", int_(cc.group)},
                     {"strides", ints(cc.strides)},
                     {"dilations", ints(cc.dilations)},
                     {"pads", ints(cc.pads)}});
    auto in = pad3(cc.in, 1), k = pad3(cc.k, 1), s = pad3(cc.strides, 1), d = pad3(cc.dilations, 1);
    auto pb = pad3(std::vector<int64_t>(cc.pads.begin(), cc.pads.begin() + r), 0);
    auto pe = pad3(std::vector<int64_t>(cc.pads.begin() + r, cc.pads.end()), 0);
    std::array<int64_t, 3> out;
    for (int i = 0; i < 3; ++i) out[i] = (in[i] + pb[i] + pe[i] - (k[i] - 1) * d[i] - 1) / s[i] + 1;
    std::vector<double> expected;
    const int64_t cg = cc.c / cc.group, mg = cc.m / cc.group;
    for (int64_t n = 0; n < cc.n; ++n)
      for (int64_t m = 0; m < cc.m; ++m)
        for (int64_t o0 = 0; o0 < out[0]; ++o0)
          for (int64_t o1 = 0; o1 < out[1]; ++o1)
            for (int64_t o2 = 0; o2 < out[2]; ++o2) {
              double acc = 0;
              for (int64_t c = 0; c < cg; ++c)
                for (int64_t k0 = 0; k0 < k[0]; ++k0)
                  for (int64_t k1 = 0; k1 < k[1]; ++k1)
                    for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                      int64_t i0 = o0 * s[0] - pb[0] + k0 * d[0], i1 = o1 * s[1] - pb[1] + k1 * d[1];
                      int64_t i2 = o2 * s[2] - pb[2] + k2 * d[2];
                      if (i0 < 0 || i0 >= in[0] || i1 < 0 || i1 >= in[1] || i2 < 0 || i2 >= in[2]) continue;
                      int64_t ci = (m / mg) * cg + c;
                      acc += x[(((n * cc.c + ci) * in[0] + i0) * in[1] + i1) * in[2] + i2] *
                             w[(((m * cg + c) * k[0] + k0) * k[1] + k1) * k[2] + k2];
                    }
              expected.push_back(acc + b[m]);
            }
    ASSERT_EQ(y[0].numel(), static_cast<int64_t>(expected.size())) << "case with " << r << " spatial dims";
    expect_near(y[0], expected, 1e-12, 1e-12);
  }
}

TEST(RefConvTranspose, MatchesTextbookFormula) {
  // (n, c, m, group, in, k, strides, dilations, pads); output_padding 1 on the last dim.
  std::vector<ConvCase> cases{
      {2, 3, 2, 1, {4}, {3}, {2}, {1}, {1, 0}},
      {1, 4, 6, 2, {3, 4}, {3, 2}, {2, 3}, {2, 1}, {1, 0, 0, 1}},
      {1, 2, 2, 2, {2, 3, 2}, {2, 2, 3}, {2, 1, 2}, {1, 2, 1}, {0, 1, 0, 1, 0, 1}},
  };
  uint32_t seed = 100;
  for (const ConvCase& cc : cases) {
    const size_t r = cc.in.size();
    Shape xs{cc.n, cc.c}, ws{cc.c, cc.m / cc.group};
    xs.insert(xs.end(), cc.in.begin(), cc.in.end());
    ws.insert(ws.end(), cc.k.begin(), cc.k.end());
    std::vector<double> x = pseudo_random(numel(xs), seed++), w = pseudo_random(numel(ws), seed++);
    std::vector<double> b = pseudo_random(cc.m, seed++);
    std::vector<int64_t> op(r, 0);
    op.back() = 1;
    auto y = run_op("ConvTranspose", {f64(xs, x), f64(ws, w), f64({cc.m}, b)},
                    {{"group", int_(cc.group)},
                     {"strides", ints(cc.strides)},
                     {"dilations", ints(cc.dilations)},
                     {"pads", ints(cc.pads)},
                     {"output_padding", ints(op)}});
    auto in = pad3(cc.in, 1), k = pad3(cc.k, 1), s = pad3(cc.strides, 1), d = pad3(cc.dilations, 1);
    auto opad = pad3(op, 0);
    auto pb = pad3(std::vector<int64_t>(cc.pads.begin(), cc.pads.begin() + r), 0);
    auto pe = pad3(std::vector<int64_t>(cc.pads.begin() + r, cc.pads.end()), 0);
    std::array<int64_t, 3> out;
    for (int i = 0; i < 3; ++i) out[i] = s[i] * (in[i] - 1) + opad[i] + (k[i] - 1) * d[i] + 1 - pb[i] - pe[i];
    // Gather form: y[o] = sum over (c, taps t) of x[i] * w[c][m][t] where i * s - pb + t * d == o.
    std::vector<double> expected;
    const int64_t cg = cc.c / cc.group, mg = cc.m / cc.group;
    for (int64_t n = 0; n < cc.n; ++n)
      for (int64_t m = 0; m < cc.m; ++m)
        for (int64_t o0 = 0; o0 < out[0]; ++o0)
          for (int64_t o1 = 0; o1 < out[1]; ++o1)
            for (int64_t o2 = 0; o2 < out[2]; ++o2) {
              double acc = b[m];
              for (int64_t c = (m / mg) * cg; c < (m / mg + 1) * cg; ++c)
                for (int64_t k0 = 0; k0 < k[0]; ++k0)
                  for (int64_t k1 = 0; k1 < k[1]; ++k1)
                    for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                      int64_t t0 = o0 + pb[0] - k0 * d[0], t1 = o1 + pb[1] - k1 * d[1], t2 = o2 + pb[2] - k2 * d[2];
                      if (t0 % s[0] || t1 % s[1] || t2 % s[2]) continue;
                      int64_t i0 = t0 / s[0], i1 = t1 / s[1], i2 = t2 / s[2];
                      if (i0 < 0 || i0 >= in[0] || i1 < 0 || i1 >= in[1] || i2 < 0 || i2 >= in[2]) continue;
                      acc += x[(((n * cc.c + c) * in[0] + i0) * in[1] + i1) * in[2] + i2] *
                             w[(((c * mg + m % mg) * k[0] + k0) * k[1] + k1) * k[2] + k2];
                    }
              expected.push_back(acc);
            }
    ASSERT_EQ(y[0].numel(), static_cast<int64_t>(expected.size())) << "case with " << r << " spatial dims";
    expect_near(y[0], expected, 1e-12, 1e-12);
  }
}

TEST(RefConv, Flops) {
  const OpSchema* s = OpRegistry::instance().find("Conv");
  Node n;
  n.op_type = "Conv";
  // [1,8,10,10] conv [16,4,3,3] group 2 -> [1,16,8,8]: 2 * 16*64 outputs * 4*9 MACs each.
  int64_t f = s->flops(n, {{DType::F32, {1, 8, 10, 10}}, {DType::F32, {16, 4, 3, 3}}}, {{DType::F32, {1, 16, 8, 8}}});
  EXPECT_EQ(f, 2 * 16 * 64 * 36);
}

// ---- ConvTranspose ------------------------------------------------------------------------

TEST(RefConvTranspose, OneD) {
  Tensor x = f32({1, 1, 3}, {1, 2, 3}), w = f32({1, 1, 3}, {1, 1, 1});
  expect_near(run_op("ConvTranspose", {x, w})[0], {1, 3, 6, 5, 3});
  expect_near(run_op("ConvTranspose", {x, w}, {{"strides", ints({2})}})[0], {1, 1, 3, 2, 5, 3, 3});
  expect_near(run_op("ConvTranspose", {x, w}, {{"strides", ints({2})}, {"pads", ints({1, 1})}})[0], {1, 3, 2, 5, 3});
  auto y = run_op("ConvTranspose", {x, w, f32({1}, {10})}, {{"strides", ints({2})}, {"output_padding", ints({1})}});
  expect_near(y[0], {11, 11, 13, 12, 15, 13, 13, 10});
}

TEST(RefConvTranspose, OutputShapeAndAutoPad) {
  Tensor x = f32({1, 1, 3}, {1, 2, 3}), w = f32({1, 1, 3}, {1, 1, 1});
  // Full output is 7 long; asking for 8 appends a position that only the bias reaches.
  expect_near(run_op("ConvTranspose", {x, w}, {{"strides", ints({2})}, {"output_shape", ints({8})}})[0],
              {1, 1, 3, 2, 5, 3, 3, 0});
  // Asking for 6 trims one position; NOTSET puts the odd padding at the start.
  expect_near(run_op("ConvTranspose", {x, w}, {{"strides", ints({2})}, {"output_shape", ints({6})}})[0],
              {1, 3, 2, 5, 3, 3});
  // SAME_UPPER: out = in * stride = 6, the odd padding at the end.
  expect_near(run_op("ConvTranspose", {x, w}, {{"strides", ints({2})}, {"auto_pad", str("SAME_UPPER")}})[0],
              {1, 1, 3, 2, 5, 3});
  expect_near(run_op("ConvTranspose", {x, w}, {{"strides", ints({2})}, {"auto_pad", str("SAME_LOWER")}})[0],
              {1, 3, 2, 5, 3, 3});
}

TEST(RefConvTranspose, ChannelsGroupsDilations) {
  // W [C=2, M=2, 1], group 1: y_m = sum_c x_c * w[c][m].
  expect_near(run_op("ConvTranspose", {f32({1, 2, 1}, {1, 2}), f32({2, 2, 1}, {1, 2, 3, 4})})[0], {7, 10});
  // group 2: each channel to its own output.
  auto y = run_op("ConvTranspose", {f32({1, 2, 1}, {1, 2}), f32({2, 1, 2}, {1, 2, 3, 4})}, {{"group", int_(2)}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 2, 2}));
  expect_near(y[0], {1, 2, 6, 8});
  expect_near(run_op("ConvTranspose", {f32({1, 1, 2}, {1, 2}), f32({1, 1, 2}, {1, 1})}, {{"dilations", ints({2})}})[0],
              {1, 2, 1, 2});
  // 2-D, stride 2: each input pixel paints a 2x2 block.
  expect_near(run_op("ConvTranspose", {f32({1, 1, 1, 2}, {1, 2}), f32({1, 1, 2, 2}, {1, 2, 3, 4})},
                     {{"strides", ints({2, 2})}})[0],
              {1, 2, 2, 4, 3, 4, 6, 8});
}

TEST(RefConvTranspose, Errors) {
  Tensor x = f32({1, 1, 3}, {1, 2, 3}), w = f32({1, 1, 3}, {1, 1, 1});
  EXPECT_FS_ERROR(run_op("ConvTranspose", {x, w}, {{"output_shape", ints({4, 4})}}), "attribute 'output_shape'");
  EXPECT_FS_ERROR(run_op("ConvTranspose", {x, f32({2, 1, 3}, std::vector<float>(6, 1))}),
                  "must equal the input channels");
  EXPECT_FS_ERROR(run_op("ConvTranspose", {x, w}, {{"output_padding", ints({-1})}}), "attribute 'output_padding'");
}

// ---- ConvInteger / QLinearConv ------------------------------------------------------------

TEST(RefConvInteger, ZeroPoints) {
  auto y = run_op("ConvInteger", {u8({1, 1, 2, 2}, {1, 2, 3, 4}), u8({1, 1, 2, 2}, {1, 1, 1, 1}), u8({}, {1})});
  EXPECT_EQ(y[0].dtype(), DType::I32);
  expect_near(y[0], {6});
  // Per-output-channel weight zero point; no x zero point.
  auto yc =
      run_op("ConvInteger",
             std::vector<OpInput>{{u8({1, 1, 1, 1}, {4})}, {u8({2, 1, 1, 1}, {3, 5})}, {Tensor()}, {u8({2}, {1, 2})}});
  expect_near(yc[0], {8, 12});
  expect_near(run_op("ConvInteger", {i8({1, 1, 1, 1}, {-3}), i8({1, 1, 1, 1}, {-2})})[0], {6});
  // Padding contributes zero (x - x_zero_point = 0 there).
  auto yp = run_op("ConvInteger", {u8({1, 1, 1, 1}, {5}), u8({1, 1, 1, 1}, {2}), u8({}, {1})},
                   {{"pads", ints({1, 0, 0, 0})}});
  expect_near(yp[0], {0, 8});
  EXPECT_FS_ERROR(run_op("ConvInteger", {u8({1, 1, 1, 1}, {5}), u8({1, 1, 1, 1}, {2})}, {{"group", int_(2)}}),
                  "attribute 'group'");
}

TEST(RefQLinearConv, Requantizes) {
  // x - zp = [0,1,2,3], w = 2 (scale 0.5): acc 12, real 6, /y_scale 2 = 3, + y_zp 5 = 8.
  std::vector<Tensor> in{u8({1, 1, 2, 2}, {1, 2, 3, 4}),
                         f32({}, {1}),
                         u8({}, {1}),
                         u8({1, 1, 2, 2}, {2, 2, 2, 2}),
                         f32({}, {0.5f}),
                         u8({}, {0}),
                         f32({}, {2}),
                         u8({}, {5})};
  auto y = run_op("QLinearConv", in);
  EXPECT_EQ(y[0].dtype(), DType::U8);
  expect_near(y[0], {8});
  // Bias 3: acc 15, real 7.5, 3.75 -> 4, + 5 = 9.
  in.push_back(i32({1}, {3}));
  expect_near(run_op("QLinearConv", in)[0], {9});
}

TEST(RefQLinearConv, PerChannelPaddingSaturation) {
  std::vector<Tensor> in{u8({1, 1, 1, 1}, {5}), f32({}, {1}),    u8({}, {0}),  u8({2, 1, 1, 1}, {1, 1}),
                         f32({2}, {1, 3}),      u8({2}, {0, 0}), f32({}, {1}), u8({}, {0})};
  expect_near(run_op("QLinearConv", in)[0], {5, 15});
  std::vector<Tensor> pad{u8({1, 1, 1, 1}, {3}), f32({}, {1}), u8({}, {1}),  u8({1, 1, 1, 1}, {1}),
                          f32({}, {1}),          u8({}, {0}),  f32({}, {1}), u8({}, {7})};
  expect_near(run_op("QLinearConv", pad, {{"pads", ints({1, 1, 1, 1})}})[0], {7, 7, 7, 7, 9, 7, 7, 7, 7});
  // int8 output saturates: real 100 / 0.5 = 200 -> 127.
  std::vector<Tensor> sat{u8({1, 1, 1, 1}, {100}), f32({}, {1}), u8({}, {0}),
                          u8({1, 1, 1, 1}, {1}),   f32({}, {1}), u8({}, {0}),
                          f32({}, {0.5f}),         i8({}, {0})};
  auto y = run_op("QLinearConv", sat);
  EXPECT_EQ(y[0].dtype(), DType::I8);
  expect_near(y[0], {127});
  EXPECT_FS_ERROR(run_op("QLinearConv", sat, {{"auto_pad", str("FULL")}}), "attribute 'auto_pad'");
}

// ---- pooling ------------------------------------------------------------------------------

TEST(RefAveragePool, Basic) {
  expect_near(run_op("AveragePool", {f32({1, 1, 3, 3}, iotaf(9, 1))}, {{"kernel_shape", ints({2, 2})}})[0],
              {3, 4, 6, 7});
}

TEST(RefAveragePool, CountIncludePad) {
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  std::map<std::string, Attribute> a{{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}};
  expect_near(run_op("AveragePool", {x}, a)[0], {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  a["count_include_pad"] = int_(1);
  expect_near(run_op("AveragePool", {x}, a)[0], {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1});
}

TEST(RefAveragePool, CeilModeDilationsAutoPad) {
  Tensor x = f32({1, 1, 5}, iotaf(5, 1));
  expect_near(run_op("AveragePool", {x}, {{"kernel_shape", ints({2})}, {"strides", ints({2})}})[0], {1.5, 3.5});
  // The last window holds only x[4]; its divisor counts taps inside input + explicit pads only.
  expect_near(
      run_op("AveragePool", {x}, {{"kernel_shape", ints({2})}, {"strides", ints({2})}, {"ceil_mode", int_(1)}})[0],
      {1.5, 3.5, 5});
  expect_near(run_op("AveragePool", {x},
                     {{"kernel_shape", ints({2})},
                      {"strides", ints({2})},
                      {"ceil_mode", int_(1)},
                      {"count_include_pad", int_(1)}})[0],
              {1.5, 3.5, 5});
  // ceil_mode never starts a window in the end padding: in 4, k 1, s 2, pads [0,1] -> 2 outputs.
  auto y =
      run_op("AveragePool", {f32({1, 1, 4}, {1, 2, 3, 4})},
             {{"kernel_shape", ints({1})}, {"strides", ints({2})}, {"pads", ints({0, 1})}, {"ceil_mode", int_(1)}});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 2}));
  expect_near(y[0], {1, 3});
  expect_near(run_op("AveragePool", {x}, {{"kernel_shape", ints({2})}, {"dilations", ints({2})}})[0], {2, 3, 4});
  expect_near(run_op("AveragePool", {f32({1, 1, 3}, {1, 2, 3})},
                     {{"kernel_shape", ints({2})}, {"auto_pad", str("SAME_UPPER")}})[0],
              {1.5, 2.5, 3});
}

TEST(RefAveragePool, Errors) {
  Tensor x = f32({1, 1, 3, 3}, iotaf(9));
  EXPECT_FS_ERROR(run_op("AveragePool", {x}), "attribute 'kernel_shape': required attribute is missing");
  EXPECT_FS_ERROR(run_op("AveragePool", {x}, {{"kernel_shape", ints({2})}}),
                  "attribute 'kernel_shape': expected 2 values");
  EXPECT_FS_ERROR(run_op("AveragePool", {x}, {{"kernel_shape", ints({2, 2})}, {"ceil_mode", int_(2)}}),
                  "attribute 'ceil_mode'");
  EXPECT_FS_ERROR(run_op("AveragePool", {x}, {{"kernel_shape", ints({2, 2})}, {"count_include_pad", int_(-1)}}),
                  "attribute 'count_include_pad'");
}

TEST(RefMaxPool, ValuesAndIndices) {
  auto y = run_op("MaxPool", {f32({1, 1, 3, 3}, iotaf(9, 1))}, {{"kernel_shape", ints({2, 2})}}, 2);
  expect_near(y[0], {5, 6, 8, 9});
  EXPECT_EQ(y[1].dtype(), DType::I64);
  expect_near(y[1], {4, 5, 7, 8});
  // Column-major spatial index: (h, w) -> h + w * H.
  auto c = run_op("MaxPool", {f32({1, 1, 3, 3}, iotaf(9, 1))},
                  {{"kernel_shape", ints({2, 2})}, {"storage_order", int_(1)}}, 2);
  expect_near(c[1], {4, 7, 5, 8});
  // Indices include the (n, c) plane offset; ties keep the first maximum.
  auto p = run_op("MaxPool", {f32({1, 2, 1, 2}, {1, 2, 4, 4})}, {{"kernel_shape", ints({1, 2})}}, 2);
  expect_near(p[0], {2, 4});
  expect_near(p[1], {1, 2});
}

TEST(RefMaxPool, PaddingDilationsUint8) {
  auto y = run_op("MaxPool", {f32({1, 1, 2, 2}, {-1, -2, -3, -4})},
                  {{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}});
  expect_near(y[0], {-1, -1, -2, -1, -1, -2, -3, -3, -4});
  auto d =
      run_op("MaxPool", {f32({1, 1, 5}, {1, 5, 2, 4, 3})}, {{"kernel_shape", ints({2})}, {"dilations", ints({2})}}, 2);
  expect_near(d[0], {2, 5, 3});
  expect_near(d[1], {2, 1, 4});
  auto u = run_op("MaxPool", {u8({1, 1, 1, 4}, {5, 200, 7, 255})},
                  {{"kernel_shape", ints({1, 2})}, {"strides", ints({1, 2})}});
  EXPECT_EQ(u[0].dtype(), DType::U8);
  expect_near(u[0], {200, 255});
  auto n = run_op("MaxPool", {f32({1, 1, 3}, {1, NAN, 2})}, {{"kernel_shape", ints({2})}});
  EXPECT_TRUE(std::isnan(n[0].get_f64(0)) && std::isnan(n[0].get_f64(1)));
}

TEST(RefMaxPool, Errors) {
  Tensor x = f32({1, 1, 3, 3}, iotaf(9));
  EXPECT_FS_ERROR(run_op("MaxPool", {x}, {{"kernel_shape", ints({2, 2})}, {"storage_order", int_(2)}}),
                  "attribute 'storage_order'");
  EXPECT_FS_ERROR(run_op("MaxPool", {x}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({1})}}),
                  "attribute 'strides'");
  EXPECT_FS_ERROR(run_op("MaxPool", {f32({3, 3}, iotaf(9))}, {{"kernel_shape", ints({2})}}), "rank >= 3");
}

TEST(RefGlobalPool, AverageAndMax) {
  Tensor x = f32({1, 2, 2, 2}, iotaf(8, 1));
  auto a = run_op("GlobalAveragePool", {x});
  EXPECT_EQ(a[0].shape(), (Shape{1, 2, 1, 1}));
  expect_near(a[0], {2.5, 6.5});
  expect_near(run_op("GlobalMaxPool", {x})[0], {4, 8});
  expect_near(run_op("GlobalMaxPool", {f32({1, 1, 3}, {-5, -1, -3})})[0], {-1});
  EXPECT_FS_ERROR(run_op("GlobalAveragePool", {i32({1, 1, 2}, {1, 2})}), "dtype int32 is not allowed");
}

TEST(RefLpPool, Norms) {
  Tensor x = f32({1, 1, 2}, {3, -4});
  expect_near(run_op("LpPool", {x}, {{"kernel_shape", ints({2})}})[0], {5});
  expect_near(run_op("LpPool", {x}, {{"kernel_shape", ints({2})}, {"p", int_(1)}})[0], {7});
  EXPECT_FS_ERROR(run_op("LpPool", {x}, {{"kernel_shape", ints({2})}, {"p", int_(0)}}), "attribute 'p'");
}

TEST(RefPool, Flops) {
  Node n;
  n.op_type = "MaxPool";
  n.attrs["kernel_shape"] = ints({3, 3});
  const OpSchema* s = OpRegistry::instance().find("MaxPool");
  EXPECT_EQ(s->flops(n, {{DType::F32, {1, 4, 8, 8}}}, {{DType::F32, {1, 4, 4, 4}}}), 64 * 9);
}

}  // namespace
}  // namespace fs::test
