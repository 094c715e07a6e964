// fold-batchnorm: folds an inference BatchNormalization into the Conv (or Gemm) that feeds it:
// s = scale / sqrt(var + eps); W' = W * s (per output channel); B' = (B - mean) * s + bias.
// The new weights are computed in double and rounded once. The producer's output must have no
// other consumer (it would otherwise need the unnormalized value).
#include <cmath>

#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

// Per-channel (s, shift) of a BatchNormalization with constant float32 parameters.
bool bn_affine(const Graph& g, const Node& bn, std::vector<double>& s, std::vector<double>& shift) {
  if (bn.outputs.size() > 1 && bn.outputs[1] != kNoValue) return false;  // training outputs
  if (bn.attr_int("training_mode", 0) != 0) return false;
  const Tensor* p[4];
  for (size_t i = 0; i < 4; ++i) {
    p[i] = opt::const_input(g, bn, i + 1);
    if (!p[i] || p[i]->dtype() != DType::F32 || p[i]->rank() != 1) return false;
  }
  const int64_t c = p[0]->numel();
  for (auto* t : p)
    if (t->numel() != c) return false;
  const double eps = bn.attr_float("epsilon", 1e-5f);
  s.resize(static_cast<size_t>(c));
  shift.resize(static_cast<size_t>(c));
  for (int64_t k = 0; k < c; ++k) {
    s[k] = p[0]->get_f64(k) / std::sqrt(p[3]->get_f64(k) + eps);
    shift[k] = p[1]->get_f64(k) - p[2]->get_f64(k) * s[k];
  }
  return true;
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  for (NodeId bid : opt::nodes_of(g, {"BatchNormalization"})) {
    const Node& bn = g.node(bid);
    if (bn.dead || !bn.domain.empty() || bn.inputs.empty()) continue;
    const Value& x = g.value(bn.inputs[0]);
    if (x.producer < 0 || opt::single_consumer(g, bn.inputs[0]) != bid) continue;
    const NodeId pid = x.producer;
    const Node& p = g.node(pid);
    const bool conv = p.op_type == "Conv" && p.domain.empty();
    const bool gemm = p.op_type == "Gemm" && p.domain.empty();
    if (!conv && !gemm) continue;
    const Tensor* w = opt::const_input(g, p, 1);
    const Tensor* b = opt::has_input(p, 2) ? opt::const_input(g, p, 2) : nullptr;
    if (!w || w->dtype() != DType::F32 || (opt::has_input(p, 2) && (!b || b->dtype() != DType::F32))) continue;
    std::vector<double> s, shift;
    if (!bn_affine(g, bn, s, shift)) continue;
    const int64_t m = static_cast<int64_t>(s.size());
    bool trans_b = gemm && p.attr_int("transB", 0) != 0;
    if (gemm && (p.attr_int("transA", 0) != 0 || w->rank() != 2)) continue;
    const int64_t wm = conv ? w->dim(0) : (trans_b ? w->dim(0) : w->dim(1));
    if (wm != m || (b && b->numel() != m && !(gemm && b->numel() == 1))) continue;
    if (!ctx.begin("fold-batchnorm", bn)) continue;

    const double beta = gemm ? p.attr_float("beta", 1.0f) : 1.0;
    Tensor nw(DType::F32, w->shape());
    const int64_t per = w->numel() / m;  // conv: [M, C/g, k...]
    for (int64_t i = 0; i < w->numel(); ++i) {
      int64_t ch = conv ? i / per : (trans_b ? i / w->dim(1) : i % w->dim(1));
      nw.set_f64(i, w->get_f64(i) * s[ch]);
    }
    Tensor nb(DType::F32, {m});
    for (int64_t k = 0; k < m; ++k) {
      double bk = b ? beta * b->get_f64(b->numel() == 1 ? 0 : k) : 0.0;
      nb.set_f64(k, bk * s[k] + shift[k]);
    }
    Node fused = p;  // same op and attributes, new constants
    fused.id = -1;
    fused.provenance.clear();
    fused.inputs = {p.inputs[0], opt::add_const(g, p.name + "_W_bnfold", nw),
                    opt::add_const(g, p.name + "_B_bnfold", nb)};
    if (gemm) fused.attrs["beta"] = Attribute::make_float(1.0f);
    fused.outputs = {bn.outputs[0]};
    const std::string base = p.name + "+" + bn.name;
    g.remove_node(bid);
    g.remove_node(pid);
    fused.name = g.unique_node_name(base);
    NodeId nid = g.add_node(std::move(fused));
    ctx.commit({pid, bid}, {nid});
  }
}

FS_REGISTER_PASS("fold-batchnorm", "fold inference BatchNormalization into the preceding Conv/Gemm weights and bias",
                 PassCategory::Fusion, true, {"BatchNormalization", "Conv", "Gemm"}, run);

}  // namespace
}  // namespace fs
