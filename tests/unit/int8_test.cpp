// int8 inference: the flipscope.QConv / QGemm schemas (errors name the node), cpu against reference
// (integer accumulation is exact, so the float epilogue's one rounding is the only difference: at
// most one ulp for linear epilogues) on shapes with vector tails, zero points 0 and 128, padding,
// stride 2, groups and depthwise, batch 1 and 3; QConv against the quantize-dequantize emulation;
// and the precision-int8 pass (rewrites, near misses, keep_fp32, agreement with precision-int8-qdq).
#include <bit>
#include <cmath>

#include "engine/error.h"
#include "engine/session.h"
#include "optimizer/pass.h"
#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

using Attrs = std::map<std::string, Attribute>;

Tensor random_u8(Shape s, uint32_t seed) {
  Tensor t(DType::U8, std::move(s));
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(0, 255);
  for (int64_t i = 0; i < t.numel(); ++i) t.set_i64(i, d(gen));
  return t;
}

Tensor random_i8(Shape s, uint32_t seed) {
  Tensor t(DType::I8, std::move(s));
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(-127, 127);
  for (int64_t i = 0; i < t.numel(); ++i) t.set_i64(i, d(gen));
  return t;
}

Tensor scalar_f32(float v) {
  Tensor t(DType::F32, {});
  t.set_f64(0, v);
  return t;
}

Tensor scalar_u8(int v) {
  Tensor t(DType::U8, {});
  t.set_i64(0, v);
  return t;
}

// Distance in units in the last place between two finite floats.
int64_t ulps(float a, float b) {
  auto key = [](float f) {
    const int32_t i = std::bit_cast<int32_t>(f);
    return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
  };
  return std::abs(key(a) - key(b));
}

// "" when got matches want: within one ulp for linear epilogues, else the Fp32Kernel tolerance.
std::string compare(const Tensor& got, const Tensor& want, bool linear) {
  if (!linear) return compare_outputs(got, want);
  if (got.shape() != want.shape()) return "shape " + shape_str(got.shape()) + " vs " + shape_str(want.shape());
  int64_t worst = 0, at = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const int64_t u = ulps(got.data<float>()[i], want.data<float>()[i]);
    if (u > worst) worst = u, at = i;
  }
  if (worst <= 1) return "";
  return std::to_string(worst) + " ulps at [" + std::to_string(at) + "]: " + std::to_string(got.data<float>()[at]) +
         " vs " + std::to_string(want.data<float>()[at]);
}

