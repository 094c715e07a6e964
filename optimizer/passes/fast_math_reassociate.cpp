// fast-math-reassociate: let reductions run in a reordered float32 order, as -ffast-math's
// -fassociative-math allows a compiler to. The exact-math cpu kernels of these ops accumulate in
// double; the rewritten ones accumulate in float32 with interleaved partial sums.
//   Softmax (opset-13 form, float32)                -> flipscope.ApproxSoftmax exp="exact"
//                                                      (libm expf, 8 interleaved fp32 partial sums)
//   GlobalAveragePool (float32, rank >= 3)          -> flipscope.FastReduce mean=1 over the spatial axes
//   ReduceMean / ReduceSum (float32, constant axes
//   forming one run of consecutive axes)            -> flipscope.FastReduce
// One rewrite per node; the node keeps its name and output value (provenance: itself).
#include <algorithm>

#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

// The reduced axes of a ReduceMean/ReduceSum node, normalized and sorted; false when they are not
// known at optimization time, do not form one consecutive run, or the node is a no-op.
bool reduce_axes(const Graph& g, const Node& n, int64_t rank, std::vector<int64_t>& axes) {
  axes.clear();
  if (n.has_attr("axes")) {
    axes = n.attr_ints("axes");
  } else if (opt::has_input(n, 1)) {
    const Tensor* t = opt::constant_of(g, n.inputs[1]);
    if (!t) return false;
    for (int64_t i = 0; i < t->numel(); ++i) axes.push_back(t->get_i64(i));
  }
  if (axes.empty()) {
    if (n.attr_int("noop_with_empty_axes", 0) != 0) return false;
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  for (int64_t& a : axes) {
    if (a < -rank || a >= rank) return false;
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return false;
  return axes.back() - axes.front() + 1 == static_cast<int64_t>(axes.size());
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  if (!types.ok) return;
  for (NodeId id : opt::nodes_of(g, {"Softmax", "GlobalAveragePool", "ReduceMean", "ReduceSum"})) {
    const Node& n = g.node(id);
    if (!n.domain.empty()) continue;
    const ValueId x = n.inputs[0];
    const auto& xt = types.t.types[x];
    if (!xt || xt->dtype != DType::F32) continue;
    const int64_t rank = static_cast<int64_t>(xt->shape.size());
    std::map<std::string, Attribute> attrs;
    std::string op;
    if (n.op_type == "Softmax") {
      if (n.has_attr("legacy_coerce_2d")) continue;
      op = "flipscope.ApproxSoftmax";
      attrs = {{"axis", Attribute::make_int(n.attr_int("axis", -1))}, {"exp", Attribute::make_string("exact")}};
    } else {
      std::vector<int64_t> axes;
      if (n.op_type == "GlobalAveragePool") {
        if (rank < 3) continue;
        for (int64_t d = 2; d < rank; ++d) axes.push_back(d);
      } else if (rank == 0 || !reduce_axes(g, n, rank, axes)) {
        continue;
      }
      op = "flipscope.FastReduce";
      const bool keep = n.op_type == "GlobalAveragePool" || n.attr_int("keepdims", 1) != 0;
      attrs = {{"axes", Attribute::make_ints(axes)},
               {"mean", Attribute::make_int(n.op_type == "ReduceSum" ? 0 : 1)},
               {"keepdims", Attribute::make_int(keep ? 1 : 0)}};
    }
    if (!ctx.begin("fast-math-reassociate", n)) continue;
    Node r;
    r.op_type = op;
    r.domain = "flipscope";
    r.inputs = {x};
    r.outputs = n.outputs;
    r.attrs = std::move(attrs);
    r.provenance = n.provenance;
    const std::string name = n.name, from = n.op_type;
    g.remove_node(id);
    r.name = g.unique_node_name(name);
    NodeId nid = g.add_node(std::move(r));
    ctx.commit({id}, {nid}, from);
  }
}

FS_REGISTER_PASS("fast-math-reassociate",
                 "softmax, global average pooling and ReduceMean/ReduceSum accumulate in float32 in a reordered "
                 "(interleaved / chunked) order instead of double",
                 PassCategory::FastMath, false, {"Softmax", "GlobalAveragePool", "ReduceMean", "ReduceSum"}, run);

}  // namespace
}  // namespace fs
