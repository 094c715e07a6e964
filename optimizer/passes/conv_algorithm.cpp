// Algorithm choices for convolutions. Each turns a Conv into a flipscope.FusedConv with a fixed
// `algorithm` attribute (or sets it on an existing FusedConv):
//   winograd-conv3x3  F(2x2,3x3) or F(4x4,3x3) (OptimizeOptions::winograd_tile) for 2-D 3x3
//                     stride-1 dilation-1 ungrouped convolutions (approximate: the transforms
//                     change rounding, F(4x4) visibly);
//   conv-algo-direct  the direct kernel where it applies (depthwise / small-group 2-D);
//   conv-algo-im2col  im2col + GEMM for every convolution.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

bool is_plain_3x3(const Graph& g, const Node& c) {
  const Tensor* w = opt::const_input(g, c, 1);
  if (!w || w->rank() != 4 || w->dim(2) != 3 || w->dim(3) != 3) return false;
  if (c.attr_int("group", 1) != 1) return false;
  for (int64_t s : c.attr_ints("strides", {1, 1}))
    if (s != 1) return false;
  for (int64_t d : c.attr_ints("dilations", {1, 1}))
    if (d != 1) return false;
  return true;
}

bool direct_applies(const Graph& g, const Node& c) {
  const Tensor* w = opt::const_input(g, c, 1);
  if (!w || w->rank() != 4) return false;
  const int64_t group = c.attr_int("group", 1);
  return w->dim(1) <= (group > 1 ? 16 : 4);  // the cpu conv's direct-path limits (kernels/cpu/conv.cpp)
}

void set_algorithm(PassContext& ctx, const char* pass, const std::string& algo,
                   const std::function<bool(const Graph&, const Node&)>& applies) {
  Graph& g = ctx.graph();
  for (NodeId cid : opt::nodes_of(g, {"Conv", "flipscope.FusedConv"})) {
    const Node& c = g.node(cid);
    if (c.dead || (c.op_type == "Conv" && !c.domain.empty())) continue;
    if (c.attr_string("algorithm", "auto") != "auto" || !applies(g, c)) continue;
    if (!ctx.begin(pass, c)) continue;
    Node fused = opt::as_fused_conv(c);
    fused.provenance = c.provenance;
    fused.attrs["algorithm"] = Attribute::make_string(algo);
    if (algo == "winograd") fused.attrs["winograd_tile"] = Attribute::make_int(ctx.options().winograd_tile);
    const std::string name = c.name;
    g.remove_node(cid);
    fused.name = g.unique_node_name(name);
    NodeId nid = g.add_node(std::move(fused));
    ctx.commit({cid}, {nid}, "algorithm=" + algo);
  }
}

void winograd(PassContext& ctx) {
  const int t = ctx.options().winograd_tile;
  if (t != 2 && t != 4)
    fail(ErrorKind::InvalidInput, "winograd tile must be 2 (F(2x2,3x3)) or 4 (F(4x4,3x3)), got " + std::to_string(t));
  set_algorithm(ctx, "winograd-conv3x3", "winograd", is_plain_3x3);
}
void direct(PassContext& ctx) { set_algorithm(ctx, "conv-algo-direct", "direct", direct_applies); }
void im2col(PassContext& ctx) {
  set_algorithm(ctx, "conv-algo-im2col", "im2col", [](const Graph&, const Node& c) { return !c.inputs.empty(); });
}

FS_REGISTER_PASS("winograd-conv3x3", "Winograd F(2x2,3x3) / F(4x4,3x3) for 3x3 stride-1 convolutions",
                 PassCategory::Algorithm, false, {"Conv"}, winograd);
FS_REGISTER_PASS("conv-algo-direct", "direct convolution kernel wherever it applies (depthwise, small groups)",
                 PassCategory::Algorithm, true, {"Conv"}, direct);
FS_REGISTER_PASS("conv-algo-im2col", "im2col + GEMM for every convolution", PassCategory::Algorithm, true, {"Conv"},
                 im2col);

}  // namespace
}  // namespace fs
