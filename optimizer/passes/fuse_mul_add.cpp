// fuse-mul-add: Mul then Add (float32) becomes flipscope.FusedMulAdd: a*b+c with one rounding
// (fused multiply-add) instead of two. The product must have no other consumer.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  if (!types.ok) return;
  for (NodeId mid : opt::nodes_of(g, {"Mul"})) {
    const Node& mul = g.node(mid);
    if (mul.dead || !mul.domain.empty() || !types.t.types[mul.outputs[0]] ||
        types.t.types[mul.outputs[0]]->dtype != DType::F32)
      continue;
    const NodeId aid = opt::single_consumer(g, mul.outputs[0]);
    if (aid < 0) continue;
    const Node& add = g.node(aid);
    if (add.op_type != "Add" || !add.domain.empty() || add.inputs[0] == add.inputs[1]) continue;
    const size_t other = add.inputs[0] == mul.outputs[0] ? 1 : 0;
    if (!ctx.begin("fuse-mul-add", add)) continue;
    const ValueId a = mul.inputs[0], b = mul.inputs[1], c = add.inputs[other], y = add.outputs[0];
    const std::string base = mul.name + "+" + add.name;
    g.remove_node(aid);
    g.remove_node(mid);
    NodeId nid = opt::add_node(g, base, "flipscope.FusedMulAdd", {a, b, c}, {y}, {}, "flipscope");
    ctx.commit({mid, aid}, {nid});
  }
}

FS_REGISTER_PASS("fuse-mul-add", "Mul followed by Add becomes one fused multiply-add (one rounding instead of two)",
                 PassCategory::Fusion, true, {"Mul", "Add"}, run);

}  // namespace
}  // namespace fs
