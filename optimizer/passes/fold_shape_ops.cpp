// fold-shape-ops: replaces Shape and Size of values whose shapes are static by constants, so the
// shape arithmetic after them (Gather, Concat, Reshape targets) folds too.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  for (NodeId id : opt::nodes_of(g, {"Shape", "Size"})) {
    const Node& n = g.node(id);
    Shape s;
    if (!n.domain.empty() || n.outputs.empty() || g.value(n.outputs[0]).is_output) continue;
    if (!opt::static_shape(g, types, n.inputs[0], s)) continue;
    Tensor t;
    if (n.op_type == "Size") {
      int64_t numel = 1;
      for (int64_t d : s) numel *= d;
      t = Tensor::from_vector<int64_t>(DType::I64, {}, {numel});
    } else {
      const int64_t r = static_cast<int64_t>(s.size());
      int64_t start = n.attr_int("start", 0), end = n.attr_int("end", r);
      if (start < 0) start += r;
      if (end < 0) end += r;
      start = std::clamp<int64_t>(start, 0, r);
      end = std::clamp<int64_t>(end, start, r);
      std::vector<int64_t> dims(s.begin() + start, s.begin() + end);
      t = Tensor::from_vector<int64_t>(DType::I64, {static_cast<int64_t>(dims.size())}, dims);
    }
    if (!ctx.begin("fold-shape-ops", n)) continue;
    ValueId out = n.outputs[0];
    g.remove_node(id);
    g.value(out).dtype = t.dtype();
    g.value(out).constant = t;
    ctx.commit({id}, {});
  }
}

FS_REGISTER_PASS("fold-shape-ops", "replace Shape/Size of statically shaped values by constants", PassCategory::Cleanup,
                 true, {"Shape", "Size"}, run);

}  // namespace
}  // namespace fs
