// test-corrupt-layer (category test, not in any preset): a deliberately broken pass for testing the
// oracle's blame machinery. It rewrites every Conv/Gemm by appending a Mul by a constant: 1.0
// (harmless) everywhere except one node, whose output it negates. The node is the one named by
// the environment variable FLIPSCOPE_TEST_CORRUPT_NODE, else the middle Conv/Gemm in topological
// order. `flipscope bisect` must name this pass and the rewrite "test-corrupt-layer@<node>".
#include <cstdlib>

#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  std::vector<NodeId> ids =
      opt::nodes_of(g, {"Conv", "Gemm", "flipscope.FusedConv", "flipscope.FusedGemm", "flipscope.NchwcConv"});
  if (ids.empty()) return;
  const char* env = std::getenv("FLIPSCOPE_TEST_CORRUPT_NODE");
  std::string target = env && *env ? env : PassContext::origin(g.node(ids[ids.size() / 2]));
  for (NodeId id : ids) {
    const Node& n = g.node(id);
    if (g.value(n.outputs[0]).is_output || !ctx.begin("test-corrupt-layer", n)) continue;
    const bool bad = PassContext::origin(n) == target || n.name == target;
    const ValueId y = n.outputs[0];
    const std::string base = n.name;
    ValueId pre = g.add_value(g.unique_value_name(g.value(y).name + "_pre"), DType::F32);
    Node copy = n;
    copy.id = -1;
    copy.outputs[0] = pre;
    g.remove_node(id);
    copy.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(copy));
    ValueId k = opt::add_const(g, base + "_corrupt", Tensor::from_vector<float>(DType::F32, {}, {bad ? -1.0f : 1.0f}));
    NodeId mid = opt::add_node(g, base + "/corrupt", "Mul", {pre, k}, {y}, {}, "", 14);
    ctx.commit({id}, {nid, mid}, bad ? "negated" : "harmless");
  }
}

FS_REGISTER_PASS("test-corrupt-layer", "TEST ONLY: negates one layer's output (oracle self-test)", PassCategory::Test,
                 false, {"Conv", "Gemm"}, run);

}  // namespace
}  // namespace fs
