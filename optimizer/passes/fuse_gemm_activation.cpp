// fuse-gemm-activation: Gemm followed by an activation becomes flipscope.FusedGemm.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  for (NodeId gid : opt::nodes_of(g, {"Gemm"})) {
    const Node& gm = g.node(gid);
    if (gm.dead || !gm.domain.empty()) continue;
    const NodeId aid = opt::single_consumer(g, gm.outputs[0]);
    if (aid < 0) continue;
    const Node& a = g.node(aid);
    std::string act;
    std::vector<float> params;
    if (a.inputs[0] != gm.outputs[0] || !opt::fusable_activation(g, a, act, params)) continue;
    if (!ctx.begin("fuse-gemm-activation", a)) continue;
    Node fused = gm;
    fused.id = -1;
    fused.op_type = "flipscope.FusedGemm";
    fused.domain = "flipscope";
    fused.provenance.clear();
    fused.attrs["activation"] = Attribute::make_string(act);
    if (!params.empty()) fused.attrs["activation_params"] = Attribute::make_floats(params);
    fused.outputs = {a.outputs[0]};
    const std::string base = gm.name + "+" + a.name;
    g.remove_node(aid);
    g.remove_node(gid);
    fused.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(fused));
    ctx.commit({gid, aid}, {nid}, "activation=" + act);
  }
}

FS_REGISTER_PASS("fuse-gemm-activation", "apply an activation in the Gemm epilogue (flipscope.FusedGemm)",
                 PassCategory::Fusion, true,
                 {"Gemm", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish"}, run);

}  // namespace
}  // namespace fs
