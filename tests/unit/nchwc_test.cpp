// Blocked layout (NCHW16c / NCHW8c): the flipscope.Nchwc* kernels (cpu vs reference on shapes with
// partial blocks, both block sizes, every activation the pass emits, residuals, batches, fed and
// constant weights), the reference vs the NCHW ops on re-blocked data, and the layout-nchwc pass
// (regions, conversions, near misses, cost model, precision, numbers).
#include <cmath>

#include "engine/session.h"
#include "optimizer/pass.h"
#include "tests/unit/pass_test_util.h"

namespace fs::test {
namespace {

using Attrs = std::map<std::string, Attribute>;

// NCHW -> [N, ceil(C/b), H, W, b] with zero padded channels, and back (the test's own index maps).
Tensor block(const Tensor& t, int64_t b) {
  const int64_t n_ = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3), cb = (c + b - 1) / b;
  Tensor r(DType::F32, {n_, cb, h, w, b});
  for (int64_t i = 0; i < r.numel(); ++i) r.set_f64(i, 0.0);
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          r.set_f64((((n * cb + ch / b) * h + y) * w + x) * b + ch % b, t.get_f64(((n * c + ch) * h + y) * w + x));
  return r;
}

std::vector<Tensor> run1(const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs,
                         const std::string& backend) {
  std::vector<OpInput> fed;
  for (const Tensor& t : in) fed.push_back({t, false});
  return run_node(op, fed, attrs, 1, backend, 1);
}

struct ConvCase {
  Shape x;  // NCHW
  Shape w;  // OIHW
  Attrs attrs;
};

std::vector<ConvCase> conv_cases() {
  return {
      {{1, 16, 9, 11}, {32, 16, 3, 3}, {{"pads", a_ints({1, 1, 1, 1})}}},
      {{2, 20, 7, 8}, {24, 20, 3, 3}, {{"pads", a_ints({1, 1, 1, 1})}}},  // partial blocks, batch 2
      {{1, 32, 13, 13}, {40, 32, 3, 3}, {{"strides", a_ints({2, 2})}, {"pads", a_ints({1, 0, 1, 0})}}},
      {{1, 16, 12, 12}, {16, 16, 3, 3}, {{"pads", a_ints({2, 2, 2, 2})}, {"dilations", a_ints({2, 2})}}},
      {{1, 48, 6, 5}, {24, 48, 1, 1}, {}},                                                      // pointwise
      {{1, 24, 10, 9}, {24, 1, 3, 3}, {{"group", a_int(24)}, {"pads", a_ints({1, 1, 1, 1})}}},  // depthwise
      {{2, 40, 11, 11},
       {40, 1, 3, 3},
       {{"group", a_int(40)}, {"strides", a_ints({2, 2})}, {"pads", a_ints({1, 1, 1, 1})}}},
      {{1, 16, 14, 14}, {16, 1, 5, 5}, {{"group", a_int(16)}, {"pads", a_ints({2, 2, 2, 2})}}},
      {{1, 16, 7, 7}, {8, 16, 3, 3}, {{"auto_pad", a_str("SAME_UPPER")}}},
  };
}

// The activations the pass puts into NchwcConv (f(0) = 0, so padded channels stay zero).
const std::vector<std::pair<std::string, std::vector<float>>> kActivations = {
    {"", {}}, {"Relu", {}}, {"Clip", {-0.5f, 0.75f}}, {"LeakyRelu", {0.1f}}, {"HardSwish", {}}, {"Tanh", {}}};

Shape conv_out(const ConvCase& c) {
  return run1("Conv", {random_f32(c.x, 1), random_f32(c.w, 2)}, c.attrs, "reference")[0].shape();
}

TEST(Nchwc, ConvCpuMatchesReference) {
  uint32_t seed = 100;
  int k = 0;
  for (int64_t b : {16, 8})
    for (const ConvCase& s : conv_cases()) {
      const Shape ys = conv_out(s);
      for (size_t ai = 0; ai < kActivations.size(); ++ai, ++k) {
        CpuCase c;
        c.op = "flipscope.NchwcConv";
        c.attrs = s.attrs;
        c.attrs["block"] = a_int(b);
        c.attrs["activation"] = a_str(kActivations[ai].first);
        if (!kActivations[ai].second.empty())
          c.attrs["activation_params"] = Attribute::make_floats(kActivations[ai].second);
        const bool bias = k % 2 == 0, residual = k % 3 != 1;
        c.inputs = {block(random_f32(s.x, seed++), b), random_f32(s.w, seed++),
                    bias ? random_f32({s.w[0]}, seed++) : Tensor()};
        if (residual) c.inputs.push_back(block(random_f32(ys, seed++), b));
        c.params = {1};
        expect_cpu_matches_reference(c, "b" + std::to_string(b) + " " + kActivations[ai].first + " x" + shape_str(s.x) +
                                            " w" + shape_str(s.w) + (bias ? " +B" : "") + (residual ? " +Z" : ""));
      }
    }
}

// The blocked reference is the NCHW reference FusedConv on re-blocked data (guards the oracle).
TEST(Nchwc, ConvReferenceIsFusedConvBlocked) {
  uint32_t seed = 500;
  for (const ConvCase& s : conv_cases()) {
    Attrs attrs = s.attrs;
    attrs["activation"] = a_str("HardSwish");
    Tensor x = random_f32(s.x, seed++), w = random_f32(s.w, seed++), bias = random_f32({s.w[0]}, seed++);
    Tensor z = random_f32(conv_out(s), seed++);
    Tensor want = run1("flipscope.FusedConv", {x, w, bias, z}, attrs, "reference")[0];
    attrs["block"] = a_int(16);
    Tensor got = run1("flipscope.NchwcConv", {block(x, 16), w, bias, block(z, 16)}, attrs, "reference")[0];
    EXPECT_EQ(compare_outputs(got, block(want, 16)), "") << shape_str(s.x) << " " << shape_str(s.w);
  }
}

TEST(Nchwc, ConversionsRoundTrip) {
  for (int64_t b : {16, 8})
    for (const Shape& s : std::vector<Shape>{{1, 20, 5, 7}, {3, 16, 4, 4}, {1, 3, 2, 9}}) {
      Tensor x = random_f32(s, 7);
      for (const std::string backend : {"reference", "cpu"}) {
        Tensor blk = run1("flipscope.ToNchwc", {x}, {{"block", a_int(b)}}, backend)[0];
        EXPECT_EQ(compare_outputs(blk, block(x, b)), "") << backend << " b" << b << " " << shape_str(s);
        Tensor back = run1("flipscope.FromNchwc", {blk}, {{"block", a_int(b)}, {"channels", a_int(s[1])}}, backend)[0];
        EXPECT_EQ(compare_outputs(back, x), "") << backend << " b" << b << " " << shape_str(s);
      }
    }
}

TEST(Nchwc, PoolsCpuMatchReference) {
  struct PoolCase {
    std::string op;
    Shape x;
    Attrs attrs;
  };
  const std::vector<PoolCase> cases = {
      {"MaxPool",
       {1, 20, 9, 9},
       {{"kernel_shape", a_ints({3, 3})}, {"strides", a_ints({2, 2})}, {"pads", a_ints({1, 1, 1, 1})}}},
      {"MaxPool",
       {2, 16, 8, 7},
       {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}, {"ceil_mode", a_int(1)}}},
      {"AveragePool", {1, 24, 9, 9}, {{"kernel_shape", a_ints({3, 3})}, {"pads", a_ints({1, 1, 1, 1})}}},
      {"AveragePool",
       {1, 16, 8, 8},
       {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}, {"count_include_pad", a_int(1)}}},
      {"AveragePool",
       {1, 16, 7, 7},
       {{"kernel_shape", a_ints({3, 3})}, {"strides", a_ints({2, 2})}, {"ceil_mode", a_int(1)}}},
      {"GlobalAveragePool", {2, 40, 7, 6}, {}},
  };
  uint32_t seed = 900;
  for (int64_t b : {16, 8})
    for (const PoolCase& p : cases) {
      CpuCase c;
      c.op = "flipscope.Nchwc" + p.op;
      c.attrs = p.attrs;
      c.attrs["block"] = a_int(b);
      Tensor x = random_f32(p.x, seed++);
      if (p.op == "MaxPool") x.set_f64(5, NAN);  // a NaN propagates as in MaxPool
      c.inputs = {block(x, b)};
      expect_cpu_matches_reference(c, p.op + " b" + std::to_string(b) + " " + shape_str(p.x));
      // and equals the NCHW op re-blocked
      Attrs base = p.attrs;
      Tensor want = run1(p.op, {x}, base, "reference")[0];
      Tensor got = run1(c.op, {block(x, b)}, c.attrs, "cpu")[0];
      EXPECT_EQ(compare_outputs(got, block(want, b)), "") << p.op << " b" << b;
    }
}

