// fast-math-reassociate and its flipscope.FastReduce kernels: cpu (float32, reassociated) against the
// double-accumulating reference under the fp32-kernel tolerance, thread-count independence of the
// chunked sums, and the pass's matches and near misses (non-consecutive or run-time axes, no-op
// reductions, legacy Softmax) on a hand-built graph that still validates and computes the same.
#include <gtest/gtest.h>

#include <random>

#include "diff/tolerance.h"
#include "engine/session.h"
#include "optimizer/pass.h"
#include "tests/unit/cpu_conv_test_util.h"
#include "tests/unit/test_util.h"

namespace fs {
namespace {

Tensor uniform(Shape s, uint32_t seed) {
  Tensor t(DType::F32, std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const Tolerance tol = tolerance_for(DType::F32, ToleranceClass::Fp32Kernel);
  int bad = 0;
  for (int64_t i = 0; i < want.numel(); ++i)
    if (!within(got.get_f64(i), want.get_f64(i), tol) && bad++ < 5)
      ADD_FAILURE() << what << " element " << i << ": " << got.get_f64(i) << " vs reference " << want.get_f64(i);
  EXPECT_EQ(bad, 0) << what;
}

TEST(FastReduce, CpuMatchesReference) {
  struct Case {
    Shape x;
    std::vector<int64_t> axes;
    int mean, keep;
  };
  const std::vector<Case> cases = {{{1, 13, 7, 7}, {2, 3}, 1, 1},  {{3, 24, 5, 9}, {1}, 0, 0},
                                   {{3, 13, 5, 7}, {1, 2}, 1, 1},  {{2, 1, 300, 301}, {2, 3}, 1, 1},
                                   {{1, 3, 1, 1}, {-2, -1}, 1, 0}, {{5, 17}, {0, 1}, 0, 1},
                                   {{2, 3, 40000}, {2}, 0, 1}};
  uint32_t seed = 3;
  for (const auto& c : cases) {
    std::map<std::string, Attribute> a = {{"axes", Attribute::make_ints(c.axes)},
                                          {"mean", Attribute::make_int(c.mean)},
                                          {"keepdims", Attribute::make_int(c.keep)}};
    std::vector<test::OpInput> in = {{uniform(c.x, seed++)}};
    Tensor want = test::run_node("flipscope.FastReduce", in, a, 1, "reference", 1)[0];
    for (int threads : {1, 2}) {
      Tensor got = test::run_node("flipscope.FastReduce", in, a, 1, "cpu", threads)[0];
      expect_close(got, want, shape_str(c.x) + " threads=" + std::to_string(threads));
    }
  }
}

TEST(FastReduce, ChunkedSumsDoNotDependOnThreadCount) {
  std::vector<test::OpInput> in = {{uniform({3, 2, 250, 251}, 9)}};
  std::map<std::string, Attribute> a = {{"axes", Attribute::make_ints({2, 3})}, {"mean", Attribute::make_int(1)}};
  Tensor one = test::run_node("flipscope.FastReduce", in, a, 1, "cpu", 1)[0];
  for (int threads : {2, 3}) {
    Tensor got = test::run_node("flipscope.FastReduce", in, a, 1, "cpu", threads)[0];
    for (int64_t i = 0; i < one.numel(); ++i) EXPECT_EQ(got.get_f64(i), one.get_f64(i)) << "threads=" << threads;
  }
}

TEST(FastReduce, BadAxesNameTheAttribute) {
  std::vector<test::OpInput> in = {{uniform({2, 3, 4}, 1)}};
  auto msg = [&](std::vector<int64_t> axes) {
    try {
      test::run_node("flipscope.FastReduce", in, {{"axes", Attribute::make_ints(axes)}}, 1, "reference", 1);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg({0, 2}).find("consecutive"), std::string::npos) << msg({0, 2});
  EXPECT_NE(msg({3}).find("out of range"), std::string::npos) << msg({3});
  EXPECT_NE(msg({}).find("axes"), std::string::npos) << msg({});
}

// x[2,3,8,8]: Softmax(axis 1) -> GlobalAveragePool; ReduceMean(axes attr [2,3], keepdims 0);
// ReduceSum(axes const [1]); near misses: ReduceSum(axes const [1,3]) (not consecutive),
// ReduceSum(axes fed at run time), ReduceMean(no axes, noop_with_empty_axes 1), legacy Softmax.
struct Net {
  Graph g;
  ValueId x, axes_in;
  Net() {
    g.opset = 17;
    x = g.add_value("x", DType::F32, SymShape{{2, ""}, {3, ""}, {8, ""}, {8, ""}});
    axes_in = g.add_value("axes_in", DType::I64, SymShape{{1, ""}});
    g.add_input(x);
    g.add_input(axes_in);
  }
  ValueId node(const std::string& name, const std::string& op, std::vector<ValueId> in,
               std::map<std::string, Attribute> attrs = {}) {
    Node n;
    n.name = name;
    n.op_type = op;
    n.opset = 17;
    n.inputs = std::move(in);
    n.outputs = {g.add_value(name + "_y", DType::F32)};
    n.attrs = std::move(attrs);
    return g.node(g.add_node(std::move(n))).outputs[0];
  }
};

TEST(FastMathReassociate, RewritesReductionsAndSkipsNearMisses) {
  Net n;
  ValueId sm = n.node("softmax", "Softmax", {n.x}, {{"axis", Attribute::make_int(1)}});
  ValueId gap = n.node("gap", "GlobalAveragePool", {sm});
  ValueId rm = n.node("rmean", "ReduceMean", {n.x},
                      {{"axes", Attribute::make_ints({2, 3})}, {"keepdims", Attribute::make_int(0)}});
  ValueId rs = n.node("rsum", "ReduceSum", {n.x, n.g.add_constant("ax1", test::i64({1}, {1}))});
  ValueId nc = n.node("rsum_gap", "ReduceSum", {n.x, n.g.add_constant("ax13", test::i64({2}, {1, 3}))});
  ValueId fed = n.node("rsum_fed", "ReduceSum", {n.x, n.axes_in});
  ValueId noop = n.node("rmean_noop", "ReduceMean", {n.x}, {{"noop_with_empty_axes", Attribute::make_int(1)}});
  ValueId legacy = n.node("softmax_legacy", "Softmax", {n.x}, {{"legacy_coerce_2d", Attribute::make_int(1)}});
  n.g.set_outputs({gap, rm, rs, nc, fed, noop, legacy});
  n.g.validate();

  OptimizeOptions oo;
  oo.backend = "cpu";
  oo.validate_each_pass = true;
  OptimizeResult r = optimize(n.g, {"fast-math-reassociate"}, oo);
  std::set<std::string> rewritten;
  for (const auto& rw : r.rewrites) rewritten.insert(rw.id);
  EXPECT_EQ(rewritten, (std::set<std::string>{"fast-math-reassociate@softmax", "fast-math-reassociate@gap",
                                              "fast-math-reassociate@rmean", "fast-math-reassociate@rsum"}));
  int fast = 0, approx = 0;
  for (NodeId id : r.graph->topo_order()) {
    fast += r.graph->node(id).op_type == "flipscope.FastReduce";
    approx += r.graph->node(id).op_type == "flipscope.ApproxSoftmax";
  }
  EXPECT_EQ(fast, 3);
  EXPECT_EQ(approx, 1);

  std::map<std::string, Tensor> feeds = {{"x", uniform({2, 3, 8, 8}, 5)}, {"axes_in", test::i64({1}, {2})}};
  Session ref(std::make_shared<Graph>(n.g), SessionOptions{.backend = "reference"});
  Session cpu(r.graph, SessionOptions{.backend = "cpu"});
  auto want = ref.run(feeds).outputs, got = cpu.run(feeds).outputs;
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) expect_close(got[i], want[i], "output " + std::to_string(i));
}

}  // namespace
}  // namespace fs
