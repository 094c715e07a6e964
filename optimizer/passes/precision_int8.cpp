// precision-int8: quantize-dequantize emulation of int8 inference. Weights of Conv / Gemm / MatMul
// (and their fused forms) are quantized symmetrically per output channel (scale = max|w|/127,
// round half to even, clamp to [-127, 127]) and stored dequantized; the float32 activation entering
// each of these nodes goes through QuantizeLinear -> DequantizeLinear (uint8, per tensor) with a
// range calibrated on OptimizeOptions::calibration by min-max, percentile (0.01% / 99.99%) or
// entropy (KL divergence over a 2048-bin histogram of |x|, TensorRT's method). Accumulation stays
// fp32, so the numbers are those of an int8 kernel with exact int32 accumulation up to fp32
// rounding; the speed is not (the cpu backend has no int8 GEMM yet). One rewrite per node.
#include <algorithm>
#include <cmath>

#include "engine/session.h"
#include "optimizer/graph_util.h"
#include "optimizer/pass.h"

namespace fs {
namespace {

bool quantizable(const Node& n) {
  return n.op_type == "Conv" || n.op_type == "Gemm" || n.op_type == "MatMul" || n.op_type == "flipscope.FusedConv" ||
         n.op_type == "flipscope.FusedGemm";
}

// Per-channel symmetric int8 fake quantization; channel axis 0 for conv weights, the output axis
// for Gemm/MatMul weights.
Tensor fake_quant_weights(const Tensor& w, const Node& n) {
  Tensor r(DType::F32, w.shape());
  int64_t channels = 1, inner = w.numel(), outer_stride = 0;
  bool conv = n.op_type == "Conv" || n.op_type == "flipscope.FusedConv";
  bool trans_b = n.attr_int("transB", 0) != 0;
  if (conv || trans_b) {
    channels = w.dim(0);
    inner = w.numel() / channels;
  } else if (w.rank() == 2) {  // [K, N]: channel = column
    channels = w.dim(1);
    outer_stride = 1;
  }
  auto idx = [&](int64_t c, int64_t k) { return outer_stride ? k * channels + c : c * inner + k; };
  const int64_t per = outer_stride ? w.dim(0) : inner;
  for (int64_t c = 0; c < channels; ++c) {
    double mx = 0;
    for (int64_t k = 0; k < per; ++k) mx = std::max(mx, std::abs(w.get_f64(idx(c, k))));
    const double scale = mx > 0 ? mx / 127.0 : 1.0;
    for (int64_t k = 0; k < per; ++k) {
      double q = std::clamp(std::nearbyint(w.get_f64(idx(c, k)) / scale), -127.0, 127.0);
      r.set_f64(idx(c, k), q * scale);
    }
  }
  return r;
}

// Range [lo, hi] of a value's samples by the chosen method.
std::pair<double, double> calibrate(std::vector<float>& xs, const std::string& method) {
  if (xs.empty()) return {0, 0};
  auto [mn_it, mx_it] = std::minmax_element(xs.begin(), xs.end());
  double lo = std::min(0.0, double(*mn_it)), hi = std::max(0.0, double(*mx_it));
  if (method == "minmax") return {lo, hi};
  if (method == "percentile") {
    std::sort(xs.begin(), xs.end());
    auto at = [&](double q) { return double(xs[static_cast<size_t>(q * double(xs.size() - 1))]); };
    return {std::min(0.0, at(0.0001)), std::max(0.0, at(0.9999))};
  }
  // entropy: threshold T on |x| minimizing KL(P || Q) with Q the 128-level quantization of P.
  const int bins = 2048, levels = 128;
  const double amax = std::max(std::abs(lo), std::abs(hi));
  if (amax == 0) return {0, 0};
  std::vector<double> hist(bins, 0.0);
  for (float x : xs) hist[std::min(bins - 1, static_cast<int>(std::abs(x) / amax * bins))] += 1;
  double best_kl = 1e300;
  int best = bins;
  for (int t = levels; t <= bins; t += 16) {
    std::vector<double> p(hist.begin(), hist.begin() + t);
    for (int i = t; i < bins; ++i) p[t - 1] += hist[i];  // outliers clipped into the last bin
    std::vector<double> q(t, 0.0);
    const double step = double(t) / levels;
    for (int l = 0; l < levels; ++l) {
      int b0 = static_cast<int>(l * step), b1 = std::max(b0 + 1, static_cast<int>((l + 1) * step));
      double sum = 0;
      int nz = 0;
      for (int i = b0; i < b1 && i < t; ++i) {
        sum += hist[i];
        nz += hist[i] > 0;
      }
      for (int i = b0; i < b1 && i < t; ++i)
        if (hist[i] > 0) q[i] = sum / nz;
    }
    double ps = 0, qs = 0;
    for (int i = 0; i < t; ++i) ps += p[i], qs += q[i];
    double kl = 0;
    for (int i = 0; i < t; ++i)
      if (p[i] > 0) kl += p[i] / ps * std::log((p[i] / ps) / std::max(q[i] / std::max(qs, 1e-300), 1e-12));
    if (kl < best_kl) best_kl = kl, best = t;
  }
  const double thr = (best + 0.5) * amax / bins;
  return {lo < 0 ? -thr : 0.0, thr};
}

void run(PassContext& ctx) {
  Graph& g = ctx.graph();
  const OptimizeOptions& o = ctx.options();
  if (o.calibration.empty())
    fail(ErrorKind::InvalidInput, "int8 needs calibration inputs (a study passes its first inputs; none were given)");
  if (o.calibration_method != "minmax" && o.calibration_method != "percentile" && o.calibration_method != "entropy")
    fail(ErrorKind::InvalidInput,
         "calibration method '" + o.calibration_method + "': expected minmax, percentile or entropy");
  std::vector<NodeId> targets;
  std::set<std::string> wanted;
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    if (!quantizable(n) || o.keep_fp32.count(n.name)) continue;
    if (!opt::const_input(g, n, 1) || opt::constant_of(g, n.inputs[0])) continue;
    targets.push_back(id);
    wanted.insert(g.value(n.inputs[0]).name);
  }
  // Calibration: run this graph (as it stands) on the samples and collect each wanted input.
  std::map<std::string, std::vector<float>> samples;
  {
    auto snapshot = std::make_shared<Graph>(g);
    snapshot->compact();
    SessionOptions so;
    so.backend = o.backend == "reference" ? "reference" : "cpu";
    Session s(snapshot, so);
    RunOptions ro;
    ro.capture_all = true;
    for (const auto& feeds : o.calibration) {
      RunResult r = s.run(feeds, ro);
      for (const std::string& name : wanted) {
        const Tensor* t = nullptr;
        auto it = r.captured.find(name);
        if (it != r.captured.end())
          t = &it->second;
        else if (feeds.count(name))
          t = &feeds.at(name);
        if (!t || t->dtype() != DType::F32) continue;
        auto& v = samples[name];
        v.insert(v.end(), t->data<float>(), t->data<float>() + t->numel());
      }
    }
  }
  std::map<ValueId, ValueId> dq_of;  // activation -> its dequantized copy (shared by consumers)
  for (NodeId id : targets) {
    const Node& n = g.node(id);
    const ValueId x = n.inputs[0];
    auto it = samples.find(g.value(x).name);
    if (it == samples.end() || !ctx.begin("precision-int8", n)) continue;
    Node copy = n;
    std::vector<NodeId> created;
    if (!dq_of.count(x)) {
      auto [lo, hi] = calibrate(it->second, o.calibration_method);
      const double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
      const double zp = std::clamp(std::nearbyint(-lo / scale), 0.0, 255.0);
      Tensor st(DType::F32, {}), zt(DType::U8, {});
      st.set_f64(0, scale);
      zt.set_i64(0, static_cast<int64_t>(zp));
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

FS_REGISTER_PASS("precision-int8",
                 "int8 weights (symmetric per channel) and activations (per tensor, calibrated): quantize-dequantize "
                 "emulation",
                 PassCategory::Precision, false, {"Conv", "Gemm", "MatMul"}, run);

}  // namespace
}  // namespace fs
