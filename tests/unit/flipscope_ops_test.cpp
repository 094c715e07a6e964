// Tests of the flipscope custom-domain ops (FusedConv, FusedGemm, FusedMulAdd, ApproxUnary,
// ApproxSoftmax, RoundTo): schema errors, hand-checked cases, cpu vs reference on random data,
// Winograd accuracy, SLEEF ULP bounds over dense sweeps and bit-exact fp16 / bf16 rounding.
#include <bit>
#include <cmath>
#include <cstring>

#include "engine/error.h"
#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

using Attrs = std::map<std::string, Attribute>;

Attribute a_floats(std::vector<float> v) { return Attribute::make_floats(std::move(v)); }

std::vector<Tensor> run(const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs,
                        const std::string& backend, int threads = 1) {
  std::vector<OpInput> fed;
  for (const Tensor& t : in) fed.push_back({t, false});
  return run_node(op, fed, attrs, 1, backend, threads);
}

// ---- schema errors ---------------------------------------------------------------------------

std::string error_of(const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs) {
  try {
    run(op, in, attrs, "reference");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FlipscopeOps, SchemaErrors) {
  Tensor x = random_f32({1, 2, 8, 8}, 1), w3 = random_f32({4, 2, 3, 3}, 2), w5 = random_f32({4, 2, 5, 5}, 3);
  auto has = [](const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; };
  std::string e = error_of("flipscope.FusedConv", {x, w3}, {{"activation", a_str("Gelu")}});
  EXPECT_TRUE(has(e, "'activation'") && has(e, "Gelu")) << e;
  e = error_of("flipscope.FusedConv", {x, w3}, {{"activation", a_str("Clip")}, {"activation_params", a_floats({1})}});
  EXPECT_TRUE(has(e, "'activation_params'") && has(e, "takes 2")) << e;
  e = error_of("flipscope.FusedConv", {x, w3}, {{"activation", a_str("Relu")}, {"activation_params", a_floats({1})}});
  EXPECT_TRUE(has(e, "'activation_params'")) << e;
  e = error_of("flipscope.FusedConv", {x, w5}, {{"algorithm", a_str("winograd")}});
  EXPECT_TRUE(has(e, "'algorithm'") && has(e, "3x3") && has(e, "n0")) << e;
  e = error_of("flipscope.FusedConv", {x, w3}, {{"algorithm", a_str("winograd")}, {"strides", a_ints({2, 2})}});
  EXPECT_TRUE(has(e, "strides must be 1")) << e;
  e = error_of("flipscope.FusedConv", {random_f32({1, 4, 8, 8}, 4), w3},
               {{"algorithm", a_str("winograd")}, {"group", a_int(2)}});
  EXPECT_TRUE(has(e, "grouped")) << e;
  e = error_of("flipscope.FusedConv", {x, w3}, {{"algorithm", a_str("fft")}});
  EXPECT_TRUE(has(e, "'algorithm'")) << e;
  e = error_of("flipscope.FusedConv", {x, w3}, {{"algorithm", a_str("winograd")}, {"winograd_tile", a_int(3)}});
  EXPECT_TRUE(has(e, "'winograd_tile'")) << e;
  e = error_of("flipscope.FusedConv", {x, w3, Tensor(), random_f32({1, 4, 5, 6}, 5)}, {});
  EXPECT_TRUE(has(e, "residual")) << e;
  e = error_of("flipscope.FusedGemm", {random_f32({2, 3}, 1), random_f32({3, 2}, 2)}, {{"activation", a_str("Elu")}});
  EXPECT_TRUE(has(e, "'activation'")) << e;
  e = error_of("flipscope.ApproxUnary", {x}, {{"function", a_str("Cos")}});
  EXPECT_TRUE(has(e, "'function'")) << e;
  e = error_of("flipscope.RoundTo", {x}, {{"dtype", a_str("fp8")}});
  EXPECT_TRUE(has(e, "'dtype'")) << e;
}

// ---- FusedConv -------------------------------------------------------------------------------

TEST(FlipscopeOps, FlopsAsBaseOps) {
  Node conv;
  conv.name = "c";
  conv.op_type = "Conv";
  conv.attrs = {{"pads", a_ints({1, 1, 1, 1})}};
  Node fused = conv;
  fused.op_type = "flipscope.FusedConv";
  fused.attrs["activation"] = a_str("Relu");
  const std::vector<TensorType> in = {{DType::F32, {1, 8, 10, 10}}, {DType::F32, {16, 8, 3, 3}}};
  const std::vector<TensorType> out = {{DType::F32, {1, 16, 10, 10}}};
  EXPECT_EQ(node_flops(fused, in, out), 2 * 16 * 100 * 8 * 9);
  EXPECT_EQ(node_flops(fused, in, out), node_flops(conv, in, out));
  Node gemm;
  gemm.op_type = "flipscope.FusedGemm";
  EXPECT_EQ(node_flops(gemm, {{DType::F32, {4, 5}}, {DType::F32, {5, 6}}}, {{DType::F32, {4, 6}}}), 2 * 4 * 6 * 5);
}

// X = 1..9 (3x3), W = ones (2x2), B = -20: the conv gives [12, 16, 24, 28], + B = [-8, -4, 4, 8].
TEST(FlipscopeOps, FusedConvHandChecked) {
  Tensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), w = f32({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor b = f32({1}, {-20}), z = f32({1, 1, 2, 2}, {1, 1, 1, 1});
  struct Case {
    std::string act;
    std::vector<float> params;
    bool residual;
    std::vector<double> want;
  };
  const std::vector<Case> cases = {
      {"", {}, false, {-8, -4, 4, 8}},
      {"Relu", {}, false, {0, 0, 4, 8}},
      {"Relu", {}, true, {0, 0, 5, 9}},
      {"LeakyRelu", {0.5f}, false, {-4, -2, 4, 8}},
      {"LeakyRelu", {}, false, {-0.08, -0.04, 4, 8}},
      {"Clip", {-5, 5}, false, {-5, -4, 4, 5}},
      {"HardSigmoid", {0.1f, 0.5f}, false, {0, 0.1, 0.9, 1}},
      {"HardSwish", {}, true, {0, 0, 5, 9}},
      {"HardSwish", {}, false, {0, 0, 4, 8}},
      {"Sigmoid",
       {},
       false,
       {1 / (1 + std::exp(8.0)), 1 / (1 + std::exp(4.0)), 1 / (1 + std::exp(-4.0)), 1 / (1 + std::exp(-8.0))}},
      {"Tanh", {}, true, {std::tanh(-7.0), std::tanh(-3.0), std::tanh(5.0), std::tanh(9.0)}},
  };
  for (const std::string backend : {"reference", "cpu"})
    for (const std::string algo : {"auto", "direct", "im2col"})
      for (const Case& c : cases) {
        Attrs attrs{{"activation", a_str(c.act)}, {"algorithm", a_str(algo)}};
        if (!c.params.empty()) attrs["activation_params"] = a_floats(c.params);
        std::vector<Tensor> in = {x, w, b};
        if (c.residual) in.push_back(z);
        SCOPED_TRACE(backend + " " + algo + " " + c.act + (c.residual ? " +Z" : ""));
        expect_near(run("flipscope.FusedConv", in, attrs, backend)[0], c.want, 1e-6, 1e-6);
      }
}

// HardSwish between the kinks: x = -1 gives -1 * (-1/6 + 1/2) = -1/3.
TEST(FlipscopeOps, FusedConvHardSwishMiddle) {
  Tensor x = f32({1, 1, 1, 1}, {-1}), w = f32({1, 1, 1, 1}, {1});
  for (const std::string backend : {"reference", "cpu"})
    expect_near(run("flipscope.FusedConv", {x, w}, {{"activation", a_str("HardSwish")}}, backend)[0], {-1.0 / 3});
}

struct ConvShape {
  Shape x, w;
  Attrs attrs;
};

std::vector<ConvShape> conv_shapes() {
  return {
      {{1, 3, 7, 9}, {5, 3, 3, 3}, {{"pads", a_ints({1, 1, 1, 1})}}},
      {{2, 13, 11, 13}, {24, 13, 3, 3}, {{"pads", a_ints({1, 0, 2, 1})}}},
      {{1, 24, 9, 9}, {13, 24, 1, 1}, {}},
      {{2, 4, 12, 10}, {6, 4, 3, 3}, {{"strides", a_ints({2, 2})}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{1, 6, 13, 13}, {6, 1, 3, 3}, {{"group", a_int(6)}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{1, 4, 10, 10}, {4, 2, 3, 3}, {{"group", a_int(2)}, {"dilations", a_ints({2, 2})}}},
      {{3, 2, 5, 6}, {3, 2, 5, 5}, {{"pads", a_ints({2, 2, 2, 2})}}},
      {{2, 3, 17}, {4, 3, 3}, {{"pads", a_ints({1, 1})}}},  // 1-D: auto / im2col only
  };
}

// Output shape of a FusedConv case (via the reference run).
Shape conv_out_shape(const ConvShape& s) {
  return run("Conv", {random_f32(s.x, 1), random_f32(s.w, 2)}, s.attrs, "reference")[0].shape();
}

const std::vector<std::pair<std::string, std::vector<float>>> kActivations = {
    {"", {}},        {"Relu", {}},        {"Clip", {-0.5f, 0.75f}}, {"LeakyRelu", {0.1f}},
    {"Sigmoid", {}}, {"HardSigmoid", {}}, {"HardSwish", {}},        {"Tanh", {}}};

TEST(FlipscopeOps, FusedConvCpuMatchesReference) {
  int seed = 10, k = 0;
  for (const ConvShape& s : conv_shapes()) {
    const Shape ys = conv_out_shape(s);
    const int64_t m = s.w[0];
    for (const std::string algo : {"auto", "direct", "im2col"}) {
      if (algo == "direct" && s.x.size() != 4) continue;
      // Every activation, with bias and residual switched on and off in turn.
      for (size_t ai = 0; ai < kActivations.size(); ++ai, ++k) {
        CpuCase c;
        c.op = "flipscope.FusedConv";
        c.attrs = s.attrs;
        c.attrs["algorithm"] = a_str(algo);
        c.attrs["activation"] = a_str(kActivations[ai].first);
        if (!kActivations[ai].second.empty()) c.attrs["activation_params"] = a_floats(kActivations[ai].second);
        const bool bias = k % 2 == 0, residual = k % 3 != 1;
        c.inputs = {random_f32(s.x, seed++), random_f32(s.w, seed++), bias ? random_f32({m}, seed++) : Tensor()};
        if (residual) c.inputs.push_back(random_f32(ys, seed++));
        c.params = {1};
        expect_cpu_matches_reference(c, algo + " " + kActivations[ai].first + " x" + shape_str(s.x) + " w" +
                                            shape_str(s.w) + (bias ? " +B" : "") + (residual ? " +Z" : ""));
      }
    }
  }
}

TEST(FlipscopeOps, FusedConvDirectOn3DFailsAtCreation) {
  try {
    run("flipscope.FusedConv", {random_f32({1, 2, 4, 4, 4}, 1), random_f32({2, 2, 3, 3, 3}, 2)},
        {{"algorithm", a_str("direct")}}, "cpu");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("n0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("direct"), std::string::npos) << e.what();
  }
}

// Error of the cpu winograd vs the reference: max|got - want| / max|conv + B + Z| (the scale of
// the values before the activation; every activation here is Lipschitz with constant <= 1.5, so
// this stays comparable across activations).
double winograd_error(const ConvShape& s, int tile, const std::string& act, bool bias, bool residual, int seed,
                      int threads, bool const_w) {
  const Shape ys = conv_out_shape(s);
  Attrs attrs = s.attrs;
  attrs["algorithm"] = a_str("winograd");
  attrs["winograd_tile"] = a_int(tile);
  std::vector<Tensor> in = {random_f32(s.x, seed), random_f32(s.w, seed + 1),
                            bias ? random_f32({s.w[0]}, seed + 2) : Tensor()};
  if (residual) in.push_back(random_f32(ys, seed + 3));
  std::vector<OpInput> fed;
  for (const Tensor& t : in) fed.push_back({t, false});
  Tensor linear = run_node("flipscope.FusedConv", fed, attrs, 1, "reference", 1)[0];
  attrs["activation"] = a_str(act);
  Tensor want = run_node("flipscope.FusedConv", fed, attrs, 1, "reference", 1)[0];
  fed[1].constant = const_w;
  Tensor got = run_node("flipscope.FusedConv", fed, attrs, 1, "cpu", threads)[0];
  EXPECT_EQ(got.shape(), want.shape());
  double num = 0, den = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    num = std::max(num, std::abs(got.get_f64(i) - want.get_f64(i)));
    den = std::max(den, std::abs(linear.get_f64(i)));
  }
  return num / std::max(den, 1e-30);
}

std::vector<ConvShape> winograd_shapes() {
  const Attrs pad1{{"pads", a_ints({1, 1, 1, 1})}};
  return {
      {{1, 3, 8, 8}, {4, 3, 3, 3}, pad1},
      {{2, 13, 11, 9}, {7, 13, 3, 3}, pad1},                                // odd sizes, batch 2
      {{1, 16, 15, 21}, {24, 16, 3, 3}, {{"pads", a_ints({0, 1, 2, 0})}}},  // asymmetric pads
      {{1, 5, 7, 5}, {3, 5, 3, 3}, {}},                                     // no padding
      {{2, 32, 30, 30}, {32, 32, 3, 3}, pad1},                              // several blocks
      {{1, 8, 3, 3}, {8, 8, 3, 3}, {{"auto_pad", a_str("SAME_UPPER")}}},    // a single tile
  };
}

// Winograd accuracy (winograd_error above), measured with uniform [-1, 1) data on these shapes,
// max over all cases: F(2x2,3x3) 2.8e-7, F(4x4,3x3) 4.6e-6. F4 is ~16x less accurate: its
// transforms have coefficients up to 8 (A^T) and 5 (B^T) and fractions 1/6, 1/12, 1/24 (G) that
// are not exact in binary, and the alpha^2 = 36 products are summed with alternating signs. The
// elementwise Fp32Kernel tolerance (atol 1e-5) does not fit F4 near zero outputs; bounds are ~4x
// the measured figures.
constexpr double kWinogradF2Bound = 1.2e-6;
constexpr double kWinogradF4Bound = 2e-5;

TEST(FlipscopeOps, WinogradMatchesReference) {
  int seed = 100, k = 0;
  double worst[2] = {0, 0};
  for (const ConvShape& s : winograd_shapes())
    for (int tile : {2, 4})
      for (size_t ai = 0; ai < kActivations.size(); ++ai, ++k) {
        const bool bias = k % 2 == 0, residual = k % 3 != 1, const_w = k % 4 < 2;
        const double err =
            winograd_error(s, tile, kActivations[ai].first, bias, residual, seed += 4, 1 + k % 2, const_w);
        worst[tile == 4] = std::max(worst[tile == 4], err);
        EXPECT_LT(err, tile == 2 ? kWinogradF2Bound : kWinogradF4Bound)
            << "F" << tile << " x" << shape_str(s.x) << " act '" << kActivations[ai].first << "'";
      }
  std::printf("winograd error: F2 %.3g, F4 %.3g\n", worst[0], worst[1]);
}

// A constant weight is transformed once; a fed weight whose values change between runs is not cached.
TEST(FlipscopeOps, WinogradFedWeightsChange) {
  expect_fed_weights_followed("flipscope.FusedConv", {{"algorithm", a_str("winograd")}, {"pads", a_ints({1, 1, 1, 1})}},
                              {1, 2, 6, 6}, {3, 2, 3, 3});
}

// The shifted path (stride-1 3x3, algorithm auto, 6 channels: not direct) packs fed weights anew on
// every run.
TEST(FlipscopeOps, ShiftedFedWeightsChange) {
  expect_fed_weights_followed("flipscope.FusedConv", {{"pads", a_ints({1, 1, 1, 1})}}, {1, 6, 6, 6}, {3, 6, 3, 3});
}

// ---- FusedGemm -------------------------------------------------------------------------------

TEST(FlipscopeOps, FusedGemmHandChecked) {
  // A [2x2] = [[1, 2], [3, 4]], B = I, C = [-2, -5]: alpha 1, beta 1 -> [[-1, -3], [1, -1]].
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 2}, {1, 0, 0, 1}), c = f32({2}, {-2, -5});
  for (const std::string backend : {"reference", "cpu"}) {
    expect_near(run("flipscope.FusedGemm", {a, b, c}, {{"activation", a_str("Relu")}}, backend)[0], {0, 0, 1, 0});
    expect_near(run("flipscope.FusedGemm", {a, b, c},
                    {{"activation", a_str("LeakyRelu")}, {"activation_params", a_floats({0.5f})}}, backend)[0],
                {-0.5, -1.5, 1, -0.5});
    expect_near(run("flipscope.FusedGemm", {a, b, c}, {{"alpha", a_float(2)}, {"beta", a_float(0.5f)}}, backend)[0],
                {1, 1.5, 5, 5.5});
  }
}

TEST(FlipscopeOps, FusedGemmCpuMatchesReference) {
  int seed = 300, k = 0;
  struct G {
    int64_t m, k, n;
    bool ta, tb;
    Shape c;
  };
  for (const G& g : std::vector<G>{{1, 13, 24, false, false, {24}},
                                   {7, 24, 13, true, false, {7, 1}},
                                   {33, 17, 65, false, true, {33, 65}},
                                   {200, 40, 700, true, true, {}},
                                   {5, 3, 4, false, false, {1}}})
    for (size_t ai = 0; ai < kActivations.size(); ++ai, ++k) {
      CpuCase c;
      c.op = "flipscope.FusedGemm";
      c.attrs = {{"transA", a_int(g.ta)}, {"transB", a_int(g.tb)}, {"activation", a_str(kActivations[ai].first)}};
      if (!kActivations[ai].second.empty()) c.attrs["activation_params"] = a_floats(kActivations[ai].second);
      if (k % 3 == 0) c.attrs["alpha"] = a_float(0.5f);
      Shape as = g.ta ? Shape{g.k, g.m} : Shape{g.m, g.k}, bs = g.tb ? Shape{g.n, g.k} : Shape{g.k, g.n};
      c.inputs = {random_f32(as, seed++), random_f32(bs, seed++)};
      if (!g.c.empty() || k % 2 == 0) c.inputs.push_back(random_f32(g.c, seed++));
      c.params = {1};
      expect_cpu_matches_reference(c, kActivations[ai].first + " m" + std::to_string(g.m));
    }
}

// ---- FusedMulAdd -----------------------------------------------------------------------------

// a = b = 1 + 2^-12: a*b = 1 + 2^-11 + 2^-24 exactly, which float32 rounds (tie to even) to
// 1 + 2^-11. With c = -(1 + 2^-11) the fused result is 2^-24; Mul then Add would give 0.
TEST(FlipscopeOps, FusedMulAddRoundsOnce) {
  const float a = 1.0f + std::ldexp(1.0f, -12), c = -(1.0f + std::ldexp(1.0f, -11));
  for (const std::string backend : {"reference", "cpu"}) {
    Tensor y = run("flipscope.FusedMulAdd", {f32({1}, {a}), f32({1}, {a}), f32({1}, {c})}, {}, backend)[0];
    EXPECT_EQ(y.get_f64(0), std::ldexp(1.0, -24)) << backend;
  }
  EXPECT_EQ(a * a + c, 0.0f);  // unfused (ISO C++ mode: GCC does not contract to an FMA)
}

TEST(FlipscopeOps, FusedMulAddCpuMatchesReference) {
  int seed = 500;
  for (const auto& [sa, sb, sc] :
       std::vector<std::tuple<Shape, Shape, Shape>>{{{37}, {37}, {37}},
                                                    {{2, 3, 5, 7}, {1, 3, 1, 1}, {1, 3, 1, 1}},
                                                    {{4, 1, 6}, {5, 1}, {6}},
                                                    {{}, {3, 70000}, {1}},
                                                    {{1, 1}, {1}, {2, 1, 33}}}) {
    CpuCase c;
    c.op = "flipscope.FusedMulAdd";
    c.inputs = {random_f32(sa, seed++), random_f32(sb, seed++), random_f32(sc, seed++)};
    expect_cpu_matches_reference(c, shape_str(sa) + shape_str(sb) + shape_str(sc));
  }
}

// ---- ApproxUnary / ApproxSoftmax ---------------------------------------------------------------

// `count` floats spread evenly in bit space over [lo, hi] (both signs when lo < 0), plus lo and hi.
std::vector<float> sweep(float lo, float hi, int64_t count) {
  std::vector<float> v;
  auto side = [&](float a, float b, int64_t n) {  // 0 <= a < b
    const uint32_t ba = std::bit_cast<uint32_t>(a), bb = std::bit_cast<uint32_t>(b);
    const uint64_t step = std::max<uint64_t>(1, (bb - ba) / static_cast<uint64_t>(n));
    for (uint64_t u = ba; u <= bb; u += step) v.push_back(std::bit_cast<float>(static_cast<uint32_t>(u)));
  };
  if (lo < 0) {
    side(0.0f, -lo, count / 2);
    for (size_t i = 0, e = v.size(); i < e; ++i) v.push_back(-v[i]);
    side(0.0f, hi, count / 2);
  } else {
    side(lo, hi, count);
  }
  v.push_back(lo);
  v.push_back(hi);
  return v;
}

// Max error in ULPs (of the float nearest the exact value) of the cpu ApproxUnary over xs.
double max_ulp_error(const std::string& fn, const std::vector<float>& xs, double (*exact)(double), float* worst_x) {
  Tensor x = f32({static_cast<int64_t>(xs.size())}, xs);
  Tensor y = run("flipscope.ApproxUnary", {x}, {{"function", a_str(fn)}}, "cpu", 2)[0];
  double worst = 0;
  const float* yp = y.data<float>();
  for (size_t i = 0; i < xs.size(); ++i) {
    const double e = exact(xs[i]);
    const float fe = std::abs(static_cast<float>(e));
    const double ulp = std::isinf(fe) ? 0 : static_cast<double>(std::nextafter(fe, INFINITY) - fe);
    if (ulp == 0) continue;
    const double err = std::abs(static_cast<double>(yp[i]) - e) / ulp;
    if (err > worst) {
      worst = err;
      *worst_x = xs[i];
    }
  }
  return worst;
}

// Max errors measured on these sweeps (~2M points each), AVX-512 / AVX2 / SSE2: Exp 0.954 / 0.954
// / 0.927, Log 1.784 (all), Tanh 2.478 / 2.478 / 2.372, Sigmoid 2.244 (all), Erf 1.087 / 1.087 /
// 1.922 ULP. Bounds asserted: SLEEF's documented ones for Exp (u10: 1.0 ULP) and Log / Tanh (u35:
// 3.5 ULP); Erf 2.0 (u10, but the worst cases are tiny x ~ 1e-38, where erf(x) ~ 2/sqrt(pi) x takes
// two float roundings, without FMA on SSE2); Sigmoid = 1 / (1 + exp(-x)) adds two roundings to
// exp's error: 3 ULP (x >= -87; below that exp(-x) overflows and the result is 0).
TEST(FlipscopeOps, ApproxUnaryUlpBounds) {
  struct F {
    const char* name;
    float lo, hi;
    double (*exact)(double);
    double bound;
  };
  const std::vector<F> fns = {
      {"Exp", -87.0f, 88.0f, [](double v) { return std::exp(v); }, 1.0},
      {"Log", 1.17549435e-38f, 3.0e38f, [](double v) { return std::log(v); }, 3.5},
      {"Tanh", -20.0f, 20.0f, [](double v) { return std::tanh(v); }, 3.5},
      {"Sigmoid", -87.0f, 40.0f, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, 3.0},
      {"Erf", -6.0f, 6.0f, [](double v) { return std::erf(v); }, 2.0},
  };
  for (int level : isa_levels()) {  // SSE2, AVX2, AVX-512 variants
    cpu::set_conv_isa_cap_for_testing(level);
    for (const F& f : fns) {
      float wx = 0;
      const double err = max_ulp_error(f.name, sweep(f.lo, f.hi, 2'000'000), f.exact, &wx);
      std::printf("ApproxUnary isa %d %-8s max error %.3f ULP (at x = %.9g)\n", level, f.name, err, wx);
      EXPECT_LE(err, f.bound) << f.name << " at x = " << wx << ", isa level " << level;
    }
  }
  cpu::set_conv_isa_cap_for_testing(-1);
}

TEST(FlipscopeOps, ApproxUnaryHandChecked) {
  Tensor x = f32({3}, {0.0f, 1.0f, -1.0f});
  expect_near(run("flipscope.ApproxUnary", {x}, {{"function", a_str("Exp")}}, "cpu")[0],
              {1, std::exp(1.0), std::exp(-1.0)});
  expect_near(run("flipscope.ApproxUnary", {x}, {{"function", a_str("Sigmoid")}}, "reference")[0],
              {0.5, 1 / (1 + std::exp(-1.0)), 1 / (1 + std::exp(1.0))});
  expect_near(run("flipscope.ApproxUnary", {f32({2}, {1.0f, 0.5f})}, {{"function", a_str("Log")}}, "cpu")[0],
              {0, std::log(0.5)});
  // Every function on random data (vector tails of 1..40 elements) vs the exact reference.
  for (const char* fn : {"Exp", "Log", "Tanh", "Sigmoid", "Erf"})
    for (int64_t n : {1, 7, 17, 40, 1000}) {
      CpuCase c;
      c.op = "flipscope.ApproxUnary";
      c.attrs = {{"function", a_str(fn)}};
      c.inputs = {random_f32({n}, static_cast<uint32_t>(n), std::string(fn) == "Log" ? 0.01f : -4.0f, 4.0f)};
      expect_cpu_matches_reference(c, fn);
    }
}

TEST(FlipscopeOps, ApproxSoftmaxMatchesReference) {
  expect_near(run("flipscope.ApproxSoftmax", {f32({2}, {0.0f, 0.0f})}, {}, "cpu")[0], {0.5, 0.5});
  int seed = 700;
  for (const auto& [shape, axis] : std::vector<std::pair<Shape, int64_t>>{
           {{3, 1000}, -1}, {{2, 7}, 1}, {{4, 5, 6}, 1}, {{2, 13, 3, 3}, 1}, {{9, 17}, 0}, {{1, 4097}, -1}}) {
    CpuCase c;
    c.op = "flipscope.ApproxSoftmax";
    c.attrs = {{"axis", a_int(axis)}};
    c.inputs = {random_f32(shape, seed++, -10.0f, 10.0f)};
    expect_cpu_matches_reference(c, shape_str(shape));
  }
}

// ---- RoundTo ---------------------------------------------------------------------------------

std::vector<float> round_to_inputs() {
  std::vector<float> v;
  for (uint64_t u = 0; u <= 0xffffffffull; u += 4093) v.push_back(std::bit_cast<float>(static_cast<uint32_t>(u)));
  // fp16 and bf16 ties and their neighbours, around every exponent; subnormals of both formats.
  for (uint32_t e = 0; e < 255; ++e)
    for (uint32_t m : {0x1000u, 0x3000u, 0x0fffu, 0x1001u, 0x8000u, 0x18000u, 0x7fffu, 0x8001u, 0x7fe000u, 0x7ff000u})
      for (uint32_t s : {0u, 0x80000000u}) v.push_back(std::bit_cast<float>(s | (e << 23) | (m & 0x7fffffu)));
  for (float f : {65504.0f, 65519.99f, 65520.0f, 6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 1e-45f,
                  1.1754942e-38f, 3.3895314e38f, 3.4028235e38f, INFINITY, -INFINITY})
    v.push_back(f);
  for (uint32_t nan : {0x7fc00000u, 0x7f800001u, 0xffc12345u, 0x7fbfffffu, 0xff800001u})
    v.push_back(std::bit_cast<float>(nan));
  return v;
}

TEST(FlipscopeOps, RoundToBitExact) {
  const std::vector<float> xs = round_to_inputs();
  Tensor x = f32({static_cast<int64_t>(xs.size())}, xs);
  for (const std::string dtype : {"fp16", "bf16"}) {
    Tensor want = run("flipscope.RoundTo", {x}, {{"dtype", a_str(dtype)}}, "reference")[0];
    for (int level : isa_levels()) {  // scalar, F16C AVX2, AVX-512 (+ AVX512-BF16) variants
      cpu::set_conv_isa_cap_for_testing(level);
      Tensor got = run("flipscope.RoundTo", {x}, {{"dtype", a_str(dtype)}}, "cpu", 1 + level % 2)[0];
      const uint32_t* g = got.data<uint32_t>();
      const uint32_t* w = want.data<uint32_t>();
      int64_t bad = 0;
      for (size_t i = 0; i < xs.size(); ++i)
        if (g[i] != w[i] && bad++ < 5)
          ADD_FAILURE() << dtype << " isa level " << level << ": x bits 0x" << std::hex
                        << std::bit_cast<uint32_t>(xs[i]) << " -> cpu 0x" << g[i] << ", reference 0x" << w[i];
      EXPECT_EQ(bad, 0) << dtype << " isa level " << level;
    }
    cpu::set_conv_isa_cap_for_testing(-1);
  }
}

TEST(FlipscopeOps, RoundToHandChecked) {
  const float tie16 = 1.0f + std::ldexp(1.0f, -11), up16 = 1.0f + 3 * std::ldexp(1.0f, -11);
  const float tie_bf = 1.0f + std::ldexp(1.0f, -8);
  Tensor x16 = f32({5}, {tie16, up16, 65520.0f, -65519.0f, 1e-9f});
  Tensor xbf = f32({3}, {tie_bf, 1.0f + 3 * std::ldexp(1.0f, -8), std::bit_cast<float>(0x7f7f8000u)});
  for (const std::string backend : {"reference", "cpu"}) {
    Tensor y = run("flipscope.RoundTo", {x16}, {{"dtype", a_str("fp16")}}, backend)[0];
    EXPECT_EQ(y.get_f64(0), 1.0);                               // tie to even
    EXPECT_EQ(y.get_f64(1), 1.0 + 4 * std::ldexp(1.0, -11));    // tie to even (up)
    EXPECT_TRUE(std::isinf(y.get_f64(2)) && y.get_f64(2) > 0);  // overflow
    EXPECT_EQ(y.get_f64(3), -65504.0);                          // largest half
    EXPECT_EQ(y.get_f64(4), 0.0);                               // below half the smallest subnormal
    Tensor b = run("flipscope.RoundTo", {xbf}, {{"dtype", a_str("bf16")}}, backend)[0];
    EXPECT_EQ(b.get_f64(0), 1.0);
    EXPECT_EQ(b.get_f64(1), 1.0 + 4 * std::ldexp(1.0, -8));
    EXPECT_TRUE(std::isinf(b.get_f64(2)));  // halfway above the largest bf16: ties to even = inf
  }
  Tensor nan = run("flipscope.RoundTo", {f32({1}, {NAN})}, {{"dtype", a_str("fp16")}}, "cpu")[0];
  EXPECT_TRUE(std::isnan(nan.get_f64(0)));
}

}  // namespace
}  // namespace fs::test
