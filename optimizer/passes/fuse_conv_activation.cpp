// fuse-conv-activation: Conv (or a FusedConv without an activation yet) followed by Relu, Clip with
// constant bounds (Relu6), LeakyRelu, Sigmoid, Tanh, HardSigmoid or HardSwish becomes one
// flipscope.FusedConv that applies the activation in its epilogue.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  for (NodeId cid : opt::nodes_of(g, {"Conv", "flipscope.FusedConv"})) {
    const Node& c = g.node(cid);
    if (c.dead || (c.op_type == "Conv" && !c.domain.empty())) continue;
    if (!c.attr_string("activation", "").empty()) continue;
    const NodeId aid = opt::single_consumer(g, c.outputs[0]);
    if (aid < 0) continue;
    const Node& a = g.node(aid);
    std::string act;
    std::vector<float> params;
    if (a.inputs[0] != c.outputs[0] || !opt::fusable_activation(g, a, act, params)) continue;
    if (!ctx.begin("fuse-conv-activation", a)) continue;
    Node fused = opt::as_fused_conv(c);
    fused.attrs["activation"] = Attribute::make_string(act);
    if (!params.empty()) fused.attrs["activation_params"] = Attribute::make_floats(params);
    fused.outputs = {a.outputs[0]};
    const std::string base = c.name + "+" + a.name;
    std::vector<std::string> prov = c.provenance.empty() ? std::vector<std::string>{c.name} : c.provenance;
    prov.push_back(a.provenance.empty() ? a.name : a.provenance.back());
    fused.provenance = prov;
    g.remove_node(aid);
    g.remove_node(cid);
    fused.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(fused));
    ctx.commit({cid, aid}, {nid}, "activation=" + act);
  }
}

FS_REGISTER_PASS("fuse-conv-activation",
                 "apply Relu/Relu6/LeakyRelu/Sigmoid/Tanh/HardSigmoid/HardSwish in the Conv epilogue",
                 PassCategory::Fusion, true,
                 {"Conv", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish"}, run);

}  // namespace
}  // namespace fs
