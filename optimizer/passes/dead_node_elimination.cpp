// dead-node-elimination: removes nodes none of whose outputs is used (by a node or as a graph output).
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

bool unused(const Graph& g, const Node& n) {
  for (ValueId o : n.outputs)
    if (o != kNoValue && (g.value(o).is_output || !g.value(o).consumers.empty())) return false;
  return true;
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  std::vector<NodeId> order = g.topo_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {  // consumers first: chains die at once
    const Node& n = g.node(*it);
    if (n.dead || !unused(g, n) || !ctx.begin("dead-node-elimination", n)) continue;
    g.remove_node(*it);
    ctx.commit({*it}, {});
  }
}

FS_REGISTER_PASS("dead-node-elimination", "remove nodes whose outputs are never used", PassCategory::Cleanup, true,
                 {"*"}, run);

}  // namespace
}  // namespace fs
