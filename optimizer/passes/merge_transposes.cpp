// merge-transposes: Transpose(Transpose(x, p1), p2) = Transpose(x, p1[p2[i]]); an identity result
// disappears. The first transpose must have no other consumer.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  for (NodeId bid : opt::nodes_of(g, {"Transpose"})) {
    const Node& b = g.node(bid);
    if (b.dead || !b.domain.empty()) continue;
    const NodeId aid = g.value(b.inputs[0]).producer;
    if (aid < 0) continue;
    const Node& a = g.node(aid);
    if (a.op_type != "Transpose" || !a.domain.empty() || opt::single_consumer(g, a.outputs[0]) != bid) continue;
    std::vector<int64_t> p1 = a.attr_ints("perm"), p2 = b.attr_ints("perm");
    if (p1.empty() || p2.empty() || p1.size() != p2.size()) continue;  // default perms need the rank
    std::vector<int64_t> p(p1.size());
    bool identity = true;
    for (size_t i = 0; i < p.size(); ++i) {
      p[i] = p1[static_cast<size_t>(p2[i])];
      identity &= p[i] == static_cast<int64_t>(i);
    }
    if (identity && g.value(b.outputs[0]).is_output) continue;
    if (!ctx.begin("merge-transposes", b)) continue;
    const ValueId x = a.inputs[0], y = b.outputs[0];
    const std::string base = a.name + "+" + b.name;
    g.remove_node(bid);
    g.remove_node(aid);
    if (identity) {
      g.replace_all_uses(y, x);
      ctx.commit({aid, bid}, {}, "identity");
    } else {
      NodeId nid = opt::add_node(g, base, "Transpose", {x}, {y}, {{"perm", Attribute::make_ints(p)}}, "", b.opset);
      ctx.commit({aid, bid}, {nid});
    }
  }
}

FS_REGISTER_PASS("merge-transposes", "merge chains of two Transposes into one (or none when they cancel)",
                 PassCategory::Fusion, true, {"Transpose"}, run);

}  // namespace
}  // namespace fs
