// Optimizer passes on hand-built graphs: each pattern applies where it should and not in its near
// misses, the rewritten graph validates with kernels on the cpu backend, rewrites carry ids and
// provenance, the filter (--max-rewrites / --rewrites) works, and exact passes keep the numbers.
#include <gtest/gtest.h>

#include <random>

#include "engine/error.h"
#include "engine/half.h"
#include "engine/session.h"
#include "optimizer/pass.h"
#include "tests/unit/test_util.h"

namespace fs {
namespace {

Tensor random_f32(Shape s, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::F32, s);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// x[1,3,8,8] -> Conv(3->4, 3x3, pad 1) -> BatchNormalization -> Relu -> y; `extra_bn_use` gives
// the conv output a second consumer (a near miss for fold-batchnorm).
struct Builder {
  Graph g;
  ValueId x;
  Builder() {
    g.opset = 17;
    x = g.add_value("x", DType::F32, SymShape{{1, ""}, {3, ""}, {8, ""}, {8, ""}});
    g.add_input(x);
  }
  NodeId node(const std::string& name, const std::string& op, std::vector<ValueId> in, const std::string& out,
              std::map<std::string, Attribute> attrs = {}) {
    Node n;
    n.name = name;
    n.op_type = op;
    n.opset = 17;
    n.inputs = std::move(in);
    n.outputs = {g.add_value(out, DType::F32)};
    n.attrs = std::move(attrs);
    return g.add_node(std::move(n));
  }
  ValueId out(NodeId n) { return g.node(n).outputs[0]; }
  ValueId c(const std::string& name, Tensor t) { return g.add_constant(name, std::move(t)); }
  ValueId conv(const std::string& name, ValueId in, int64_t cin, int64_t cout, uint32_t seed) {
    return out(
        node(name, "Conv",
             {in, c(name + "_w", random_f32({cout, cin, 3, 3}, seed)), c(name + "_b", random_f32({cout}, seed + 1))},
             name + "_y", {{"pads", Attribute::make_ints({1, 1, 1, 1})}}));
  }
  ValueId bn(const std::string& name, ValueId in, int64_t ch, uint32_t seed) {
    return out(
        node(name, "BatchNormalization",
             {in, c(name + "_s", random_f32({ch}, seed, 0.5f, 2.f)), c(name + "_bias", random_f32({ch}, seed + 1)),
              c(name + "_m", random_f32({ch}, seed + 2)), c(name + "_v", random_f32({ch}, seed + 3, 0.1f, 2.f))},
             name + "_y"));
  }
  std::shared_ptr<Graph> done(ValueId y) {
    g.set_outputs({y});
    g.validate();
    return std::make_shared<Graph>(g);
  }
};

Tensor run(const Graph& g, const std::string& backend, const Tensor& x) {
  Session s(std::make_shared<Graph>(g), SessionOptions{.backend = backend});
  return s.run({{"x", x}}).outputs[0];
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::abs(a.get_f64(i) - b.get_f64(i)));
  return m;
}

int count_op(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& nd : g.nodes()) n += !nd.dead && nd.op_type == op;
  return n;
}

OptimizeOptions cpu_opts() {
  OptimizeOptions o;
  o.backend = "cpu";
  o.validate_each_pass = true;
  return o;
}

TEST(Optimizer, PipelineSyntax) {
  auto o2 = parse_pipeline("O2");
  EXPECT_NE(std::find(o2.begin(), o2.end(), "fold-batchnorm"), o2.end());
  auto minus = parse_pipeline("O2,-fold-batchnorm");
  EXPECT_EQ(std::find(minus.begin(), minus.end(), "fold-batchnorm"), minus.end());
  EXPECT_EQ(parse_pipeline("fold-batchnorm,fuse-conv-activation"),
            (std::vector<std::string>{"fold-batchnorm", "fuse-conv-activation"}));
  EXPECT_TRUE(parse_pipeline("O0").empty());
  try {
    parse_pipeline("O2,fuse-everything");
    FAIL() << "unknown pass accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown pass 'fuse-everything'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("fold-batchnorm"), std::string::npos) << "lists the valid names";
  }
  EXPECT_THROW(precision_pass("fp8"), Error);
  for (const PassInfo* p : PassRegistry::instance().all()) EXPECT_FALSE(p->description.empty()) << p->name;
}

TEST(Optimizer, FoldBatchnormAndActivationKeepNumbersWithProvenance) {
  Builder b;
  ValueId y = b.out(b.node("relu", "Relu", {b.bn("bn", b.conv("conv", b.x, 3, 4, 1), 4, 10)}, "y"));
  auto g = b.done(y);
  Tensor x = random_f32({1, 3, 8, 8}, 99);
  Tensor want = run(*g, "reference", x);
  OptimizeResult r = optimize(*g, parse_pipeline("fold-batchnorm,fuse-conv-activation"), cpu_opts());
  ASSERT_EQ(r.rewrites.size(), 2u);
  EXPECT_EQ(r.rewrites[0].id, "fold-batchnorm@bn");
  EXPECT_EQ(r.rewrites[1].id, "fuse-conv-activation@relu");
  EXPECT_EQ(count_op(*r.graph, "BatchNormalization"), 0);
  ASSERT_EQ(count_op(*r.graph, "flipscope.FusedConv"), 1);
  for (const Node& n : r.graph->nodes())
    if (n.op_type == "flipscope.FusedConv") {
      EXPECT_EQ(n.provenance, (std::vector<std::string>{"conv", "bn", "relu"}));
    }
  EXPECT_EQ(r.graph->value(r.graph->outputs()[0]).name, "y") << "outputs keep their names";
  Tensor got = run(*r.graph, "cpu", x);
  EXPECT_LT(max_abs_diff(got, want), 1e-4);
}

