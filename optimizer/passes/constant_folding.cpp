// constant-folding: evaluates, once, every node whose inputs are all constants (with the reference
// kernels) and turns its outputs into constants. Nodes without inputs (random generators) and
// outputs larger than 16M elements are left alone.
#include "engine/session.h"
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

constexpr int64_t kMaxFoldElements = int64_t{1} << 24;

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  if (!types.ok) return;
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    if ((n.inputs.empty() && n.op_type != "Constant") || n.op_type.rfind("Random", 0) == 0) continue;
    std::vector<const Tensor*> in;
    bool all_const = true;
    for (ValueId v : n.inputs) {
      const Tensor* t = v == kNoValue ? nullptr : opt::constant_of(g, v);
      if (v != kNoValue && !t) all_const = false;
      in.push_back(t);
    }
    if (!all_const) continue;
    std::vector<TensorType> out_types;
    bool ok = true;
    for (ValueId o : n.outputs) {
      if (o == kNoValue) {
        out_types.push_back({});
        continue;
      }
      if (g.value(o).is_output || static_cast<size_t>(o) >= types.t.types.size() || !types.t.types[o])
        ok = false;
      else {
        out_types.push_back(*types.t.types[o]);
        int64_t numel = 1;
        for (int64_t d : types.t.types[o]->shape) numel *= d;
        if (numel > kMaxFoldElements) ok = false;
      }
    }
    if (!ok || !ctx.begin("constant-folding", n)) continue;
    std::vector<Tensor> out;
    if (!evaluate_node_reference(n, in, out_types, out)) continue;
    std::vector<ValueId> outs = n.outputs;
    g.remove_node(id);
    for (size_t j = 0; j < outs.size(); ++j)
      if (outs[j] != kNoValue) {
        g.value(outs[j]).dtype = out[j].dtype();
        g.value(outs[j]).constant = out[j];
      }
    ctx.commit({id}, {});
  }
}

FS_REGISTER_PASS("constant-folding", "evaluate nodes whose inputs are all constants once, ahead of time",
                 PassCategory::Cleanup, true, {"*"}, run);

}  // namespace
}  // namespace fs
