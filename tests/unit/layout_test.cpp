// Channels-last layout: the flipscope.Nhwc* kernels (cpu vs reference on shapes that hit vector
// tails, and the reference vs the NCHW ops on transposed data), and the layout-nhwc pass (regions,
// boundary transposes, cancellation, near misses, Concat, provenance, numbers).
#include "engine/error.h"
#include "engine/session.h"
#include "optimizer/pass.h"
#include "tests/unit/pass_test_util.h"

namespace fs::test {
namespace {

using Attrs = std::map<std::string, Attribute>;

// NCHW <-> NHWC copies of a 4-D float tensor.
Tensor to_nhwc(const Tensor& t) {
  const int64_t n_ = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3);
  Tensor r(t.dtype(), {n_, h, w, c});
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          r.set_f64(((n * h + y) * w + x) * c + ch, t.get_f64(((n * c + ch) * h + y) * w + x));
  return r;
}
Tensor to_nchw(const Tensor& t) {
  const int64_t n_ = t.dim(0), h = t.dim(1), w = t.dim(2), c = t.dim(3);
  Tensor r(t.dtype(), {n_, c, h, w});
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          r.set_f64(((n * c + ch) * h + y) * w + x, t.get_f64(((n * h + y) * w + x) * c + ch));
  return r;
}

std::vector<Tensor> run1(const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs,
                         const std::string& backend) {
  std::vector<OpInput> fed;
  for (const Tensor& t : in) fed.push_back({t, false});
  return run_node(op, fed, attrs, 1, backend, 1);
}

// ---- kernels ---------------------------------------------------------------------------------

struct ConvCase {
  Shape x;  // NHWC
  Shape w;  // OIHW
  Attrs attrs;
};

std::vector<ConvCase> conv_cases() {
  return {
      {{1, 7, 9, 3}, {13, 3, 1, 1}, {}},                                                        // pointwise
      {{3, 5, 7, 24}, {24, 24, 1, 1}, {}},                                                      // pointwise, batch 3
      {{1, 6, 5, 1}, {1, 1, 1, 1}, {}},                                                         // one channel
      {{1, 9, 11, 13}, {13, 1, 3, 3}, {{"group", a_int(13)}, {"pads", a_ints({1, 1, 1, 1})}}},  // depthwise
      {{3, 8, 7, 24},
       {24, 1, 3, 3},
       {{"group", a_int(24)}, {"strides", a_ints({2, 2})}, {"pads", a_ints({0, 1, 1, 0})}}},  // depthwise s2
      {{1, 11, 9, 6}, {12, 1, 3, 3}, {{"group", a_int(6)}, {"dilations", a_ints({2, 1})}}},   // depth multiplier 2
      {{1, 13, 13, 3}, {24, 3, 3, 3}, {{"strides", a_ints({2, 2})}, {"pads", a_ints({1, 1, 0, 0})}}},
      {{2, 10, 10, 4}, {6, 2, 3, 3}, {{"group", a_int(2)}, {"dilations", a_ints({2, 2})}}},
      {{1, 8, 8, 13}, {24, 13, 1, 1}, {{"strides", a_ints({2, 2})}}},  // 1x1 stride 2: im2col
      {{1, 7, 7, 5}, {5, 5, 3, 3}, {{"auto_pad", a_str("SAME_UPPER")}, {"strides", a_ints({2, 2})}}},
      {{3, 5, 6, 2}, {3, 2, 5, 5}, {{"pads", a_ints({2, 2, 2, 2})}}},
      {{1, 9, 7, 13}, {24, 13, 3, 3}, {{"strides", a_ints({1, 2})}, {"pads", a_ints({1, 1, 1, 1})}}},  // im2col
      {{1, 5, 6, 45}, {45, 1, 3, 3}, {{"group", a_int(45)}, {"pads", a_ints({1, 1, 1, 1})}}},          // 32 + 8 + 5
      {{3, 5, 7, 24}, {16, 3, 1, 1}, {{"group", a_int(8)}}},  // grouped pointwise (ShuffleNet)
      {{1, 7, 6, 40}, {8, 20, 3, 3}, {{"group", a_int(2)}, {"pads", a_ints({1, 1, 1, 1})}}},  // grouped im2col
  };
}

const std::vector<std::pair<std::string, std::vector<float>>> kActivations = {
    {"", {}},        {"Relu", {}},        {"Clip", {-0.5f, 0.75f}}, {"LeakyRelu", {0.1f}},
    {"Sigmoid", {}}, {"HardSigmoid", {}}, {"HardSwish", {}},        {"Tanh", {}}};

Shape nhwc_conv_out(const ConvCase& c) {
  Tensor y = run1("Conv", {to_nchw(random_f32(c.x, 1)), random_f32(c.w, 2)}, c.attrs, "reference")[0];
  return {y.dim(0), y.dim(2), y.dim(3), y.dim(1)};
}

TEST(Layout, NhwcConvCpuMatchesReference) {
  uint32_t seed = 100;
  int k = 0;
  for (const ConvCase& s : conv_cases()) {
    const Shape ys = nhwc_conv_out(s);
    for (size_t ai = 0; ai < kActivations.size(); ++ai, ++k) {
      CpuCase c;
      c.op = "flipscope.NhwcConv";
      c.attrs = s.attrs;
      c.attrs["activation"] = a_str(kActivations[ai].first);
      if (!kActivations[ai].second.empty())
        c.attrs["activation_params"] = Attribute::make_floats(kActivations[ai].second);
      const bool bias = k % 2 == 0, residual = k % 3 != 1;
      c.inputs = {random_f32(s.x, seed++), random_f32(s.w, seed++), bias ? random_f32({s.w[0]}, seed++) : Tensor()};
      if (residual) c.inputs.push_back(random_f32(ys, seed++));
      c.params = {1};
      expect_cpu_matches_reference(c, kActivations[ai].first + " x" + shape_str(s.x) + " w" + shape_str(s.w) +
                                          (bias ? " +B" : "") + (residual ? " +Z" : ""));
    }
  }
}

// The NHWC reference is the NCHW reference FusedConv on transposed data (guards the oracle itself).
TEST(Layout, NhwcConvReferenceIsFusedConvTransposed) {
  uint32_t seed = 500;
  for (const ConvCase& s : conv_cases()) {
    const Shape ys = nhwc_conv_out(s);
    Attrs attrs = s.attrs;
    attrs["activation"] = a_str("HardSwish");
    Tensor x = random_f32(s.x, seed++), w = random_f32(s.w, seed++), b = random_f32({s.w[0]}, seed++);
    Tensor z = random_f32(ys, seed++);
    Tensor got = run1("flipscope.NhwcConv", {x, w, b, z}, attrs, "reference")[0];
    Tensor want = run1("flipscope.FusedConv", {to_nchw(x), w, b, to_nchw(z)}, attrs, "reference")[0];
    EXPECT_EQ(compare_outputs(got, to_nhwc(want)), "") << shape_str(s.x) << " " << shape_str(s.w);
  }
}

struct PoolCase {
  Shape x;  // NHWC
  Attrs attrs;
};

std::vector<PoolCase> pool_cases() {
  return {
      {{1, 9, 11, 13}, {{"kernel_shape", a_ints({3, 3})}, {"strides", a_ints({2, 2})}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{3, 8, 8, 24}, {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}}},
      {{1, 7, 7, 3},
       {{"kernel_shape", a_ints({3, 2})},
        {"strides", a_ints({2, 2})},
        {"ceil_mode", a_int(1)},
        {"pads", a_ints({1, 0, 1, 1})}}},
      {{3, 10, 9, 1}, {{"kernel_shape", a_ints({3, 3})}, {"dilations", a_ints({2, 1})}}},
      {{1, 6, 6, 5},
       {{"kernel_shape", a_ints({3, 3})}, {"auto_pad", a_str("SAME_LOWER")}, {"strides", a_ints({2, 2})}}},
  };
}

TEST(Layout, NhwcPoolsCpuMatchReference) {
  uint32_t seed = 900;
  for (const PoolCase& p : pool_cases()) {
    for (const std::string op : {"MaxPool", "AveragePool"}) {
      for (int count_pad : {0, 1}) {
        if (op == "MaxPool" && count_pad == 1) continue;
        if (op == "AveragePool" && p.attrs.count("dilations")) continue;  // AveragePool dilations need opset 19
        CpuCase c;
        c.op = "flipscope.Nhwc" + op;
        c.attrs = p.attrs;
        if (op == "AveragePool") c.attrs["count_include_pad"] = a_int(count_pad);
        c.inputs = {random_f32(p.x, seed++)};
        expect_cpu_matches_reference(c, op + " x" + shape_str(p.x) + " count_pad " + std::to_string(count_pad));
        // ... and the NHWC reference is the NCHW op on transposed data.
        Tensor got = run1(c.op, c.inputs, c.attrs, "reference")[0];
        Tensor want = run1(op, {to_nchw(c.inputs[0])}, c.attrs, "reference")[0];
        EXPECT_EQ(compare_outputs(got, to_nhwc(want)), "") << op << " " << shape_str(p.x);
      }
    }
  }
  for (const Shape& s : {Shape{1, 7, 7, 13}, Shape{3, 5, 3, 24}, Shape{1, 1, 1, 1}}) {
    CpuCase c;
    c.op = "flipscope.NhwcGlobalAveragePool";
    c.inputs = {random_f32(s, seed++)};
    expect_cpu_matches_reference(c, shape_str(s));
    Tensor got = run1(c.op, c.inputs, {}, "reference")[0];
    Tensor want = run1("GlobalAveragePool", {to_nchw(c.inputs[0])}, {}, "reference")[0];
    EXPECT_EQ(compare_outputs(got, to_nhwc(want)), "") << shape_str(s);
  }
}

TEST(Layout, MaxPoolPropagatesNan) {
  Tensor x = random_f32({1, 4, 4, 3}, 7);
  x.data<float>()[(1 * 4 + 1) * 3 + 2] = std::nanf("");
  for (const std::string backend : {"reference", "cpu"}) {
    Tensor y =
        run1("flipscope.NhwcMaxPool", {x}, {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}}, backend)[0];
    EXPECT_TRUE(std::isnan(y.data<float>()[2])) << backend;
    EXPECT_FALSE(std::isnan(y.data<float>()[1])) << backend;
  }
}