std::string error_of(const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs) {
  std::vector<OpInput> fed;
  for (const Tensor& t : in) fed.push_back({t, false});
  try {
    run_node(op, fed, attrs, 1, "reference", 1);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

// ---- schemas ---------------------------------------------------------------------------------

TEST(Int8Ops, SchemaErrorsNameTheNode) {
  const Tensor x = random_u8({1, 4, 6, 6}, 1), w = random_i8({8, 4, 3, 3}, 2), ws = random_f32({8}, 3, 0.01f, 0.02f);
  const Tensor xs = scalar_f32(0.1f), zp = scalar_u8(128);
  std::string e = error_of("flipscope.QConv", {x, xs, zp, w, ws}, {{"activation", a_str("Gelu")}});
  EXPECT_TRUE(has(e, "n0") && has(e, "'activation'")) << e;
  e = error_of("flipscope.QConv", {x, xs, zp, w, ws}, {{"group", a_int(3)}});
  EXPECT_TRUE(has(e, "n0") && has(e, "'group'")) << e;
  e = error_of("flipscope.QConv", {x, xs, zp, random_f32({8, 4, 3, 3}, 4), ws}, {});
  EXPECT_TRUE(has(e, "n0") && has(e, "W")) << e;
  e = error_of("flipscope.QConv", {x, xs, zp, w, random_f32({7}, 5)}, {});
  EXPECT_TRUE(has(e, "n0") && has(e, "w_scale")) << e;
  e = error_of("flipscope.QConv", {random_u8({1, 4, 6}, 6), xs, zp, random_i8({8, 4, 3}, 7), ws}, {});
  EXPECT_TRUE(has(e, "n0") && has(e, "2-D")) << e;
  e = error_of("flipscope.QConv", {x, xs, zp, w, ws, Tensor(), random_f32({1, 8, 5, 5}, 8)}, {});
  EXPECT_TRUE(has(e, "n0") && has(e, "residual")) << e;
  e = error_of("flipscope.QGemm", {random_u8({2, 5}, 9), xs, zp, random_i8({3, 4}, 10), random_f32({3}, 11)}, {});
  EXPECT_TRUE(has(e, "n0") && has(e, "inner")) << e;
  e = error_of("flipscope.QGemm", {random_u8({2, 4}, 9), xs, zp, random_i8({3, 4}, 10), random_f32({3}, 11)},
               {{"activation", a_str("Clip")}, {"activation_params", Attribute::make_floats({1})}});
  EXPECT_TRUE(has(e, "n0") && has(e, "'activation_params'")) << e;
}

// The reference by hand: padding counts as the zero point, so a border output sums fewer taps.
TEST(Int8Ops, QConvReferenceHandChecked) {
  Tensor x(DType::U8, {1, 1, 3, 3});
  for (int64_t i = 0; i < 9; ++i) x.set_i64(i, 130);  // x - zp = 2
  Tensor w(DType::I8, {1, 1, 3, 3});
  for (int64_t i = 0; i < 9; ++i) w.set_i64(i, 3);
  const Attrs pad1{{"pads", a_ints({1, 1, 1, 1})}};
  std::vector<OpInput> in = {{x}, {scalar_f32(0.5f)}, {scalar_u8(128)}, {w}, {f32({1}, {0.25f})}, {f32({1}, {1.0f})}};
  for (const char* backend : {"reference", "cpu"}) {
    Tensor y = run_node("flipscope.QConv", in, pad1, 1, backend, 1)[0];
    // corner: 4 taps * 2 * 3 = 24 -> 24 * 0.125 + 1 = 4; edge 6 taps: 5.5; centre 9 taps: 7.75
    EXPECT_EQ(values(y), (std::vector<double>{4, 5.5, 4, 5.5, 7.75, 5.5, 4, 5.5, 4})) << backend;
  }
}

// ---- cpu vs reference ------------------------------------------------------------------------

struct QConvShape {
  Shape x, w;
  Attrs attrs;
};

std::vector<QConvShape> qconv_shapes() {
  const Attrs pad1{{"pads", a_ints({1, 1, 1, 1})}};
  Attrs s2 = pad1;
  s2["strides"] = a_ints({2, 2});
  return {
      {{1, 3, 7, 9}, {13, 3, 3, 3}, pad1},                             // dense, im2col
      {{3, 13, 11, 11}, {24, 13, 3, 3}, s2},                           // stride 2, batch 3
      {{1, 24, 9, 7}, {13, 24, 1, 1}, {}},                             // pointwise: X is the GEMM operand
      {{1, 13, 9, 9}, {24, 13, 1, 1}, {{"strides", a_ints({2, 2})}}},  // strided pointwise
      {{3, 24, 8, 8}, {24, 1, 3, 3}, {{"pads", a_ints({1, 1, 1, 1})}, {"group", a_int(24)}}},  // depthwise
      {{1, 13, 9, 9},
       {13, 1, 3, 3},
       {{"pads", a_ints({1, 0, 2, 1})}, {"strides", a_ints({2, 2})}, {"group", a_int(13)}}},
      {{3, 24, 7, 7}, {24, 3, 3, 3}, {{"pads", a_ints({1, 1, 1, 1})}, {"group", a_int(8)}}},  // grouped
      {{1, 24, 5, 5}, {8, 3, 1, 1}, {{"group", a_int(8)}}},                                   // grouped pointwise
      {{1, 1, 6, 6}, {3, 1, 3, 3}, {{"pads", a_ints({2, 2, 2, 2})}, {"dilations", a_ints({2, 2})}}},  // one channel
  };
}

struct Epi {
  bool bias, residual;
  const char* act;
  std::vector<float> params;
  bool linear;  // the activation commutes with rounding: one ulp at most
};

const std::vector<Epi>& epilogues() {
  static const std::vector<Epi> e = {{false, false, "", {}, true},
                                     {true, false, "Relu", {}, true},
                                     {true, true, "Clip", {0.0f, 6.0f}, true},
                                     {false, true, "HardSwish", {}, false},
                                     {true, false, "Sigmoid", {}, false}};
  return e;
}

Attrs with_act(Attrs a, const Epi& e) {
  if (*e.act) a["activation"] = a_str(e.act);
  if (!e.params.empty()) a["activation_params"] = Attribute::make_floats(e.params);
  return a;
}

TEST(Int8Ops, QConvCpuMatchesReference) {
  uint32_t seed = 100;
  for (const QConvShape& s : qconv_shapes()) {
    const Tensor xr =
        run_node("ConvInteger", {{random_u8(s.x, 1)}, {random_i8(s.w, 2)}}, s.attrs, 1, "reference", 1)[0];
    const Shape ys = xr.shape();
    for (int zp : {0, 128})
      for (const Epi& e : epilogues()) {
        ++seed;
        std::vector<OpInput> in = {{random_u8(s.x, seed)},
                                   {scalar_f32(0.0173f)},
                                   {scalar_u8(zp)},
                                   {random_i8(s.w, seed + 1)},
                                   {random_f32({s.w[0]}, seed + 2, 0.001f, 0.02f)},
                                   {e.bias ? random_f32({s.w[0]}, seed + 3) : Tensor()},
                                   {e.residual ? random_f32(ys, seed + 4) : Tensor()}};
        const Attrs attrs = with_act(s.attrs, e);
        const Tensor want = run_node("flipscope.QConv", in, attrs, 1, "reference", 1)[0];
        for (int level : isa_levels()) {  // the depthwise loop and the activation are compiled per ISA
          cpu::set_conv_isa_cap_for_testing(level);
          for (int threads : {1, 2})
            for (bool const_w : {false, true}) {
              std::vector<OpInput> c = in;
              c[3].constant = c[4].constant = const_w;
              const Tensor got = run_node("flipscope.QConv", c, attrs, 1, "cpu", threads)[0];
              EXPECT_EQ(compare(got, want, e.linear), "")
                  << "x " << shape_str(s.x) << " w " << shape_str(s.w) << " zp " << zp << " act '" << e.act << "' bias "
                  << e.bias << " residual " << e.residual << ", " << threads << " threads, const w " << const_w
                  << ", isa level " << level;
            }
        }
        cpu::set_conv_isa_cap_for_testing(-1);
      }
  }
}

TEST(Int8Ops, QGemmCpuMatchesReference) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{1, 13}, {3, 13}}, {{3, 24}, {13, 24}}, {{2, 3, 40}, {24, 40}}, {{5, 1}, {7, 1}}, {{3, 1000}, {13, 1000}}};
  uint32_t seed = 500;
  for (const auto& [as, ws] : shapes)
    for (int zp : {0, 128})
      for (const Epi& e : epilogues()) {
        if (e.residual) continue;
        ++seed;
        std::vector<OpInput> in = {{random_u8(as, seed)},
                                   {scalar_f32(0.031f)},
                                   {scalar_u8(zp)},
                                   {random_i8(ws, seed + 1)},
                                   {random_f32({ws[0]}, seed + 2, 0.001f, 0.02f)},
                                   {e.bias ? random_f32({ws[0]}, seed + 3) : Tensor()}};
        const Attrs attrs = with_act({}, e);
        const Tensor want = run_node("flipscope.QGemm", in, attrs, 1, "reference", 1)[0];
        for (int threads : {1, 2})
          for (bool const_w : {false, true}) {
            std::vector<OpInput> c = in;
            c[3].constant = const_w;
            const Tensor got = run_node("flipscope.QGemm", c, attrs, 1, "cpu", threads)[0];
            EXPECT_EQ(compare(got, want, e.linear), "") << "A " << shape_str(as) << " W " << shape_str(ws) << " zp "
                                                        << zp << " act '" << e.act << "', " << threads << " threads";
          }
      }
}

