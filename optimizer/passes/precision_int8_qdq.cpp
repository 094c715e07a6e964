// precision-int8-qdq: quantize-dequantize EMULATION of int8 inference (precision-int8 runs real
// integer kernels). Weights of Conv / Gemm / MatMul (and their fused forms) are quantized
// symmetrically per output channel (scale = max|w|/127, round half to even, clamp to [-127, 127])
// and stored dequantized; the float32 activation entering each of these nodes goes through
// QuantizeLinear -> DequantizeLinear (uint8, per tensor) with a range calibrated on
// OptimizeOptions::calibration by min-max, percentile (0.01% / 99.99%) or entropy (KL divergence
// over a 2048-bin histogram of |x|, TensorRT's method); see optimizer/int8_calibration.h.
// Accumulation stays fp32, so the numbers are those of an int8 kernel with exact int32 accumulation
// up to fp32 rounding; the speed is not. One rewrite per node.
#include "optimizer/graph_util.h"
#include "optimizer/int8_calibration.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

Tensor fake_quant_weights(const Tensor& w, const Node& n) {
  const opt::int8::QuantizedWeights q = opt::int8::quantize_weights(w, n);
  Tensor r(DType::F32, w.shape());
  for (int64_t i = 0; i < w.numel(); ++i) r.set_f64(i, q.at(i));
  return r;
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  const OptimizeOptions& o = ctx.options();
  std::vector<NodeId> targets = opt::int8::candidates(g, o);
  std::map<std::string, opt::int8::Samples> samples = opt::int8::collect(g, o, targets);
  std::map<ValueId, ValueId> dq_of;  // activation -> its dequantized copy (shared by consumers)
  for (NodeId id : targets) {
    const Node& n = g.node(id);
    const ValueId x = n.inputs[0];
    auto it = samples.find(g.value(x).name);
    if (it == samples.end() || !ctx.begin("precision-int8-qdq", n)) continue;
    Node copy = n;
    std::vector<NodeId> created;
    if (!dq_of.count(x)) {
      const opt::int8::ActQuant aq = opt::int8::activation_params(it->second.values, o.calibration_method);
      Tensor st(DType::F32, {}), zt(DType::U8, {});
      st.set_f64(0, aq.scale);
      zt.set_i64(0, aq.zero_point);
      const std::string base = g.value(x).name;
      ValueId sv = opt::add_const(g, base + "_scale", st), zv = opt::add_const(g, base + "_zero_point", zt);
      ValueId q = g.add_value(g.unique_value_name(base + "_q"), DType::U8);
      ValueId dq = g.add_value(g.unique_value_name(base + "_dq"), DType::F32);
      created.push_back(opt::add_node(g, base + "/quantize", "QuantizeLinear", {x, sv, zv}, {q}, {}, "", 13));
      created.push_back(opt::add_node(g, base + "/dequantize", "DequantizeLinear", {q, sv, zv}, {dq}, {}, "", 13));
      dq_of[x] = dq;
    }
    copy.inputs[0] = dq_of[x];
    copy.inputs[1] = opt::add_const(g, g.value(copy.inputs[1]).name + "_int8",
                                    fake_quant_weights(*opt::constant_of(g, copy.inputs[1]), copy));
    copy.id = -1;
    const std::string name = copy.name;
    g.remove_node(id);
    copy.name = g.unique_node_name(name);
    created.insert(created.begin(), g.add_node(std::move(copy)));
    ctx.commit({id}, created, "calibration=" + o.calibration_method);
  }
}

FS_REGISTER_PASS("precision-int8-qdq",
                 "int8 weights (symmetric per channel) and activations (per tensor, calibrated): quantize-dequantize "
                 "emulation with fp32 kernels",
                 PassCategory::Precision, false, {"Conv", "Gemm", "MatMul"}, run);

}  // namespace
}  // namespace fs
