#include "diff/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <set>

#include "engine/limits.h"
#include "engine/op_schema.h"
#include "engine/shape_inference.h"
#include "kernels/cpu/sgemm.h"

namespace fs {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = p / 100.0 * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

std::map<std::string, Tensor> random_inputs(const Graph& g, int64_t batch, uint32_t seed) {
  InferOptions io;
  io.default_dim = batch;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  std::map<std::string, Tensor> r;
  for (ValueId v : g.inputs()) {
    const Value& val = g.value(v);
    if (val.constant) continue;
    Tensor t(val.dtype, bind_shape(val, io));
    for (int64_t i = 0; i < t.numel(); ++i) {
      if (is_float(val.dtype))
        t.set_f64(i, uni(rng));
      else
        t.set_i64(i, 0);
    }
    r[val.name] = t;
  }
  return r;
}

ProfileResult profile_session(Session& s, const std::map<std::string, Tensor>& inputs, int warmup, int repeat) {
  const Graph& g = s.graph();
  ProfileResult r;
  r.model = g.source_file;
  r.backend = s.options().backend;
  r.threads = s.options().threads;
  r.warmup = warmup;
  r.repeat = repeat;
  for (const auto& [name, t] : inputs)
    if (t.rank() > 0) r.batch = t.dim(0);
  RunResult res;
  RunOptions ro;
  ro.profile = true;
  for (int i = 0; i < warmup; ++i) s.run_into(inputs, res, ro);
  std::map<NodeId, std::vector<double>> per_node;
  std::vector<std::vector<NodeTiming>> runs;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    s.run_into(inputs, res, ro);
    r.run_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    for (const NodeTiming& t : res.timings) per_node[t.node].push_back(t.ms);
    runs.push_back(res.timings);
  }
  r.median_ms = percentile(r.run_ms, 50);
  r.p90_ms = percentile(r.run_ms, 90);
  r.min_ms = r.run_ms.empty() ? 0 : *std::min_element(r.run_ms.begin(), r.run_ms.end());
  // The run closest to the median end-to-end time is the one the trace shows.
  if (!runs.empty()) {
    size_t best = 0;
    for (size_t i = 1; i < runs.size(); ++i)
      if (std::fabs(r.run_ms[i] - r.median_ms) < std::fabs(r.run_ms[best] - r.median_ms)) best = i;
    for (const NodeTiming& t : runs[best]) r.trace.push_back({t.node, t});
  }
  double sum = 0;
  for (auto& [id, times] : per_node) {
    const Node& n = g.node(id);
    LayerProfile l;
    l.name = n.name;
    l.op = n.op_type;
    std::vector<TensorType> in, out;
    for (ValueId v : n.inputs) {
      auto t = v == kNoValue ? std::nullopt : s.value_type(v);
      in.push_back(t ? *t : TensorType{});
      if (t && !g.value(v).constant) l.input_shapes += (l.input_shapes.empty() ? "" : " ") + shape_str(t->shape);
    }
    for (ValueId v : n.outputs) {
      auto t = v == kNoValue ? std::nullopt : s.value_type(v);
      out.push_back(t ? *t : TensorType{});
    }
    if (!out.empty() && out[0].dtype != DType::Undefined) l.output_shape = shape_str(out[0].shape);
    try {
      l.flops = node_flops(n, in, out);
    } catch (const Error&) {
      l.flops = 0;
    }
    l.median_ms = percentile(times, 50);
    l.p90_ms = percentile(times, 90);
    l.gflops = l.median_ms > 0 ? static_cast<double>(l.flops) / (l.median_ms * 1e6) : 0;
    sum += l.median_ms;
    r.total_flops += l.flops;
    r.layers.push_back(l);
  }
  for (auto& l : r.layers) l.share = sum > 0 ? l.median_ms / sum : 0;
  std::stable_sort(r.layers.begin(), r.layers.end(),
                   [](const LayerProfile& a, const LayerProfile& b) { return a.median_ms > b.median_ms; });
  return r;
}

nlohmann::json profile_to_json(const ProfileResult& r) {
  nlohmann::json j;
  j["model"] = r.model;
  j["backend"] = r.backend;
  j["threads"] = r.threads;
  if (r.backend == "cpu") j["gemm"] = cpu::gemm_lib_name();
  j["batch"] = r.batch;
  j["warmup"] = r.warmup;
  j["repeat"] = r.repeat;
  j["median_ms"] = r.median_ms;
  j["p90_ms"] = r.p90_ms;
  j["min_ms"] = r.min_ms;
  j["total_flops"] = r.total_flops;
  j["gflops"] = r.median_ms > 0 ? static_cast<double>(r.total_flops) / (r.median_ms * 1e6) : 0;
  j["runs_ms"] = r.run_ms;
  j["layers"] = nlohmann::json::array();
  for (const auto& l : r.layers)
    j["layers"].push_back({{"name", l.name},
                           {"op", l.op},
                           {"input_shapes", l.input_shapes},
                           {"output_shape", l.output_shape},
                           {"flops", l.flops},
                           {"median_ms", l.median_ms},
                           {"p90_ms", l.p90_ms},
                           {"share", l.share},
                           {"gflops", l.gflops}});
  return j;
}

