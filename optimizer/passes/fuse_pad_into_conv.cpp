// fuse-pad-into-conv: a constant-mode, zero-valued Pad of the spatial axes only, feeding a Conv (or
// an AveragePool that counts padding), becomes the consumer's own padding.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  for (NodeId pid : opt::nodes_of(g, {"Pad"})) {
    const Node& pad = g.node(pid);
    if (pad.dead || !pad.domain.empty() || pad.attr_string("mode", "constant") != "constant") continue;
    if (opt::has_input(pad, 3)) continue;  // axes
    const Tensor* pads = opt::const_input(g, pad, 1);
    if (!pads) continue;
    if (opt::has_input(pad, 2)) {
      const Tensor* v = opt::const_input(g, pad, 2);
      if (!v || v->numel() != 1 || v->get_f64(0) != 0.0) continue;
    }
    const NodeId cid = opt::single_consumer(g, pad.outputs[0]);
    if (cid < 0) continue;
    const Node& c = g.node(cid);
    const bool conv = c.op_type == "Conv", avg = c.op_type == "AveragePool";
    if (!c.domain.empty() || (!conv && !avg) || c.inputs[0] != pad.outputs[0]) continue;
    if (avg && c.attr_int("count_include_pad", 0) != 1) continue;
    if (c.attr_string("auto_pad", "NOTSET") != "NOTSET") continue;
    const int64_t r = pads->numel() / 2;
    if (r < 3) continue;
    bool ok = true;
    for (int64_t i = 0; i < 2; ++i)
      if (pads->get_i64(i) != 0 || pads->get_i64(r + i) != 0) ok = false;
    for (int64_t i = 0; i < pads->numel(); ++i)
      if (pads->get_i64(i) < 0) ok = false;
    if (!ok) continue;
    const int64_t sp = r - 2;
    std::vector<int64_t> cp = c.attr_ints("pads", std::vector<int64_t>(static_cast<size_t>(2 * sp), 0));
    if (static_cast<int64_t>(cp.size()) != 2 * sp) continue;
    if (!ctx.begin("fuse-pad-into-conv", c)) continue;
    for (int64_t i = 0; i < sp; ++i) {
      cp[i] += pads->get_i64(2 + i);
      cp[sp + i] += pads->get_i64(r + 2 + i);
    }
    Node fused = c;
    fused.id = -1;
    fused.provenance.clear();
    fused.inputs[0] = pad.inputs[0];
    fused.attrs["pads"] = Attribute::make_ints(cp);
    const std::string base = pad.name + "+" + c.name;
    g.remove_node(cid);
    g.remove_node(pid);
    fused.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(fused));
    ctx.commit({pid, cid}, {nid});
  }
}

FS_REGISTER_PASS("fuse-pad-into-conv", "fold a zero constant Pad into the pads of the Conv/AveragePool after it",
                 PassCategory::Fusion, true, {"Pad", "Conv", "AveragePool"}, run);

}  // namespace
}  // namespace fs