TEST(Optimizer, FoldBatchnormNearMissSecondConsumer) {
  Builder b;
  ValueId cy = b.conv("conv", b.x, 3, 4, 1);
  ValueId bny = b.bn("bn", cy, 4, 10);
  ValueId y = b.out(b.node("add", "Add", {bny, cy}, "y"));  // the conv output is used twice
  auto g = b.done(y);
  OptimizeResult r = optimize(*g, parse_pipeline("fold-batchnorm"), cpu_opts());
  EXPECT_TRUE(r.rewrites.empty());
  EXPECT_EQ(count_op(*r.graph, "BatchNormalization"), 1);
}

TEST(Optimizer, ClipWithRuntimeBoundsIsNotFused) {
  Builder b;
  ValueId cy = b.conv("conv", b.x, 3, 4, 1);
  ValueId hi = b.out(b.node("rmax", "ReduceMax", {b.x}, "hi", {{"keepdims", Attribute::make_int(0)}}));
  ValueId y = b.out(b.node("clip", "Clip", {cy, b.c("lo", test::f32({}, {0.f})), hi}, "y"));
  auto g = b.done(y);
  OptimizeResult r = optimize(*g, parse_pipeline("fuse-conv-activation"), cpu_opts());
  EXPECT_TRUE(r.rewrites.empty());
  // ... while constant bounds fuse (Relu6).
  Builder b2;
  ValueId y2 = b2.out(b2.node(
      "clip", "Clip",
      {b2.conv("conv", b2.x, 3, 4, 1), b2.c("lo", test::f32({}, {0.f})), b2.c("hi", test::f32({}, {6.f}))}, "y"));
  auto g2 = b2.done(y2);
  Tensor x = random_f32({1, 3, 8, 8}, 5, -4.f, 4.f);
  OptimizeResult r2 = optimize(*g2, parse_pipeline("fuse-conv-activation"), cpu_opts());
  ASSERT_EQ(r2.rewrites.size(), 1u);
  EXPECT_LT(max_abs_diff(run(*r2.graph, "cpu", x), run(*g2, "reference", x)), 1e-4);
}

TEST(Optimizer, TransposePairWithConsumerInBetweenStays) {
  Builder b;
  ValueId t1 = b.out(b.node("t1", "Transpose", {b.x}, "t1y", {{"perm", Attribute::make_ints({0, 2, 3, 1})}}));
  ValueId t2 = b.out(b.node("t2", "Transpose", {t1}, "t2y", {{"perm", Attribute::make_ints({0, 3, 1, 2})}}));
  ValueId side = b.out(b.node("side", "Relu", {t1}, "side"));  // t1 has a second consumer
  ValueId y = b.out(b.node(
      "add", "Add",
      {t2, b.out(b.node("t3", "Transpose", {side}, "t3y", {{"perm", Attribute::make_ints({0, 3, 1, 2})}}))}, "y"));
  auto g = b.done(y);
  OptimizeResult r = optimize(*g, parse_pipeline("merge-transposes"), cpu_opts());
  EXPECT_TRUE(r.rewrites.empty());
  // Without the side consumer the pair cancels.
  Builder b2;
  ValueId u1 = b2.out(b2.node("t1", "Transpose", {b2.x}, "t1y", {{"perm", Attribute::make_ints({0, 2, 3, 1})}}));
  ValueId u2 = b2.out(b2.node("t2", "Transpose", {u1}, "t2y", {{"perm", Attribute::make_ints({0, 3, 1, 2})}}));
  auto g2 = b2.done(b2.out(b2.node("relu", "Relu", {u2}, "y")));
  OptimizeResult r2 = optimize(*g2, parse_pipeline("merge-transposes"), cpu_opts());
  ASSERT_EQ(r2.rewrites.size(), 1u);
  EXPECT_EQ(count_op(*r2.graph, "Transpose"), 0);
  Tensor x = random_f32({1, 3, 8, 8}, 3);
  EXPECT_EQ(max_abs_diff(run(*r2.graph, "cpu", x), run(*g2, "reference", x)), 0.0);
}

