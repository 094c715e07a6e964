// Fast-math passes:
//   fast-math-approx   Exp/Log/Tanh/Sigmoid/Erf (float32) -> flipscope.ApproxUnary (SLEEF
//                      vectorized approximations with a stated ULP bound on the cpu backend) and
//                      Softmax (opset-13 form) -> flipscope.ApproxSoftmax (approximate exp,
//                      reassociated sums);
//   flush-denormals    runs the graph with FTZ/DAZ set (subnormal inputs and results become 0).
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void approx(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  for (NodeId id : opt::nodes_of(g, {"Exp", "Log", "Tanh", "Sigmoid", "Erf", "Softmax"})) {
    const Node& n = g.node(id);
    if (!n.domain.empty() || n.has_attr("legacy_coerce_2d")) continue;
    const ValueId x = n.inputs[0];
    const bool f32 =
        g.value(x).dtype == DType::F32 || (types.ok && types.t.types[x] && types.t.types[x]->dtype == DType::F32);
    if (!f32 || !ctx.begin("fast-math-approx", n)) continue;
    Node r = n;
    r.id = -1;
    r.domain = "flipscope";
    r.provenance = n.provenance;
    if (n.op_type == "Softmax") {
      r.op_type = "flipscope.ApproxSoftmax";
      r.attrs = {{"axis", Attribute::make_int(n.attr_int("axis", -1))}};
    } else {
      r.op_type = "flipscope.ApproxUnary";
      r.attrs = {{"function", Attribute::make_string(n.op_type)}};
    }
    const std::string name = n.name, op = n.op_type;
    g.remove_node(id);
    r.name = g.unique_node_name(name);
    NodeId nid = g.add_node(std::move(r));
    ctx.commit({id}, {nid}, op);
  }
}

void ftz(PassContext& ctx) {
  Graph& g = ctx.graph();
  if (g.flush_denormals) return;
  NodeId anchor = -1;
  for (NodeId id : g.topo_order()) {
    anchor = id;
    break;
  }
  if (anchor < 0 || !ctx.begin("flush-denormals", g.node(anchor))) return;
  g.flush_denormals = true;
  ctx.commit({}, {}, "FTZ/DAZ for the whole graph");
}

FS_REGISTER_PASS("fast-math-approx", "polynomial exp/log/tanh/sigmoid/erf and softmax (SLEEF, bounded ULP error)",
                 PassCategory::FastMath, false, {"Exp", "Log", "Tanh", "Sigmoid", "Erf", "Softmax"}, approx);
FS_REGISTER_PASS("flush-denormals", "flush subnormal floats to zero (FTZ/DAZ) while the graph runs",
                 PassCategory::FastMath, false, {"*"}, ftz);

}  // namespace
}  // namespace fs