void write_trace(const ProfileResult& r, const Graph& g, const std::string& path) {
  nlohmann::json ev = nlohmann::json::array();
  ev.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "flipscope " + r.backend}}}});
  double total = 0;
  for (const auto& [id, t] : r.trace) {
    const Node& n = g.node(id);
    ev.push_back({{"name", n.name},
                  {"cat", n.op_type},
                  {"ph", "X"},
                  {"ts", t.start_ms * 1000.0},
                  {"dur", t.ms * 1000.0},
                  {"pid", 1},
                  {"tid", 1},
                  {"args", {{"op", n.op_type}}}});
    total = std::max(total, t.start_ms + t.ms);
  }
  ev.push_back(
      {{"name", "run"}, {"cat", "session"}, {"ph", "X"}, {"ts", 0}, {"dur", total * 1000.0}, {"pid", 1}, {"tid", 0}});
  std::ofstream out(path);
  if (!out) fail(ErrorKind::InvalidInput, path + ": cannot write");
  out << nlohmann::json{{"traceEvents", ev}, {"displayTimeUnit", "ms"}}.dump() << "\n";
}

void write_layers_csv(const ProfileResult& r, const std::string& path) {
  std::ofstream out(path);
  if (!out) fail(ErrorKind::InvalidInput, path + ": cannot write");
  out << "name,op,input_shapes,output_shape,flops,median_ms,p90_ms,share,gflops\n";
  for (const auto& l : r.layers)
    out << fmt::format("\"{}\",{},\"{}\",\"{}\",{},{:.6f},{:.6f},{:.6f},{:.3f}\n", l.name, l.op, l.input_shapes,
                       l.output_shape, l.flops, l.median_ms, l.p90_ms, l.share, l.gflops);
}

std::string format_profile(const ProfileResult& r, size_t max_rows) {
  std::string s = fmt::format(
      "{} on {} ({} thread{}, batch {}): median {:.3f} ms, p90 {:.3f} ms, min {:.3f} ms over {} "
      "runs after {} warm-up; {:.3f} GFLOP, {:.2f} GFLOP/s\n\n",
      r.model, r.backend, r.threads, r.threads == 1 ? "" : "s", r.batch, r.median_ms, r.p90_ms, r.min_ms, r.repeat,
      r.warmup, static_cast<double>(r.total_flops) / 1e9,
      r.median_ms > 0 ? static_cast<double>(r.total_flops) / (r.median_ms * 1e6) : 0.0);
  s += fmt::format("{:<36} {:<20} {:>10} {:>7} {:>12} {:>9}  {} -> {}\n", "layer", "op", "ms", "share", "MFLOP",
                   "GFLOP/s", "inputs", "output");
  for (size_t i = 0; i < r.layers.size() && i < max_rows; ++i) {
    const auto& l = r.layers[i];
    s += fmt::format("{:<36} {:<20} {:>10.4f} {:>6.2f}% {:>12.3f} {:>9.2f}  {} -> {}\n", l.name.substr(0, 36), l.op,
                     l.median_ms, 100 * l.share, static_cast<double>(l.flops) / 1e6, l.gflops, l.input_shapes,
                     l.output_shape);
  }
  if (r.layers.size() > max_rows)
    s += fmt::format("... {} more layers (--top to show more)\n", r.layers.size() - max_rows);
  return s;
}

std::string compare_profiles(const nlohmann::json& a, const nlohmann::json& b, const std::string& name_a,
                             const std::string& name_b) {
  auto check = [](const nlohmann::json& j, const std::string& n) {
    if (!j.contains("layers") || !j.contains("median_ms"))
      fail(ErrorKind::InvalidInput, n + ": not a flipscope profile --json file (no 'layers' / 'median_ms')");
  };
  check(a, name_a);
  check(b, name_b);
  std::map<std::string, nlohmann::json> lb;
  for (const auto& l : b["layers"]) lb[l["name"].get<std::string>()] = l;
  struct Row {
    std::string name, op;
    double ta, tb;
  };
  std::vector<Row> rows;
  std::set<std::string> seen;
  for (const auto& l : a["layers"]) {
    std::string n = l["name"];
    seen.insert(n);
    double tb = lb.count(n) ? lb[n]["median_ms"].get<double>() : -1;
    rows.push_back({n, l["op"], l["median_ms"].get<double>(), tb});
  }
  for (const auto& [n, l] : lb)
    if (!seen.count(n)) rows.push_back({n, l["op"], -1, l["median_ms"].get<double>()});
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    return std::fabs(std::max(y.tb, 0.0) - std::max(y.ta, 0.0)) < std::fabs(std::max(x.tb, 0.0) - std::max(x.ta, 0.0));
  });
  double ma = a["median_ms"], mb = b["median_ms"];
  std::string s = fmt::format("end to end: A {:.3f} ms, B {:.3f} ms ({:+.1f}%)   A = {}, B = {}\n\n", ma, mb,
                              ma > 0 ? 100 * (mb - ma) / ma : 0.0, name_a, name_b);
  s += fmt::format("{:<40} {:<18} {:>10} {:>10} {:>10} {:>8}\n", "layer", "op", "A ms", "B ms", "B-A ms", "change");
  for (const auto& r : rows) {
    std::string ta = r.ta < 0 ? "-" : fmt::format("{:.4f}", r.ta), tb = r.tb < 0 ? "-" : fmt::format("{:.4f}", r.tb);
    std::string change = r.ta > 0 && r.tb >= 0 ? fmt::format("{:+.1f}%", 100 * (r.tb - r.ta) / r.ta)
                         : r.ta < 0            ? "only B"
                                               : "only A";
    s += fmt::format("{:<40} {:<18} {:>10} {:>10} {:>10.4f} {:>8}\n", r.name.substr(0, 40), r.op, ta, tb,
                     std::max(r.tb, 0.0) - std::max(r.ta, 0.0), change);
  }
  return s;
}

}  // namespace fs