// QConv = FusedConv on the dequantized operands, up to the latter's fp32 accumulation.
TEST(Int8Ops, QConvEqualsQdqEmulatedFusedConv) {
  for (const QConvShape& s : qconv_shapes()) {
    const Tensor xq = random_u8(s.x, 7), wq = random_i8(s.w, 8), ws = random_f32({s.w[0]}, 9, 0.001f, 0.02f);
    const Tensor b = random_f32({s.w[0]}, 10);
    const float xs = 0.0173f;
    const int zp = 128;
    Tensor xd(DType::F32, s.x), wd(DType::F32, s.w);
    for (int64_t i = 0; i < xd.numel(); ++i) xd.set_f64(i, float((xq.get_i64(i) - zp) * double(xs)));
    const int64_t per = wq.numel() / s.w[0];
    for (int64_t i = 0; i < wd.numel(); ++i) wd.set_f64(i, float(wq.get_i64(i) * ws.get_f64(i / per)));
    Attrs attrs = s.attrs;
    attrs["activation"] = a_str("Relu");
    const Tensor emu = run_node("flipscope.FusedConv", {{xd}, {wd}, {b}}, attrs, 1, "cpu", 1)[0];
    const Tensor real =
        run_node("flipscope.QConv", {{xq}, {scalar_f32(xs)}, {scalar_u8(zp)}, {wq, true}, {ws, true}, {b, true}}, attrs,
                 1, "cpu", 1)[0];
    EXPECT_EQ(compare_outputs(real, emu), "") << "x " << shape_str(s.x) << " w " << shape_str(s.w);
  }
}