TEST(Nchwc, SchemaErrorsNameTheNode) {
  auto err = [](const std::string& op, const std::vector<Tensor>& in, const Attrs& attrs) {
    try {
      run1(op, in, attrs, "cpu");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(err("flipscope.ToNchwc", {random_f32({1, 3, 4, 4}, 1)}, {{"block", a_int(5)}}).find("block"),
            std::string::npos);
  EXPECT_NE(
      err("flipscope.FromNchwc", {random_f32({1, 2, 4, 4, 16}, 1)}, {{"block", a_int(16)}, {"channels", a_int(40)}})
          .find("channels"),
      std::string::npos);
  EXPECT_NE(err("flipscope.NchwcConv", {random_f32({1, 1, 4, 4, 16}, 1), random_f32({8, 32, 3, 3}, 2)},
                {{"block", a_int(16)}})
                .find("cannot hold 32 channels"),
            std::string::npos);
}

// Fed weights are reordered anew on every run (constant ones once).
TEST(Nchwc, FedWeightsChange) {
  expect_fed_weights_followed("flipscope.NchwcConv", {{"block", a_int(16)}, {"pads", a_ints({1, 1, 1, 1})}},
                              {1, 16, 6, 6}, {16, 16, 3, 3}, [](const Tensor& x) { return block(x, 16); });
}

// ---- the layout-nchwc pass -------------------------------------------------------------------

// The nchwc tests' graphs: input [1, c, hw, hw].
struct Builder : GraphBuilder {
  explicit Builder(int64_t c = 16, int64_t hw = 12) : GraphBuilder(SymShape{{1, ""}, {c, ""}, {hw, ""}, {hw, ""}}) {}
  ValueId conv(const std::string& name, ValueId in, int64_t cin, int64_t cout, uint32_t seed, int64_t k = 3) {
    return GraphBuilder::conv(name, in, cin, cout, seed, {}, k);
  }
};

OptimizeOptions cpu_opts(const std::string& precision = "fp32") { return cpu_pass_opts(precision); }

// conv -> relu -> conv (+ residual) -> maxpool -> gap: one region, one conversion in, one out.
std::shared_ptr<Graph> residual_block(Builder& b) {
  ValueId a = b.node("relu1", "Relu", {b.conv("conv1", b.x, 16, 32, 1)});
  ValueId c2 = b.conv("conv2", a, 32, 32, 3);
  ValueId sum = b.node("add", "Add", {c2, a});
  ValueId act = b.node("clip", "Clip",
                       {sum, b.c("lo", Tensor::from_vector<float>(DType::F32, {}, {0.0f})),
                        b.c("hi", Tensor::from_vector<float>(DType::F32, {}, {6.0f}))});
  ValueId pool = b.node("pool", "MaxPool", {act}, {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}});
  ValueId gap = b.node("gap", "GlobalAveragePool", {pool});
  return b.done(b.node("flat", "Flatten", {gap}));
}

TEST(Nchwc, ResidualBlockIsOneRegion) {
  for (const std::string passes : {"layout-nchwc", "O2"}) {
    Builder b;
    OptimizeResult r = optimize_and_check(residual_block(b), passes, {1, 16, 12, 12});
    const Graph& g = *r.graph;
    EXPECT_EQ(count_op(g, "flipscope.ToNchwc"), 1) << passes;
    EXPECT_EQ(count_op(g, "flipscope.FromNchwc"), 1) << passes;
    EXPECT_EQ(count_op(g, "flipscope.NchwcConv"), 2) << passes;
    EXPECT_EQ(count_op(g, "flipscope.NchwcMaxPool"), 1) << passes;
    EXPECT_EQ(count_op(g, "flipscope.NchwcGlobalAveragePool"), 1) << passes;
    EXPECT_EQ(count_op(g, "Conv") + count_op(g, "flipscope.FusedConv"), 0) << passes;
    for (const Node& n : g.nodes())
      if (!n.dead && n.op_type == "flipscope.NchwcConv") {
        EXPECT_FALSE(n.provenance.empty());
      }
    ASSERT_FALSE(r.rewrites.empty());
    EXPECT_EQ(r.rewrites.back().pass, "layout-nchwc");
  }
}

TEST(Nchwc, NearMissesStayPlain) {
  {  // fewer input channels than a block (a stem), and an activation with f(0) != 0, stay plain
    Builder b(3, 32);
    ValueId y = b.conv("stem", b.x, 3, 32, 1);
    ValueId s = b.node("sig", "Sigmoid", {b.conv("c2", y, 32, 32, 3)});
    OptimizeResult r = optimize_and_check(b.done(b.conv("c3", s, 32, 64, 5)), "O2", {1, 3, 32, 32});
    EXPECT_EQ(count_op(*r.graph, "Conv") + count_op(*r.graph, "flipscope.FusedConv"), 2);  // stem, c2+Sigmoid
    EXPECT_EQ(count_op(*r.graph, "flipscope.NchwcConv"), 1);                               // c3
  }
  {  // a lone cheap 1x1 convolution is not worth two conversions
    Builder b(16, 4);
    OptimizeResult r = optimize_and_check(b.done(b.conv("pw", b.x, 16, 16, 1, 1)), "layout-nchwc", {1, 16, 4, 4});
    EXPECT_TRUE(r.rewrites.empty());
  }
  {  // next to a region worth taking (3x3 conv + MaxPool, 32x32): an Add with a constant (would make
     // padded channels non-zero) and a Concat of partial blocks (64 + 20 channels) stay plain
    Builder b(16, 32);
    ValueId pool = b.node("pool", "MaxPool", {b.conv("c1", b.x, 16, 64, 1)},
                          {{"kernel_shape", a_ints({2, 2})}, {"strides", a_ints({2, 2})}});
    ValueId add = b.node("addc", "Add", {pool, b.c("k", random_f32({64, 1, 1}, 9))});
    ValueId c2 = b.GraphBuilder::conv("c2", b.x, 16, 20, 5, {{"strides", a_ints({2, 2})}});
    ValueId cat = b.node("cat", "Concat", {add, c2}, {{"axis", a_int(1)}});
    OptimizeResult r = optimize_and_check(b.done(cat), "layout-nchwc", {1, 16, 32, 32});
    const Graph& g = *r.graph;
    EXPECT_EQ(count_op(g, "flipscope.NchwcConv"), 1);  // c1 (with the pool); c2 is not worth it alone
    EXPECT_EQ(count_op(g, "flipscope.NchwcMaxPool"), 1);
    int checked = 0;
    for (const Node& n : g.nodes())
      if (!n.dead && (n.op_type == "Add" || n.op_type == "Concat"))
        for (ValueId v : n.inputs) {
          const NodeId p = g.value(v).producer;
          if (p < 0) continue;
          ++checked;
          EXPECT_EQ(g.node(p).op_type.rfind("flipscope.Nchwc", 0), std::string::npos)
              << n.op_type << " reads a blocked value";
          EXPECT_NE(g.node(p).op_type, "flipscope.ToNchwc") << n.op_type << " reads a blocked value";
        }
    EXPECT_EQ(checked, 3);  // Add <- FromNchwc(pool), Concat <- Add and Conv c2
  }
  {  // reduced precision: the precision pass gets the convolutions
    Builder b;
    OptimizeResult r = optimize(*residual_block(b), parse_pipeline("O2"), cpu_opts("fp16"));
    EXPECT_EQ(count_op(*r.graph, "flipscope.NchwcConv"), 0);
  }
  {  // the rewrite filter skips the region
    Builder b;
    OptimizeOptions o = cpu_opts();
    o.filter.only_set = true;
    OptimizeResult r = optimize(*residual_block(b), parse_pipeline("layout-nchwc"), o);
    EXPECT_EQ(count_op(*r.graph, "flipscope.NchwcConv"), 0);
  }
}

}  // namespace
}  // namespace fs::test
