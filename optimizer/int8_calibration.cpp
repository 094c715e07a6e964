// int8 quantization shared by the precision-int8 passes (see int8_calibration.h).
#include "optimizer/int8_calibration.h"

#include <algorithm>
#include <cmath>

#include "engine/session.h"
#include "optimizer/graph_util.h"

namespace fs::opt::int8 {

bool quantizable(const Node& n) {
  return n.op_type == "Conv" || n.op_type == "Gemm" || n.op_type == "MatMul" || n.op_type == "flipscope.FusedConv" ||
         n.op_type == "flipscope.FusedGemm";
}

QuantizedWeights quantize_weights(const Tensor& w, const Node& n) {
  QuantizedWeights r;
  r.q = Tensor(DType::I8, w.shape());
  int64_t channels = 1, inner = w.numel(), outer_stride = 0;
  bool conv = n.op_type == "Conv" || n.op_type == "flipscope.FusedConv";
  bool trans_b = n.attr_int("transB", 0) != 0;
  if (conv || trans_b) {
    channels = w.dim(0);
    inner = channels ? w.numel() / channels : 0;
  } else if (w.rank() == 2) {  // [K, N]: channel = column
    channels = w.dim(1);
    outer_stride = 1;
    r.column_channels = true;
  }
  auto idx = [&](int64_t c, int64_t k) { return outer_stride ? k * channels + c : c * inner + k; };
  const int64_t per = outer_stride ? w.dim(0) : inner;
  r.scale.assign(static_cast<size_t>(channels), 1.0);
  for (int64_t c = 0; c < channels; ++c) {
    double mx = 0;
    for (int64_t k = 0; k < per; ++k) mx = std::max(mx, std::abs(w.get_f64(idx(c, k))));
    const double scale = mx > 0 ? mx / 127.0 : 1.0;
    r.scale[c] = scale;
    for (int64_t k = 0; k < per; ++k)
      r.q.set_i64(idx(c, k),
                  static_cast<int64_t>(std::clamp(std::nearbyint(w.get_f64(idx(c, k)) / scale), -127.0, 127.0)));
  }
  return r;
}

double QuantizedWeights::at(int64_t i) const {
  const int64_t channels = static_cast<int64_t>(scale.size());
  int64_t c = 0;
  if (channels > 1) c = column_channels ? i % channels : i / (q.numel() / channels);
  return static_cast<double>(q.get_i64(i)) * scale[c];
}

std::vector<NodeId> candidates(const Graph& g, const OptimizeOptions& o) {
  if (o.calibration.empty())
    fail(ErrorKind::InvalidInput, "int8 needs calibration inputs (a study passes its first inputs; none were given)");
  if (o.calibration_method != "minmax" && o.calibration_method != "percentile" && o.calibration_method != "entropy")
    fail(ErrorKind::InvalidInput,
         "calibration method '" + o.calibration_method + "': expected minmax, percentile or entropy");
  std::vector<NodeId> targets;
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    if (!quantizable(n) || o.keep_fp32.count(n.name)) continue;
    if (!const_input(g, n, 1) || constant_of(g, n.inputs[0])) continue;
    targets.push_back(id);
  }
  return targets;
}

std::map<std::string, Samples> collect(const Graph& g, const OptimizeOptions& o, const std::vector<NodeId>& targets) {
  std::set<std::string> wanted;
  for (NodeId id : targets) wanted.insert(g.value(g.node(id).inputs[0]).name);
  // Run this graph (as it stands) on the samples and collect each wanted input.
  std::map<std::string, Samples> samples;
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
      auto [si, fresh] = samples.try_emplace(name);
      if (fresh) si->second.rank = t->shape().size();
      auto& v = si->second.values;
      v.insert(v.end(), t->data<float>(), t->data<float>() + t->numel());
    }
  }
  return samples;
}

namespace {

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
  // Exact zeros (the spike ReLU/ReLU6 outputs have) quantize exactly at any threshold, so they say
  // nothing about where to clip; kept in, their spike dominates the KL term and drives the search
  // to the smallest threshold (0 % top-1 agreement on mobilenet_v2 before this).
  for (float x : xs)
    if (x != 0.0f) hist[std::min(bins - 1, static_cast<int>(std::abs(x) / amax * bins))] += 1;
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

}  // namespace

ActQuant activation_params(std::vector<float>& xs, const std::string& method) {
  auto [lo, hi] = calibrate(xs, method);
  ActQuant a;
  a.scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
  a.zero_point = static_cast<int64_t>(std::clamp(std::nearbyint(-lo / a.scale), 0.0, 255.0));
  return a;
}

}  // namespace fs::opt::int8
