// fuse-conv-add: Conv + Add of a same-shaped tensor (a residual connection), optionally followed by
// an activation, becomes one flipscope.FusedConv(X, W, B, Z) that adds Z in its epilogue.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  if (!types.ok) return;
  for (NodeId cid : opt::nodes_of(g, {"Conv"})) {
    const Node& c = g.node(cid);
    if (c.dead || !c.domain.empty()) continue;
    const NodeId aid = opt::single_consumer(g, c.outputs[0]);
    if (aid < 0) continue;
    const Node& add = g.node(aid);
    if (add.op_type != "Add" || !add.domain.empty() || add.inputs[0] == add.inputs[1]) continue;
    const size_t other = add.inputs[0] == c.outputs[0] ? 1 : 0;
    const ValueId z = add.inputs[other];
    Shape ys, zs;
    // With symbolic dims the shapes are compared under the batch guess; FusedConv checks Z at run time.
    if (!opt::guessed_shape(g, types, c.outputs[0], ys) || !opt::guessed_shape(g, types, z, zs) || ys != zs) continue;
    if (!types.t.types[z] || types.t.types[z]->dtype != DType::F32) continue;
    // Z must be computed before the conv's consumers need it: it is, since Add consumes both.
    NodeId act_id = opt::single_consumer(g, add.outputs[0]);
    std::string act;
    std::vector<float> params;
    if (act_id >= 0 &&
        !(g.node(act_id).inputs[0] == add.outputs[0] && opt::fusable_activation(g, g.node(act_id), act, params)))
      act_id = -1;
    const Node& last = act_id >= 0 ? g.node(act_id) : add;
    if (!ctx.begin("fuse-conv-add", last)) continue;
    Node fused = opt::as_fused_conv(c);
    fused.inputs.resize(3, kNoValue);
    fused.inputs.push_back(z);
    if (act_id >= 0) {
      fused.attrs["activation"] = Attribute::make_string(act);
      if (!params.empty()) fused.attrs["activation_params"] = Attribute::make_floats(params);
    }
    fused.outputs = {last.outputs[0]};
    std::string base = c.name + "+" + add.name + (act_id >= 0 ? "+" + g.node(act_id).name : "");
    std::vector<NodeId> matched = {cid, aid};
    if (act_id >= 0) matched.push_back(act_id);
    for (NodeId m : matched) {
      const Node& mn = g.node(m);
      if (mn.provenance.empty())
        fused.provenance.push_back(mn.name);
      else
        fused.provenance.insert(fused.provenance.end(), mn.provenance.begin(), mn.provenance.end());
    }
    for (auto it = matched.rbegin(); it != matched.rend(); ++it) g.remove_node(*it);
    fused.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(fused));
    ctx.commit(matched, {nid}, act.empty() ? "residual" : "residual+" + act);
  }
}

FS_REGISTER_PASS("fuse-conv-add", "add a residual tensor (and apply an activation) in the Conv epilogue",
                 PassCategory::Fusion, true, {"Conv", "Add"}, run);

}  // namespace
}  // namespace fs