TEST(Layout, SchemaErrorsNameTheNode) {
  try {
    run1("flipscope.NhwcConv", {random_f32({1, 3, 8}, 1), random_f32({4, 3, 3}, 2)}, {}, "reference");
    FAIL() << "3-D input accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("n0"), std::string::npos) << e.what();
  }
  try {
    run1("flipscope.NhwcConv", {random_f32({1, 8, 8, 3}, 1), random_f32({4, 3, 3, 3}, 2)},
         {{"algorithm", a_str("winograd")}}, "reference");
    FAIL() << "algorithm accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'algorithm'"), std::string::npos) << e.what();
  }
}

// ---- the layout-nhwc pass --------------------------------------------------------------------

// The nhwc tests' graphs: input [1, 3, 9, 8] unless given.
struct Builder : GraphBuilder {
  explicit Builder(std::optional<SymShape> xs = SymShape{{1, ""}, {3, ""}, {9, ""}, {8, ""}})
      : GraphBuilder(std::move(xs)) {}
};

OptimizeOptions cpu_opts() { return cpu_pass_opts(); }

TEST(Layout, ConvReluConvChainHasTwoBoundaryTransposes) {
  for (const std::string passes : {"layout-nhwc", "O2,layout-nhwc"}) {
    Builder b;
    ValueId y = b.conv("conv2", b.node("relu", "Relu", {b.conv("conv1", b.x, 3, 5, 1)}), 5, 4, 3);
    OptimizeResult r = optimize_and_check(b.done(y), passes, {1, 3, 9, 8});
    const Graph& g = *r.graph;
    EXPECT_EQ(count_op(g, "Transpose"), 2) << passes;
    EXPECT_EQ(count_op(g, "flipscope.NhwcConv"), 2) << passes;
    EXPECT_EQ(count_op(g, "Conv") + count_op(g, "flipscope.FusedConv"), 0) << passes;
    ASSERT_FALSE(r.rewrites.empty());
    // The region's id is its first node's original name (after O2 the fused conv1+relu stands for relu).
    EXPECT_EQ(r.rewrites.back().id, passes == "layout-nhwc" ? "layout-nhwc@conv1" : "layout-nhwc@relu");
    // The output keeps its ONNX name; its producer stands for conv2 (provenance).
    const Value& out = g.value(g.outputs()[0]);
    EXPECT_EQ(out.name, "conv2_y");
    const Node& t = g.node(out.producer);
    EXPECT_EQ(t.op_type, "Transpose");
    ASSERT_FALSE(t.provenance.empty());
    EXPECT_EQ(t.provenance.back(), "conv2");
  }
}

