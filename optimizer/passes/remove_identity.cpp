// remove-identity: drops nodes that copy their input unchanged: Identity, inference Dropout, and
// no-op Reshape / Transpose / Cast / Pad / Squeeze-free forms. A node whose output is a graph
// output stays (the output keeps its name).
#include <numeric>

#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

bool all_zero(const Tensor* t) {
  if (!t) return false;
  for (int64_t i = 0; i < t->numel(); ++i)
    if (t->get_i64(i) != 0) return false;
  return true;
}

bool is_noop(const Graph& g, const opt::Types& types, const Node& n) {
  if (!n.domain.empty() || n.inputs.empty() || n.inputs[0] == kNoValue) return false;
  const std::string& op = n.op_type;
  if (op == "Identity") return true;
  if (op == "Dropout") {
    if (n.outputs.size() > 1 && n.outputs[1] != kNoValue && !g.value(n.outputs[1]).consumers.empty()) return false;
    if (n.outputs.size() > 1 && n.outputs[1] != kNoValue && g.value(n.outputs[1]).is_output) return false;
    if (!opt::has_input(n, 2)) return true;
    const Tensor* tm = opt::const_input(g, n, 2);
    return tm && tm->numel() == 1 && tm->get_i64(0) == 0;
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm = n.attr_ints("perm");
    if (perm.empty()) return false;  // default perm reverses the axes
    for (size_t i = 0; i < perm.size(); ++i)
      if (perm[i] != static_cast<int64_t>(i)) return false;
    return true;
  }
  Shape in, out;
  if (op == "Cast") {
    if (!types.ok || !types.t.types[n.inputs[0]]) return false;
    return types.t.types[n.inputs[0]]->dtype == dtype_from_onnx(static_cast<int>(n.attr_int("to")));
  }
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") {
    return opt::static_shape(g, types, n.inputs[0], in) && opt::static_shape(g, types, n.outputs[0], out) && in == out;
  }
  if (op == "Pad") {
    if (n.attr_string("mode", "constant") != "constant" && !all_zero(opt::const_input(g, n, 1))) return false;
    return all_zero(opt::const_input(g, n, 1));
  }
  return false;
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    if (n.outputs.empty() || n.outputs[0] == kNoValue || g.value(n.outputs[0]).is_output) continue;
    if (!is_noop(g, types, n) || !ctx.begin("remove-identity", n)) continue;
    ValueId in = n.inputs[0], out = n.outputs[0];
    g.replace_all_uses(out, in);
    g.remove_node(id);
    ctx.commit({id}, {}, g.node(id).op_type);
  }
}

FS_REGISTER_PASS("remove-identity", "drop Identity, inference Dropout and no-op Reshape/Transpose/Cast/Pad",
                 PassCategory::Cleanup, true, {"Identity", "Dropout", "Reshape", "Transpose", "Cast", "Pad"}, run);

}  // namespace
}  // namespace fs