// ---- the pass --------------------------------------------------------------------------------

struct G {
  std::shared_ptr<Graph> g = std::make_shared<Graph>();
  ValueId x;
  explicit G(Shape xs) {
    g->opset = 17;
    SymShape s;
    for (int64_t d : xs) s.push_back({d, ""});
    x = g->add_value("x", DType::F32, s);
    g->add_input(x);
  }
  ValueId node(const std::string& name, const std::string& op, std::vector<ValueId> in, Attrs attrs = {}) {
    Node n;
    n.name = name;
    n.op_type = op;
    n.opset = 17;
    n.inputs = std::move(in);
    n.outputs = {g->add_value(name + "_y", DType::F32)};
    n.attrs = std::move(attrs);
    return g->node(g->add_node(std::move(n))).outputs[0];
  }
  ValueId c(const std::string& name, Tensor t) { return g->add_constant(name, std::move(t)); }
  ValueId conv(const std::string& name, ValueId in, int64_t cin, int64_t cout, uint32_t seed) {
    return node(name, "Conv",
                {in, c(name + "_w", random_f32({cout, cin, 3, 3}, seed)), c(name + "_b", random_f32({cout}, seed + 1))},
                {{"pads", a_ints({1, 1, 1, 1})}});
  }
  std::shared_ptr<Graph> done(ValueId y) {
    g->set_outputs({y});
    g->validate();
    return g;
  }
};

int count_op(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& nd : g.nodes()) n += !nd.dead && nd.op_type == op;
  return n;
}

OptimizeOptions int8_opts(const std::string& input, const Shape& xs, const std::string& method = "minmax") {
  OptimizeOptions o;
  o.backend = "cpu";
  o.precision = "int8";
  o.validate_each_pass = true;
  o.calibration_method = method;
  for (uint32_t s = 0; s < 4; ++s) o.calibration.push_back({{input, random_f32(xs, 300 + s)}});
  return o;
}

Tensor run_graph(const std::shared_ptr<Graph>& g, const Tensor& x, const std::string& backend = "cpu") {
  Session s(g, SessionOptions{.backend = backend});
  return s.run({{"x", x}}).outputs[0];
}

TEST(Int8Pass, RewritesConvReluConvAndRespectsKeepFp32) {
  G b({1, 3, 9, 9});
  auto g = b.done(b.conv("conv2", b.node("relu", "Relu", {b.conv("conv1", b.x, 3, 13, 1)}), 13, 5, 3));
  for (const char* m : {"minmax", "percentile", "entropy"}) {
    OptimizeOptions o = int8_opts("x", {1, 3, 9, 9}, m);
    OptimizeResult r = optimize(*g, {}, o);
    EXPECT_EQ(count_op(*r.graph, "flipscope.QConv"), 2) << m;
    EXPECT_EQ(count_op(*r.graph, "QuantizeLinear"), 2) << m;
    EXPECT_EQ(count_op(*r.graph, "DequantizeLinear"), 0) << m;
    EXPECT_EQ(count_op(*r.graph, "Conv"), 0) << m;
    EXPECT_EQ(count_op(*r.graph, "Relu"), 1) << m;
    ASSERT_EQ(r.rewrites.size(), 2u) << m;
    EXPECT_EQ(r.rewrites[0].id, "precision-int8@conv1");
    EXPECT_EQ(r.rewrites[1].detail, std::string("calibration=") + m);
    for (const Node& n : r.graph->nodes())
      if (!n.dead && n.op_type == "flipscope.QConv") {
        EXPECT_EQ(n.domain, "flipscope");
        ASSERT_FALSE(n.provenance.empty());
        EXPECT_TRUE(n.provenance.back() == "conv1" || n.provenance.back() == "conv2") << n.provenance.back();
      }
    const Tensor x = random_f32({1, 3, 9, 9}, 300);
    const Tensor fp = run_graph(g, x, "reference"), q = run_graph(r.graph, x);
    double d = 0, mx = 0;
    for (int64_t i = 0; i < fp.numel(); ++i)
      d = std::max(d, std::abs(fp.get_f64(i) - q.get_f64(i))), mx = std::max(mx, std::abs(fp.get_f64(i)));
    EXPECT_GT(d, 0.0) << m;
    // entropy (KL) clips hard here: ReLU's spike at 0 dominates its histogram (see docs/optimizer.md)
    if (std::string(m) != "entropy") {
      EXPECT_LT(d, 0.1 * mx) << m << ": int8 stays near fp32";
    }
  }
  OptimizeOptions o = int8_opts("x", {1, 3, 9, 9});
  o.keep_fp32 = {"conv2"};
  OptimizeResult kept = optimize(*g, {}, o);
  EXPECT_EQ(count_op(*kept.graph, "flipscope.QConv"), 1);
  EXPECT_EQ(count_op(*kept.graph, "Conv"), 1);
  // With fusion first, the activation rides in QConv's epilogue.
  OptimizeResult fused = optimize(*g, parse_pipeline("fuse-conv-activation"), int8_opts("x", {1, 3, 9, 9}));
  EXPECT_EQ(count_op(*fused.graph, "flipscope.QConv"), 2);
  EXPECT_EQ(count_op(*fused.graph, "Relu"), 0);
}