TEST(Layout, LeavesNonFourDAndUnknownRankAlone) {
  {  // 1-D conv: input [1, 3, 17]
    Builder b(SymShape{{1, ""}, {3, ""}, {17, ""}});
    ValueId y = b.node("conv", "Conv", {b.x, b.c("w", random_f32({4, 3, 3}, 1)), b.c("b", random_f32({4}, 2))},
                       {{"pads", a_ints({1, 1})}});
    OptimizeResult r = optimize(*b.done(b.node("relu", "Relu", {y})), parse_pipeline("layout-nhwc"), cpu_opts());
    EXPECT_TRUE(r.rewrites.empty());
    EXPECT_EQ(count_op(*r.graph, "Transpose"), 0);
  }
  {  // 3-D conv: input [1, 2, 5, 5, 5]
    Builder b(SymShape{{1, ""}, {2, ""}, {5, ""}, {5, ""}, {5, ""}});
    ValueId y = b.node("conv", "Conv", {b.x, b.c("w", random_f32({3, 2, 3, 3, 3}, 1))});
    OptimizeResult r = optimize(*b.done(y), parse_pipeline("layout-nhwc"), cpu_opts());
    EXPECT_TRUE(r.rewrites.empty());
  }
  {  // unknown rank: the input has no shape
    Builder b(std::nullopt);
    ValueId y = b.conv("conv", b.x, 3, 4, 1);
    OptimizeOptions no_types;  // nothing to re-infer after the pass either
    no_types.backend = "cpu";
    OptimizeResult r = optimize(*b.done(y), parse_pipeline("layout-nhwc"), no_types);
    EXPECT_TRUE(r.rewrites.empty());
    EXPECT_EQ(count_op(*r.graph, "Conv"), 1);
  }
  {  // a lone pool is not worth two transposes; a forced conv algorithm stays
    Builder b;
    ValueId p = b.node("pool", "MaxPool", {b.x}, {{"kernel_shape", a_ints({2, 2})}});
    OptimizeResult r = optimize(*b.done(p), parse_pipeline("layout-nhwc"), cpu_opts());
    EXPECT_TRUE(r.rewrites.empty());
    Builder b2;
    ValueId y = b2.conv("conv", b2.x, 3, 4, 1);
    OptimizeResult r2 = optimize(*b2.done(y), parse_pipeline("conv-algo-direct,layout-nhwc"), cpu_opts());
    EXPECT_EQ(count_op(*r2.graph, "flipscope.NhwcConv"), 0);
  }
}

