// Helpers of the layout-pass tests (layout_test.cpp, nchwc_test.cpp): a small graph builder with
// one input "x", op counting, and optimize-then-compare against the plain graph on the reference.
#pragma once
#include <optional>

#include "engine/session.h"
#include "optimizer/pass.h"
#include "tests/unit/cpu_conv_test_util.h"

namespace fs::test {

struct GraphBuilder {
  Graph g;
  ValueId x;
  explicit GraphBuilder(std::optional<SymShape> xs) {
    g.opset = 17;
    x = g.add_value("x", DType::F32, std::move(xs));
    g.add_input(x);
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
  ValueId c(const std::string& name, Tensor t) { return g.add_constant(name, std::move(t)); }
  // A k x k Conv with bias (pads 1 for k = 3 unless given).
  ValueId conv(const std::string& name, ValueId in, int64_t cin, int64_t cout, uint32_t seed,
               std::map<std::string, Attribute> attrs = {}, int64_t k = 3) {
    if (k == 3 && !attrs.count("pads")) attrs["pads"] = a_ints({1, 1, 1, 1});
    return node(name, "Conv",
                {in, c(name + "_w", random_f32({cout, cin, k, k}, seed)), c(name + "_b", random_f32({cout}, seed + 1))},
                attrs);
  }
  std::shared_ptr<Graph> done(ValueId y) {
    g.set_outputs({y});
    g.validate();
    return std::make_shared<Graph>(g);
  }
};

inline OptimizeOptions cpu_pass_opts(const std::string& precision = "fp32") {
  OptimizeOptions o;
  o.backend = "cpu";
  o.precision = precision;
  o.validate_each_pass = true;
  return o;
}

inline int count_op(const Graph& g, const std::string& op) {
  int n = 0;
  for (const Node& nd : g.nodes()) n += !nd.dead && nd.op_type == op;
  return n;
}

inline Tensor run_graph(const std::shared_ptr<Graph>& g, const std::string& backend, const Tensor& x) {
  Session s(g, SessionOptions{.backend = backend});
  return s.run({{"x", x}}).outputs[0];
}

// Optimizes with `passes` and expects the cpu result within the fp32 kernel tolerance of the plain
// graph on the reference.
inline OptimizeResult optimize_and_check(const std::shared_ptr<Graph>& g, const std::string& passes, const Shape& xs) {
  OptimizeResult r = optimize(*g, parse_pipeline(passes), cpu_pass_opts());
  Tensor x = random_f32(xs, 4242);
  Tensor want = run_graph(g, "reference", x), got = run_graph(r.graph, "cpu", x);
  EXPECT_EQ(compare_outputs(got, want), "") << passes;
  return r;
}

}  // namespace fs::test