// Same calibration, same quantized operands: the real kernels and the emulation differ only by
// the latter's fp32 accumulation (one quantized layer, so no re-quantization can amplify it).
TEST(Int8Pass, RealKernelsMatchTheEmulation) {
  G b({3, 13, 7, 7});
  auto g = b.done(b.conv("conv", b.x, 13, 24, 5));
  OptimizeOptions o = int8_opts("x", {3, 13, 7, 7});
  OptimizeResult real = optimize(*g, {}, o);
  o.precision = "fp32";
  OptimizeResult emu = optimize(*g, {"precision-int8-qdq"}, o);
  EXPECT_EQ(count_op(*real.graph, "flipscope.QConv"), 1);
  EXPECT_EQ(count_op(*emu.graph, "DequantizeLinear"), 1);
  const Tensor x = random_f32({3, 13, 7, 7}, 301);
  EXPECT_EQ(compare_outputs(run_graph(real.graph, x), run_graph(emu.graph, x)), "");
}

TEST(Int8Pass, GemmAndMatMulBecomeQGemmNearMissesStay) {
  G b({3, 24});
  ValueId h = b.node("gemm", "Gemm", {b.x, b.c("w1", random_f32({13, 24}, 1)), b.c("c1", random_f32({13}, 2))},
                     {{"transB", a_int(1)}, {"alpha", a_float(0.5f)}, {"beta", a_float(2.0f)}});
  h = b.node("mm", "MatMul", {h, b.c("w2", random_f32({13, 7}, 3))});
  h = b.node("gemm_ta", "Gemm", {h, b.c("w3", random_f32({3, 5}, 4))}, {{"transA", a_int(1)}});  // near miss
  auto g = b.done(h);
  OptimizeResult r = optimize(*g, {}, int8_opts("x", {3, 24}));
  EXPECT_EQ(count_op(*r.graph, "flipscope.QGemm"), 2);
  EXPECT_EQ(count_op(*r.graph, "Gemm"), 1);
  const Tensor x = random_f32({3, 24}, 302);
  const Tensor fp = run_graph(g, x, "reference"), q = run_graph(r.graph, x);
  double d = 0, mx = 0;
  for (int64_t i = 0; i < fp.numel(); ++i)
    d = std::max(d, std::abs(fp.get_f64(i) - q.get_f64(i))), mx = std::max(mx, std::abs(fp.get_f64(i)));
  EXPECT_LT(d, 0.1 * mx) << "alpha, beta and C carried over";
  EXPECT_EQ(compare_outputs(run_graph(r.graph, x, "cpu"), run_graph(r.graph, x, "reference")), "");

  // Fed weights and 1-D convolutions stay fp32.
  G f({1, 3, 9});
  ValueId w = f.g->add_value("w", DType::F32, SymShape{{4, ""}, {3, ""}, {3, ""}});
  f.g->add_input(w);
  auto g2 = f.done(f.node("conv1d", "Conv", {f.node("fed", "Conv", {f.x, w}), f.c("w1d", random_f32({2, 4, 3}, 5))}));
  OptimizeOptions o = int8_opts("x", {1, 3, 9});
  for (auto& feeds : o.calibration) feeds["w"] = random_f32({4, 3, 3}, 6);
  OptimizeResult r2 = optimize(*g2, {}, o);
  EXPECT_EQ(count_op(*r2.graph, "Conv"), 2);
  EXPECT_TRUE(r2.rewrites.empty());
}

}  // namespace
}  // namespace fs::test
