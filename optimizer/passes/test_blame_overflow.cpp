// test-blame-overflow (category test, not in any preset): a planted precision bug for the oracle's
// bisect step (5). It scales one Conv/Gemm's weights and bias by 2^20 and multiplies its output back
// by 2^-20: exact in fp32 (power-of-two scaling commutes with rounding), but the scaled output
// overflows fp16 (max 65504) unless that node stays fp32. The node is the one named by the
// environment variable FLIPSCOPE_TEST_CORRUPT_NODE, else the middle Conv/Gemm in topological order.
#include <cstdlib>

#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

constexpr float kScale = 1048576.0f;  // 2^20

Tensor scaled(const Tensor& t, float k) {
  Tensor r(DType::F32, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) r.data<float>()[i] = t.data<float>()[i] * k;
  return r;
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  std::vector<NodeId> ids = opt::nodes_of(g, {"Conv", "Gemm"});
  if (ids.empty()) return;
  const char* env = std::getenv("FLIPSCOPE_TEST_CORRUPT_NODE");
  const std::string target = env && *env ? env : PassContext::origin(g.node(ids[ids.size() / 2]));
  for (NodeId id : ids) {
    const Node& n = g.node(id);
    if (PassContext::origin(n) != target && n.name != target) continue;
    const Tensor* w = opt::const_input(g, n, 1);
    const Tensor* b = opt::const_input(g, n, 2);
    if (!w || w->dtype() != DType::F32 || (b && b->dtype() != DType::F32)) continue;
    if (g.value(n.outputs[0]).is_output || !ctx.begin("test-blame-overflow", n)) continue;
    const ValueId y = n.outputs[0];
    const std::string base = n.name;
    Node copy = n;
    copy.id = -1;
    Tensor ws = scaled(*w, kScale), bs = b ? scaled(*b, kScale) : Tensor();  // before add_const moves values
    const std::string wname = g.value(n.inputs[1]).name, bname = b ? g.value(n.inputs[2]).name : "";
    copy.inputs[1] = opt::add_const(g, wname + "_x2p20", std::move(ws));
    if (b) copy.inputs[2] = opt::add_const(g, bname + "_x2p20", std::move(bs));
    ValueId pre = g.add_value(g.unique_value_name(g.value(y).name + "_x2p20"), DType::F32);
    copy.outputs[0] = pre;
    g.remove_node(id);
    copy.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(copy));
    ValueId k = opt::add_const(g, base + "_unscale", Tensor::from_vector<float>(DType::F32, {}, {1.0f / kScale}));
    NodeId mid = opt::add_node(g, base + "/unscale", "Mul", {pre, k}, {y}, {}, "", 14);
    ctx.commit({id}, {nid, mid}, "x2^20");
  }
}

FS_REGISTER_PASS("test-blame-overflow",
                 "TEST ONLY: scales one layer by 2^20 and back (exact in fp32, overflows fp16; bisect self-test)",
                 PassCategory::Test, false, {"Conv", "Gemm"}, run);

}  // namespace
}  // namespace fs
