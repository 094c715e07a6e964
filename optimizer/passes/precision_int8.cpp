// precision-int8: int8 inference on integer kernels. Calibration and weight quantization are those
// of precision-int8-qdq (optimizer/int8_calibration.h); each quantizable node becomes
// QuantizeLinear(x) (uint8 per tensor, shared by the consumers of x) -> flipscope.QConv (2-D Conv /
// FusedConv; bias, residual and activation carried over) or flipscope.QGemm (Gemm / FusedGemm with
// transA = 0, a rank-2 A and a bias-like C; MatMul with [K, N] weights), whose int8 weights are
// symmetric per output channel. The ops accumulate exactly in int32 and produce float32, so the rest
// of the graph stays fp32 and the result differs from the emulation only by its fp32 accumulation.
// Nodes that fit neither op are left in fp32. One rewrite per node.
#include "optimizer/graph_util.h"
#include "optimizer/int8_calibration.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

Tensor f32_vector(const std::vector<double>& v) {
  Tensor t(DType::F32, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.set_f64(static_cast<int64_t>(i), v[i]);
  return t;
}

// The new node's inputs 3.. (W, w_scale, B?, Z?) and attributes, or false when the node does not fit.
struct Plan {
  std::string op;
  Tensor w;  // int8
  std::vector<double> w_scale, bias;
  ValueId bias_value = kNoValue, residual = kNoValue;
  std::map<std::string, Attribute> attrs;
};

bool plan_conv(const Graph& g, const Node& n, size_t x_rank, Plan& p) {
  const Tensor& w = *opt::const_input(g, n, 1);
  if (w.rank() != 4 || x_rank != 4) return false;
  const opt::int8::QuantizedWeights q = opt::int8::quantize_weights(w, n);
  p.op = "flipscope.QConv";
  p.w = q.q;
  p.w_scale = q.scale;
  if (opt::has_input(n, 2)) {
    if (g.value(n.inputs[2]).dtype != DType::F32) return false;
    p.bias_value = n.inputs[2];
  }
  if (opt::has_input(n, 3)) p.residual = n.inputs[3];
  p.attrs = n.attrs;
  p.attrs.erase("algorithm");
  p.attrs.erase("winograd_tile");
  return true;
}

bool plan_gemm(const Graph& g, const Node& n, size_t x_rank, Plan& p) {
  const Tensor& w = *opt::const_input(g, n, 1);
  if (w.rank() != 2) return false;
  const bool gemm = n.op_type != "MatMul";
  if (gemm && (n.attr_int("transA", 0) != 0 || x_rank != 2)) return false;
  if (!gemm && x_rank < 2) return false;
  const bool trans_b = gemm && n.attr_int("transB", 0) != 0;
  const int64_t k = trans_b ? w.dim(1) : w.dim(0), cols = trans_b ? w.dim(0) : w.dim(1);
  const double alpha = gemm ? n.attr_float("alpha", 1.0f) : 1.0, beta = gemm ? n.attr_float("beta", 1.0f) : 0.0;
  if (gemm && opt::has_input(n, 2)) {  // C must be a constant row: [], [1], [N] or [1, N]
    const Tensor* c = opt::const_input(g, n, 2);
    if (!c || !(c->numel() == 1 || c->numel() == cols)) return false;
    if (c->rank() > 2 || (c->rank() == 2 && c->dim(0) != 1)) return false;
    p.bias.resize(static_cast<size_t>(cols));
    for (int64_t j = 0; j < cols; ++j) p.bias[j] = beta * c->get_f64(c->numel() == 1 ? 0 : j);
  }
  const opt::int8::QuantizedWeights q = opt::int8::quantize_weights(w, n);
  p.op = "flipscope.QGemm";
  p.w = Tensor(DType::I8, {cols, k});  // [N, K]
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t i = 0; i < k; ++i) p.w.set_i64(j * k + i, q.q.get_i64(trans_b ? j * k + i : i * cols + j));
  p.w_scale = q.scale;
  if (p.w_scale.size() != static_cast<size_t>(cols)) return false;
  for (double& s : p.w_scale) s *= alpha;
  for (const char* a : {"activation", "activation_params"})
    if (n.has_attr(a)) p.attrs[a] = n.attrs.at(a);
  return true;
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  const OptimizeOptions& o = ctx.options();
  std::vector<NodeId> targets = opt::int8::candidates(g, o);
  std::map<std::string, opt::int8::Samples> samples = opt::int8::collect(g, o, targets);
  struct Quantized {
    ValueId q, scale, zero_point;
  };
  std::map<ValueId, Quantized> q_of;  // activation -> its uint8 copy (shared by consumers)
  for (NodeId id : targets) {
    const Node& n = g.node(id);
    const ValueId x = n.inputs[0];
    auto it = samples.find(g.value(x).name);
    if (it == samples.end()) continue;
    Plan p;
    const bool conv = n.op_type == "Conv" || n.op_type == "flipscope.FusedConv";
    if (!(conv ? plan_conv(g, n, it->second.rank, p) : plan_gemm(g, n, it->second.rank, p))) continue;
    if (!ctx.begin("precision-int8", n)) continue;
    std::vector<NodeId> created;
    const std::string wname = g.value(n.inputs[1]).name, name = n.name;
    const std::vector<ValueId> outputs = n.outputs;  // (n dangles once nodes are added)
    if (!q_of.count(x)) {
      const opt::int8::ActQuant aq = opt::int8::activation_params(it->second.values, o.calibration_method);
      Tensor st(DType::F32, {}), zt(DType::U8, {});
      st.set_f64(0, aq.scale);
      zt.set_i64(0, aq.zero_point);
      const std::string base = g.value(x).name;
      Quantized qv;
      qv.scale = opt::add_const(g, base + "_scale", st);
      qv.zero_point = opt::add_const(g, base + "_zero_point", zt);
      qv.q = g.add_value(g.unique_value_name(base + "_q"), DType::U8);
      created.push_back(
          opt::add_node(g, base + "/quantize", "QuantizeLinear", {x, qv.scale, qv.zero_point}, {qv.q}, {}, "", 13));
      q_of[x] = qv;
    }
    const Quantized& qv = q_of[x];
    std::vector<ValueId> inputs = {qv.q, qv.scale, qv.zero_point, opt::add_const(g, wname + "_int8", p.w),
                                   opt::add_const(g, wname + "_scale", f32_vector(p.w_scale))};
    ValueId bias = p.bias_value;
    if (!p.bias.empty()) bias = opt::add_const(g, wname + "_bias", f32_vector(p.bias));
    if (bias != kNoValue || p.residual != kNoValue) inputs.push_back(bias);
    if (p.residual != kNoValue) inputs.push_back(p.residual);
    g.remove_node(id);
    created.insert(created.begin(), opt::add_node(g, name, p.op, inputs, outputs, p.attrs, "flipscope"));
    ctx.commit({id}, created, "calibration=" + o.calibration_method);
  }
}

FS_REGISTER_PASS("precision-int8",
                 "int8 weights (symmetric per channel) and activations (per tensor, calibrated) on integer kernels "
                 "(flipscope.QConv / QGemm, exact int32 accumulation)",
                 PassCategory::Precision, false, {"Conv", "Gemm", "MatMul"}, run);

}  // namespace
}  // namespace fs
