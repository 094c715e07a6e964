// flipscope.LowpConv / LowpGemm (fp16, bf16, fp16 accumulation): schema errors, cpu vs reference on
// random data with the oneDNN bf16 path and the forced fallback, that the kernels really round and
// accumulate as documented, and the precision passes: what they rewrite into the 16-bit ops (and
// what not), keep_fp32, provenance, and real kernels matching the rounding-only emulation.
#include <cmath>

#include "engine/error.h"
#include "engine/half.h"
#include "kernels/cpu/lowp_util.h"
#include "optimizer/pass.h"
#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {
namespace {

using Attrs = std::map<std::string, Attribute>;

std::vector<Tensor> run(const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs,
                        const std::string& backend, int threads = 1) {
  std::vector<OpInput> fed;
  for (const Tensor& t : in) fed.push_back({t, false});
  return run_node(op, fed, attrs, 1, backend, threads);
}

// Forces the portable fallback (or not) for kernels created while it lives; restores the previous
// setting (FLIPSCOPE_CPU_NO_BF16=1 in the environment sets it at start-up).
struct ForceFallback {
  bool saved = cpu::lowp::force_fallback_slot().load();
  explicit ForceFallback(bool on) { cpu::lowp::force_fallback_for_testing(on); }
  ~ForceFallback() { cpu::lowp::force_fallback_for_testing(saved); }
};

// (dtype, accumulate) pairs.
const std::vector<std::pair<std::string, std::string>> kModes = {{"fp16", "fp32"}, {"bf16", "fp32"}, {"fp16", "fp16"}};

TEST(Lowp, SchemaErrors) {
  Tensor x = random_f32({1, 2, 6, 6}, 1), w = random_f32({3, 2, 3, 3}, 2);
  auto error_of = [](const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs) -> std::string {
    try {
      run(op, in, attrs, "reference");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  auto has = [](const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; };
  std::string e = error_of("flipscope.LowpConv", {x, w}, {});
  EXPECT_TRUE(has(e, "'dtype'") && has(e, "n0")) << e;
  e = error_of("flipscope.LowpConv", {x, w}, {{"dtype", a_str("fp8")}});
  EXPECT_TRUE(has(e, "'dtype'") && has(e, "fp8")) << e;
  e = error_of("flipscope.LowpConv", {x, w}, {{"dtype", a_str("bf16")}, {"accumulate", a_str("fp16")}});
  EXPECT_TRUE(has(e, "'accumulate'") && has(e, "bf16")) << e;
  e = error_of("flipscope.LowpGemm", {random_f32({2, 3}, 1), random_f32({3, 2}, 2)},
               {{"dtype", a_str("fp16")}, {"accumulate", a_str("int32")}});
  EXPECT_TRUE(has(e, "'accumulate'")) << e;
  e = error_of("flipscope.LowpGemm", {random_f32({2, 3}, 1), random_f32({3, 2}, 2)},
               {{"dtype", a_str("fp16")}, {"activation", a_str("Gelu")}});
  EXPECT_TRUE(has(e, "'activation'")) << e;
  e = error_of("flipscope.LowpConv", {x, w, Tensor(), random_f32({1, 3, 5, 5}, 3)}, {{"dtype", a_str("fp16")}});
  EXPECT_TRUE(has(e, "residual")) << e;
}

struct ConvShape {
  Shape x, w;
  Attrs attrs;
};

// Channels 1, 3, 13, 24; odd sizes; stride 2; padding; groups; batch 1 and 3; K = C*kvol above and
// below the fp16-accumulation block of 32.
std::vector<ConvShape> conv_shapes() {
  return {
      {{1, 3, 7, 9}, {5, 3, 3, 3}, {{"pads", a_ints({1, 1, 1, 1})}}},
      {{3, 13, 11, 13}, {24, 13, 3, 3}, {{"pads", a_ints({1, 0, 2, 1})}}},
      {{1, 24, 9, 9}, {13, 24, 1, 1}, {}},
      {{3, 1, 9, 7}, {3, 1, 3, 3}, {{"strides", a_ints({2, 2})}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{1, 13, 12, 10}, {1, 13, 1, 1}, {{"strides", a_ints({2, 2})}}},
      {{1, 6, 13, 13}, {6, 1, 3, 3}, {{"group", a_int(6)}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{3, 24, 7, 5}, {24, 6, 3, 3}, {{"group", a_int(4)}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{1, 40, 5, 5}, {16, 40, 1, 1}, {}},
  };
}

const std::vector<std::pair<std::string, std::vector<float>>> kActivations = {
    {"", {}}, {"Relu", {}}, {"Clip", {-0.5f, 0.75f}}, {"LeakyRelu", {0.1f}}, {"Sigmoid", {}}, {"HardSwish", {}}};

TEST(Lowp, ConvCpuMatchesReference) {
  int seed = 10, k = 0;
  for (bool fallback : {false, true}) {
    ForceFallback force(fallback);
    for (const ConvShape& s : conv_shapes()) {
      const Shape ys = run("Conv", {random_f32(s.x, 1), random_f32(s.w, 2)}, s.attrs, "reference")[0].shape();
      for (const auto& [dtype, acc] : kModes) {
        const auto& act = kActivations[k % kActivations.size()];
        const bool bias = k % 2 == 0, residual = k % 3 != 1;
        ++k;
        CpuCase c;
        c.op = "flipscope.LowpConv";
        c.attrs = s.attrs;
        c.attrs["dtype"] = a_str(dtype);
        c.attrs["accumulate"] = a_str(acc);
        c.attrs["activation"] = a_str(act.first);
        if (!act.second.empty()) c.attrs["activation_params"] = Attribute::make_floats(act.second);
        c.inputs = {random_f32(s.x, seed++), random_f32(s.w, seed++), bias ? random_f32({s.w[0]}, seed++) : Tensor()};
        if (residual) c.inputs.push_back(random_f32(ys, seed++));
        c.params = {1};
        expect_cpu_matches_reference(c, dtype + "/acc " + acc + (fallback ? " fallback" : "") + " act '" + act.first +
                                            "' x" + shape_str(s.x) + " w" + shape_str(s.w) + (bias ? " +B" : "") +
                                            (residual ? " +Z" : ""));
      }
    }
  }
}

struct GemmShape {
  int64_t m, k, n;
  bool ta, tb;
  Shape c;  // empty: no C
};

TEST(Lowp, GemmCpuMatchesReference) {
  const std::vector<GemmShape> shapes = {
      {1, 13, 24, false, false, {24}}, {3, 24, 13, false, true, {3, 13}}, {5, 40, 7, true, false, {}},
      {3, 70, 9, true, true, {1}},     {1, 1, 3, false, false, {3}},      {16, 96, 33, false, true, {33}},
  };
  int seed = 500, k = 0;
  for (bool fallback : {false, true}) {
    ForceFallback force(fallback);
    for (const GemmShape& s : shapes)
      for (const auto& [dtype, acc] : kModes) {
        const auto& act = kActivations[k++ % kActivations.size()];
        CpuCase c;
        c.op = "flipscope.LowpGemm";
        c.attrs = {{"dtype", a_str(dtype)},
                   {"accumulate", a_str(acc)},
                   {"transA", a_int(s.ta)},
                   {"transB", a_int(s.tb)},
                   {"activation", a_str(act.first)}};
        if (!act.second.empty()) c.attrs["activation_params"] = Attribute::make_floats(act.second);
        if (k % 2) c.attrs["alpha"] = a_float(0.5f), c.attrs["beta"] = a_float(2.0f);
        c.inputs = {random_f32(s.ta ? Shape{s.k, s.m} : Shape{s.m, s.k}, seed++),
                    random_f32(s.tb ? Shape{s.n, s.k} : Shape{s.k, s.n}, seed++)};
        if (!s.c.empty()) c.inputs.push_back(random_f32(s.c, seed++));
        c.params = {1};
        expect_cpu_matches_reference(c, dtype + "/acc " + acc + (fallback ? " fallback" : "") + " act '" + act.first +
                                            "' m" + std::to_string(s.m) + " k" + std::to_string(s.k) + " n" +
                                            std::to_string(s.n) + (s.ta ? " A'" : "") + (s.tb ? " B'" : ""));
      }
  }
}

Tensor rounded(const Tensor& t, const std::string& dtype) {
  Tensor r = t.clone();
  for (float& v : r.span<float>())
    v = dtype == "fp16" ? half_to_float(float_to_half(v)) : bf16_to_float(float_to_bf16(v));
  return r;
}

// The kernels round their operands: LowpGemm on raw data equals the fp32 FusedGemm on rounded data
// (within the fp32 tolerance), and differs from FusedGemm on the raw data.
TEST(Lowp, KernelsRoundOperands) {
  Tensor a = random_f32({4, 50}, 1), b = random_f32({50, 20}, 2);
  for (bool fallback : {false, true}) {
    ForceFallback force(fallback);
    for (const std::string dtype : {"fp16", "bf16"})
      for (const std::string backend : {"reference", "cpu"}) {
        SCOPED_TRACE(dtype + " " + backend + (fallback ? " fallback" : ""));
        Tensor got = run("flipscope.LowpGemm", {a, b}, {{"dtype", a_str(dtype)}}, backend)[0];
        Tensor emu = run("flipscope.FusedGemm", {rounded(a, dtype), rounded(b, dtype)}, {}, "reference")[0];
        Tensor raw = run("flipscope.FusedGemm", {a, b}, {}, "reference")[0];
        EXPECT_EQ(compare_outputs(got, emu), "");
        EXPECT_NE(compare_outputs(got, raw), "") << "16-bit operands must change the result";
      }
  }
}

// fp16 accumulation: the sum (no bias / activation) is an fp16 value, and it differs from the fp32
// accumulation of the same fp16 operands on a long positive sum (K = 1000, where fp16 running sums
// lose low bits).
TEST(Lowp, Fp16AccumulationRoundsTheSum) {
  Tensor a = random_f32({2, 1000}, 3, 0.0f, 1.0f), b = random_f32({1000, 24}, 4, 0.0f, 1.0f);
  for (const std::string backend : {"reference", "cpu"}) {
    Tensor acc16 =
        run("flipscope.LowpGemm", {a, b}, {{"dtype", a_str("fp16")}, {"accumulate", a_str("fp16")}}, backend)[0];
    Tensor acc32 = run("flipscope.LowpGemm", {a, b}, {{"dtype", a_str("fp16")}}, backend)[0];
    for (float v : acc16.span<float>()) EXPECT_EQ(v, half_to_float(float_to_half(v))) << backend;
    EXPECT_NE(compare_outputs(acc16, acc32), "") << backend;
  }
}

// ---- the precision passes ----------------------------------------------------------------------

struct Net {
  Graph g;
  ValueId x;
  explicit Net(Shape xs = {1, 3, 9, 9}) {
    g.opset = 17;
    SymShape s;
    for (int64_t d : xs) s.push_back({d, ""});
    x = g.add_value("x", DType::F32, s);
    g.add_input(x);
  }
  ValueId node(const std::string& name, const std::string& op, std::vector<ValueId> in, Attrs attrs = {}) {
    Node n;
    n.name = name;
    n.op_type = op;
    n.opset = 17;
    n.inputs = std::move(in);
    n.outputs = {g.add_value(name + "_y", DType::F32)};
    n.attrs = std::move(attrs);
    return g.node(g.add_node(std::move(n))).outputs[0];
  }
  ValueId c(const std::string& name, Tensor t) { return g.add_constant(name, std::move(t)); }
  std::shared_ptr<Graph> done(ValueId y) {
    g.set_outputs({y});
    g.validate();
    return std::make_shared<Graph>(g);
  }
};

// x -> conv1 (3->16, 3x3) -> Relu -> dw (depthwise 3x3) -> conv2 (1x1, 16->24) + conv-fed-W ->
// GlobalAveragePool -> Flatten -> fc (Gemm) -> mm (MatMul, constant B).
std::shared_ptr<Graph> small_net(uint32_t seed = 1) {
  Net b;
  const Attrs pad1 = {{"pads", a_ints({1, 1, 1, 1})}};
  ValueId y = b.node("conv1", "Conv",
                     {b.x, b.c("w1", random_f32({16, 3, 3, 3}, seed)), b.c("b1", random_f32({16}, seed + 1))}, pad1);
  y = b.node("relu", "Relu", {y});
  Attrs dw = pad1;
  dw["group"] = a_int(16);
  y = b.node("dw", "Conv", {y, b.c("wdw", random_f32({16, 1, 3, 3}, seed + 2))}, dw);
  y = b.node("conv2", "Conv",
             {y, b.c("w2", random_f32({24, 16, 1, 1}, seed + 3)), b.c("b2", random_f32({24}, seed + 4))});
  y = b.node("gap", "GlobalAveragePool", {y});
  y = b.node("flat", "Flatten", {y});
  y = b.node("fc", "Gemm", {y, b.c("wfc", random_f32({10, 24}, seed + 5)), b.c("bfc", random_f32({10}, seed + 6))},
             {{"transB", a_int(1)}});
  y = b.node("mm", "MatMul", {y, b.c("wmm", random_f32({10, 7}, seed + 7))});
  return b.done(y);
}

int count_op(const Graph& g, const std::string& op) {
  int n = 0;
  for (NodeId id : g.topo_order()) n += g.node(id).op_type == op;
  return n;
}
const Node* find_origin(const Graph& g, const std::string& origin) {
  for (NodeId id : g.topo_order())
    if (PassContext::origin(g.node(id)) == origin && g.node(id).op_type != "flipscope.RoundTo") return &g.node(id);
  return nullptr;
}

OptimizeOptions opts(const std::string& precision) {
  OptimizeOptions o;
  o.backend = "cpu";
  o.precision = precision;
  o.validate_each_pass = true;
  return o;
}

Tensor run_graph(const Graph& g, const Tensor& x) {
  Session s(std::make_shared<Graph>(g), SessionOptions{.backend = "cpu"});
  return s.run({{"x", x}}).outputs[0];
}

TEST(LowpPass, RewritesHeavyOpsOnly) {
  auto g = small_net();
  for (const std::string p : {"fp16", "bf16", "fp16-accumulate"}) {
    SCOPED_TRACE(p);
    OptimizeResult r = optimize(*g, {}, opts(p));
    const bool acc16 = p == "fp16-accumulate";
    EXPECT_EQ(count_op(*r.graph, "flipscope.LowpConv"), acc16 ? 3 : 2) << "depthwise only with fp16 accumulation";
    EXPECT_EQ(count_op(*r.graph, "flipscope.LowpGemm"), 2);
    EXPECT_GE(count_op(*r.graph, "flipscope.RoundTo"), 6) << "every float producer keeps its rounding";
    const Node* c1 = find_origin(*r.graph, "conv1");
    ASSERT_NE(c1, nullptr);
    EXPECT_EQ(c1->op_type, "flipscope.LowpConv");
    EXPECT_EQ(c1->attr_string("dtype", ""), p == "bf16" ? "bf16" : "fp16");
    EXPECT_EQ(c1->attr_string("accumulate", "fp32"), acc16 ? "fp16" : "fp32");
    EXPECT_EQ(c1->provenance, std::vector<std::string>{"conv1"});
    const Node* dw = find_origin(*r.graph, "dw");
    ASSERT_NE(dw, nullptr);
    EXPECT_EQ(dw->op_type, acc16 ? "flipscope.LowpConv" : "Conv");
    int lowp_rewrites = 0;
    for (const Rewrite& rw : r.rewrites) lowp_rewrites += rw.detail.find("dtype=") != std::string::npos;
    EXPECT_EQ(lowp_rewrites, acc16 ? 5 : 4);
  }
  // The emulation passes keep every kernel in fp32.
  OptimizeResult e = optimize(*g, parse_pipeline("precision-fp16-emulated"), opts("fp32"));
  EXPECT_EQ(count_op(*e.graph, "flipscope.LowpConv") + count_op(*e.graph, "flipscope.LowpGemm"), 0);
}

TEST(LowpPass, FusedOpsAndKeepFp32) {
  auto g = small_net();
  OptimizeOptions o = opts("bf16");
  OptimizeResult fused = optimize(*g, parse_pipeline("O2"), o);
  EXPECT_EQ(count_op(*fused.graph, "flipscope.LowpConv"), 2) << "FusedConv (conv1 + Relu) too";
  const Node* c1 = find_origin(*fused.graph, "relu");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->op_type, "flipscope.LowpConv");
  EXPECT_EQ(c1->attr_string("activation", ""), "Relu");
  o.keep_fp32 = {"conv1", "fc"};
  OptimizeResult kept = optimize(*g, {}, o);
  EXPECT_EQ(count_op(*kept.graph, "flipscope.LowpConv"), 1);
  EXPECT_EQ(count_op(*kept.graph, "flipscope.LowpGemm"), 1);
  EXPECT_EQ(find_origin(*kept.graph, "conv1")->op_type, "Conv");
  EXPECT_EQ(find_origin(*kept.graph, "fc")->op_type, "Gemm");
}

// Near misses: a Conv whose weights are fed at run time, a MatMul with a 3-D A.
TEST(LowpPass, NearMisses) {
  Net b({1, 2, 5, 5});
  ValueId w = b.g.add_value("w", DType::F32, SymShape{{4, ""}, {2, ""}, {3, ""}, {3, ""}});
  b.g.add_input(w);
  ValueId y = b.node("conv", "Conv", {b.x, w});
  y = b.node("mm", "MatMul", {y, b.c("wmm", random_f32({3, 6}, 1))});
  auto g = b.done(y);
  OptimizeResult r = optimize(*g, {}, opts("fp16"));
  EXPECT_EQ(count_op(*r.graph, "Conv"), 1);
  EXPECT_EQ(count_op(*r.graph, "MatMul"), 1);
  EXPECT_EQ(count_op(*r.graph, "flipscope.LowpConv") + count_op(*r.graph, "flipscope.LowpGemm"), 0);
}

// The real 16-bit kernels give the numbers of the rounding-only emulation: the fp32 sums of the same
// 16-bit operands in another order, after which a RoundTo may land one 16-bit ulp apart, hence the
// comparison at the 16-bit dtype's tolerance; most elements are identical.
TEST(LowpPass, RealKernelsMatchEmulation) {
  auto g = small_net(7);
  Tensor x = random_f32({1, 3, 9, 9}, 9);
  for (bool fallback : {false, true}) {
    ForceFallback force(fallback);
    for (const std::string p : {"fp16", "bf16"}) {
      SCOPED_TRACE(p + (fallback ? " fallback" : ""));
      OptimizeResult real = optimize(*g, parse_pipeline("O2"), opts(p));
      OptimizeResult emu = optimize(*g, parse_pipeline("O2,precision-" + p + "-emulated"), opts("fp32"));
      Tensor a = run_graph(*real.graph, x), e = run_graph(*emu.graph, x);
      const Tolerance tol = tolerance_for(p == "fp16" ? DType::F16 : DType::BF16, ToleranceClass::Conformance);
      int64_t same = 0;
      for (int64_t i = 0; i < a.numel(); ++i) {
        EXPECT_TRUE(within(a.get_f64(i), e.get_f64(i), tol)) << i << ": " << a.get_f64(i) << " vs " << e.get_f64(i);
        same += a.get_f64(i) == e.get_f64(i);
      }
      std::printf("%s%s: %lld/%lld outputs identical to the emulation\n", p.c_str(), fallback ? " fallback" : "",
                  static_cast<long long>(same), static_cast<long long>(a.numel()));
      EXPECT_NE(compare_outputs(a, run_graph(*g, x)), "") << "16-bit storage changes the result";
    }
  }
}

}  // namespace
}  // namespace fs::test