TEST(Optimizer, ResidualAddFusesAndFilterSelectsRewrites) {
  Builder b;
  ValueId c1 = b.conv("c1", b.x, 3, 3, 1);
  ValueId add = b.out(b.node("add", "Add", {c1, b.x}, "sum"));
  ValueId y = b.out(b.node("relu", "Relu", {add}, "y"));
  auto g = b.done(y);
  Tensor x = random_f32({1, 3, 8, 8}, 7);
  OptimizeResult r = optimize(*g, parse_pipeline("fuse-conv-add"), cpu_opts());
  ASSERT_EQ(r.rewrites.size(), 1u);
  EXPECT_EQ(r.rewrites[0].id, "fuse-conv-add@relu");
  EXPECT_EQ(r.rewrites[0].matched, (std::vector<std::string>{"c1", "add", "relu"}));
  EXPECT_LT(max_abs_diff(run(*r.graph, "cpu", x), run(*g, "reference", x)), 1e-4);

  OptimizeOptions none = cpu_opts();
  none.filter.max_rewrites = 0;
  EXPECT_TRUE(optimize(*g, parse_pipeline("fuse-conv-add"), none).rewrites.empty());
  OptimizeOptions only = cpu_opts();
  only.filter.only_set = true;
  only.filter.only = {"fuse-conv-add@somewhere-else"};
  EXPECT_TRUE(optimize(*g, parse_pipeline("fuse-conv-add"), only).rewrites.empty());
  only.filter.only = {"fuse-conv-add@relu"};
  EXPECT_EQ(optimize(*g, parse_pipeline("fuse-conv-add"), only).rewrites.size(), 1u);
}

TEST(Optimizer, CleanupPassesFoldAndRemove) {
  Builder b;
  ValueId idy = b.out(b.node("id", "Identity", {b.x}, "idy"));
  ValueId shp = b.out(b.node("shape", "Shape", {idy}, "shp"));
  ValueId r = b.out(b.node("reshape", "Reshape", {idy, shp}, "ry"));
  ValueId unused = b.out(b.node("dead", "Relu", {b.x}, "deady"));
  (void)unused;
  auto g = b.done(b.out(b.node("relu", "Relu", {r}, "y")));
  OptimizeResult o = optimize(*g, parse_pipeline("O1"), cpu_opts());
  EXPECT_EQ(count_op(*o.graph, "Identity"), 0);
  EXPECT_EQ(count_op(*o.graph, "Shape"), 0);
  EXPECT_EQ(count_op(*o.graph, "Reshape"), 0) << "a no-op Reshape goes once its shape input is folded";
  EXPECT_EQ(o.graph->num_live_nodes(), 1u);
  Tensor x = random_f32({1, 3, 8, 8}, 1);
  EXPECT_EQ(max_abs_diff(run(*o.graph, "cpu", x), run(*g, "reference", x)), 0.0);
}

TEST(Optimizer, PrecisionPassesRoundAndKeepFp32Protects) {
  Builder b;
  auto g = b.done(b.out(b.node("relu", "Relu", {b.conv("conv", b.x, 3, 4, 1)}, "y")));
  Tensor x = random_f32({1, 3, 8, 8}, 2);
  Tensor ref = run(*g, "reference", x);
  OptimizeOptions o = cpu_opts();
  o.precision = "fp16";
  OptimizeResult r = optimize(*g, {}, o);
  EXPECT_GE(count_op(*r.graph, "flipscope.RoundTo"), 2);  // input and conv output
  Tensor got = run(*r.graph, "cpu", x);
  double d = max_abs_diff(got, ref);
  EXPECT_GT(d, 0.0) << "fp16 storage must change something";
  EXPECT_LT(d, 0.05) << "but not by more than fp16 rounding of O(1) values over 27-term sums";
  for (int64_t i = 0; i < got.numel(); ++i) {
    float v = got.data<float>()[i];
    EXPECT_EQ(v, half_to_float(float_to_half(v))) << "the output is fp16-representable";
  }
  o.keep_fp32 = {"conv", "relu"};
  OptimizeResult kept = optimize(*g, {}, o);
  EXPECT_EQ(count_op(*kept.graph, "flipscope.RoundTo"), 0);
  EXPECT_EQ(max_abs_diff(run(*kept.graph, "cpu", x), run(*g, "cpu", x)), 0.0);
}

TEST(Optimizer, Int8NeedsCalibrationAndStaysClose) {
  Builder b;
  auto g = b.done(b.out(b.node("relu", "Relu", {b.conv("conv", b.x, 3, 4, 1)}, "y")));
  OptimizeOptions o = cpu_opts();
  o.precision = "int8";
  EXPECT_THROW(optimize(*g, {}, o), Error);
  for (uint32_t s = 0; s < 4; ++s) o.calibration.push_back({{"x", random_f32({1, 3, 8, 8}, 100 + s)}});
  for (const char* m : {"minmax", "percentile", "entropy"}) {
    o.calibration_method = m;
    OptimizeResult r = optimize(*g, {}, o);
    EXPECT_EQ(count_op(*r.graph, "QuantizeLinear"), 1) << m;
    Tensor x = random_f32({1, 3, 8, 8}, 100);
    double d = max_abs_diff(run(*r.graph, "cpu", x), run(*g, "reference", x));
    EXPECT_GT(d, 0.0) << m;
    EXPECT_LT(d, 0.25) << m << ": int8 of O(1) values over 27-term sums";
  }
}

}  // namespace
}  // namespace fs