TEST(Layout, ConcatPoolsAndPerChannelConstantsStayCorrect) {
  Builder b;
  ValueId a = b.conv("ca", b.x, 3, 4, 1);
  ValueId c = b.conv("cb", b.x, 3, 6, 3, {{"pads", a_ints({1, 1, 1, 1})}});
  ValueId cat = b.node("cat", "Concat", {a, c}, {{"axis", a_int(1)}});
  ValueId mul = b.node("mul", "Mul", {cat, b.c("scale", random_f32({10, 1, 1}, 5))});
  ValueId add = b.node("add", "Add", {mul, b.c("shift", random_f32({1, 10, 1, 1}, 6))});
  ValueId pool = b.node("pool", "MaxPool", {add}, {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}});
  ValueId d = b.conv("cd", pool, 10, 7, 7);
  ValueId sum = b.node("sum", "Add", {d, b.node("act", "HardSwish", {d})});
  ValueId avg = b.node("avg", "AveragePool", {sum}, {{"kernel_shape", a_ints({3, 3})}, {"pads", a_ints({1, 1, 1, 1})}});
  ValueId gap = b.node("gap", "GlobalAveragePool", {avg});
  ValueId y = b.node("flat", "Flatten", {gap});
  OptimizeResult r = optimize_and_check(b.done(y), "O2,layout-nhwc", {1, 3, 9, 8});
  const Graph& g = *r.graph;
  EXPECT_EQ(count_op(g, "Transpose"), 2);  // x in, the pooled features out
  EXPECT_EQ(count_op(g, "flipscope.NhwcGlobalAveragePool"), 1);
  for (const Node& n : g.nodes())
    if (!n.dead && n.op_type == "Concat") {
      EXPECT_EQ(n.attr_int("axis"), 3);
    }
}

