// fuse-matmul-add: MatMul(A[M,K], B[K,N] constant) + C (constant, N or 1xN values) becomes
// Gemm(A, B, C): one kernel, the bias added in the GEMM's epilogue.
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  opt::Types types = opt::infer_types(g);
  for (NodeId mid : opt::nodes_of(g, {"MatMul"})) {
    const Node& mm = g.node(mid);
    if (mm.dead || !mm.domain.empty()) continue;
    Shape as;
    const Tensor* b = opt::const_input(g, mm, 1);
    if (!b || b->dtype() != DType::F32 || b->rank() != 2) continue;
    if (!opt::guessed_shape(g, types, mm.inputs[0], as) || as.size() != 2) continue;  // the rank holds
    const NodeId aid = opt::single_consumer(g, mm.outputs[0]);
    if (aid < 0) continue;
    const Node& add = g.node(aid);
    if (add.op_type != "Add" || !add.domain.empty()) continue;
    const size_t other = add.inputs[0] == mm.outputs[0] ? 1 : 0;
    const Tensor* c = opt::const_input(g, add, other);
    if (!c || c->dtype() != DType::F32) continue;
    const int64_t n = b->dim(1);
    if (!(c->numel() == n && (c->rank() == 1 || (c->rank() == 2 && c->dim(0) == 1)))) continue;
    if (!ctx.begin("fuse-matmul-add", add)) continue;
    const ValueId a = mm.inputs[0], bv = mm.inputs[1], cv = add.inputs[other], y = add.outputs[0];
    const std::string base = mm.name + "+" + add.name;
    g.remove_node(aid);
    g.remove_node(mid);
    NodeId nid = opt::add_node(g, base, "Gemm", {a, bv, cv}, {y}, {}, "", mm.opset);
    ctx.commit({mid, aid}, {nid});
  }
}

FS_REGISTER_PASS("fuse-matmul-add", "MatMul of a 2-D input by constant weights plus a constant bias becomes one Gemm",
                 PassCategory::Fusion, true, {"MatMul", "Add"}, run);

}  // namespace
}  // namespace fs