TEST(Layout, CancelsExistingTransposesAndValueWithOutsideConsumers) {
  // x is NHWC: Transpose(0,3,1,2) -> Conv -> Relu -> Transpose(0,2,3,1) -> y: no transpose left.
  {
    Builder b(SymShape{{1, ""}, {9, ""}, {8, ""}, {3, ""}});
    ValueId t = b.node("to_nchw", "Transpose", {b.x}, {{"perm", a_ints({0, 3, 1, 2})}});
    ValueId r = b.node("relu", "Relu", {b.conv("conv", t, 3, 4, 1)});
    ValueId y = b.node("to_nhwc", "Transpose", {r}, {{"perm", a_ints({0, 2, 3, 1})}});
    OptimizeResult res = optimize_and_check(b.done(y), "layout-nhwc", {1, 9, 8, 3});
    EXPECT_EQ(count_op(*res.graph, "Transpose"), 0);
    EXPECT_EQ(res.graph->value(res.graph->outputs()[0]).name, "to_nhwc_y");
  }
  // A conv output also read by a Softmax outside the region: one transpose back for it, shared.
  {
    Builder b;
    ValueId c1 = b.conv("c1", b.x, 3, 4, 1);
    ValueId c2 = b.conv("c2", c1, 4, 4, 2);
    ValueId s = b.node("soft", "Softmax", {c1}, {{"axis", a_int(1)}});
    ValueId y = b.node("add", "Add", {c2, s});
    OptimizeResult res = optimize_and_check(b.done(y), "layout-nhwc", {1, 3, 9, 8});
    // x in; c1 out to Softmax; Softmax's output into the region's Add; the Add out.
    EXPECT_EQ(count_op(*res.graph, "Transpose"), 4);
  }
}

TEST(Layout, FilterSkipsTheRegion) {
  Builder b;
  ValueId y = b.conv("conv2", b.node("relu", "Relu", {b.conv("conv1", b.x, 3, 5, 1)}), 5, 4, 3);
  auto g = b.done(y);
  OptimizeOptions o = cpu_opts();
  o.filter.only_set = true;
  o.filter.only = {"layout-nhwc@nothing"};
  OptimizeResult r = optimize(*g, parse_pipeline("layout-nhwc"), o);
  EXPECT_TRUE(r.rewrites.empty());
  EXPECT_EQ(count_op(*r.graph, "Conv"), 2);
  o.filter.only = {"layout-nhwc@conv1"};
  r = optimize(*g, parse_pipeline("layout-nhwc"), o);
  EXPECT_EQ(r.rewrites.size(), 1u);
}

}  // namespace
}  // namespace fs::test
