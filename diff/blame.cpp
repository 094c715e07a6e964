// explain (layer-by-layer error of a variant against the reference) and bisect (single-pass,
// leave-one-out and ddmin over passes, then ddmin over the guilty passes' rewrite ids).
#include "diff/blame.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "engine/error.h"
#include "engine/session.h"
#include "optimizer/pass.h"

namespace fs {

double layer_tolerance(const std::string& precision) {
  if (precision == "fp16") return 1e-2;  // ~10 fp16 ulps of relative L2 after a few layers
  if (precision == "bf16") return 5e-2;
  if (precision == "int8") return 1e-1;
  return 1e-4;  // fp32: reassociation and fusion stay orders of magnitude below
}

std::shared_ptr<Graph> build_variant(const Graph& g, const std::vector<std::string>& passes, const VariantSpec& v,
                                     const RewriteFilter& filter,
                                     const std::vector<std::map<std::string, Tensor>>& calibration,
                                     std::vector<Rewrite>* log) {
  OptimizeOptions oo;
  oo.backend = v.backend;
  oo.precision = "fp32";  // the precision pass is in `passes` (bisect treats it as one of them)
  oo.filter = filter;
  oo.calibration = calibration;
  OptimizeResult r = optimize(g, passes, oo);
  if (log) *log = r.rewrites;
  r.graph->source_file = g.source_file;
  return r.graph;
}

namespace {

std::vector<std::string> variant_passes(const VariantSpec& v) {
  std::vector<std::string> p = parse_pipeline(v.passes);
  std::string pp = precision_pass(v.precision);
  if (!pp.empty()) p.push_back(pp);
  return p;
}

int top1(const Tensor& t, double* margin = nullptr) {
  int best = 0, second = -1;
  for (int64_t i = 1; i < t.numel(); ++i) {
    if (t.get_f64(i) > t.get_f64(best)) {
      second = best;
      best = static_cast<int>(i);
    } else if (second < 0 || t.get_f64(i) > t.get_f64(second)) {
      second = static_cast<int>(i);
    }
  }
  if (margin) *margin = second < 0 ? 0 : t.get_f64(best) - t.get_f64(second);
  return best;
}

}  // namespace

ExplainResult explain(const std::shared_ptr<Graph>& g, const VariantSpec& v, const std::map<std::string, Tensor>& feeds,
                      const std::vector<std::map<std::string, Tensor>>& calibration) {
  ExplainResult r;
  r.variant = v.name;
  r.tolerance = layer_tolerance(v.precision);
  auto vg = build_variant(*g, variant_passes(v), v, {}, calibration);
  RunOptions ro;
  ro.capture_all = true;
  Session ref(g, SessionOptions{.backend = "reference"});
  SessionOptions vo;
  vo.backend = v.backend;
  vo.threads = v.threads;
  Session var(vg, vo);
  RunResult rr = ref.run(feeds, ro), vr = var.run(feeds, ro);
  r.ref_top1 = top1(rr.outputs[0], &r.ref_margin);
  r.var_top1 = top1(vr.outputs[0]);
  std::map<std::string, std::string> producer;  // value name -> variant node
  for (const Node& n : vg->nodes())
    if (!n.dead)
      for (ValueId o : n.outputs)
        if (o != kNoValue) producer[vg->value(o).name] = n.name;
  std::map<std::string, std::string> fused_into;  // original node -> variant node (provenance)
  for (const Node& n : vg->nodes())
    if (!n.dead)
      for (const auto& p : n.provenance) fused_into[p] = n.name;
  for (NodeId id : g->topo_order()) {
    const Node& n = g->node(id);
    if (n.outputs.empty() || n.outputs[0] == kNoValue) continue;
    LayerError le;
    le.node = n.name;
    le.op = n.op_type;
    le.value = g->value(n.outputs[0]).name;
    auto a = rr.captured.find(le.value), b = vr.captured.find(le.value);
    if (a == rr.captured.end()) continue;  // folded constant in the reference
    if (b == vr.captured.end() || b->second.shape() != a->second.shape() ||
        (a->second.dtype() != DType::F32 && a->second.dtype() != DType::F64)) {
      le.variant_node = fused_into.count(n.name) ? fused_into[n.name] : "";
      r.layers.push_back(le);
      continue;
    }
    le.captured = true;
    le.variant_node = producer.count(le.value) ? producer[le.value] : "";
    double sig = 0, err = 0, mx = 0;
    for (int64_t i = 0; i < a->second.numel(); ++i) {
      double x = a->second.get_f64(i), y = b->second.get_f64(i), d = y - x;
      sig += x * x;
      err += d * d;
      mx = std::max(mx, std::abs(d));
    }
    le.max_abs = mx;
    le.rel_l2 = sig > 0 ? std::sqrt(err / sig) : std::sqrt(err);
    le.sqnr_db = err > 0 ? 10 * std::log10(std::max(sig, 1e-300) / err) : INFINITY;
    if (r.first_diverging < 0 && le.rel_l2 > r.tolerance) r.first_diverging = static_cast<int>(r.layers.size());
    r.layers.push_back(le);
  }
  return r;
}

std::string format_explain(const ExplainResult& r) {
  std::string s = fmt::format("variant {}: reference top-1 {} (margin {:.4g}), variant top-1 {}{}\n", r.variant,
                              r.ref_top1, r.ref_margin, r.var_top1, r.ref_top1 != r.var_top1 ? "  FLIP" : "");
  s += fmt::format("{:>4} {:<44} {:<20} {:>10} {:>11} {:>11}  {}\n", "#", "layer (reference node)", "op", "SQNR dB",
                   "rel L2", "max abs", "variant node");
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerError& l = r.layers[i];
    std::string mark = static_cast<int>(i) == r.first_diverging ? "  <== first layer above tolerance" : "";
    if (!l.captured)
      s += fmt::format("{:>4} {:<44} {:<20} {:>10} {:>11} {:>11}  inside {}\n", i, l.node.substr(0, 44), l.op, "-", "-",
                       "-", l.variant_node.empty() ? "?" : l.variant_node);
    else
      s += fmt::format("{:>4} {:<44} {:<20} {:>10.1f} {:>11.3e} {:>11.3e}  {}{}\n", i, l.node.substr(0, 44), l.op,
                       l.sqnr_db, l.rel_l2, l.max_abs, l.variant_node, mark);
  }
  s += r.first_diverging < 0 ? fmt::format("no layer exceeds the relative L2 tolerance {:g}\n", r.tolerance)
                             : fmt::format("first diverging layer: {} ({}), relative L2 {:.3e} > {:g}\n",
                                           r.layers[r.first_diverging].node, r.layers[r.first_diverging].op,
                                           r.layers[r.first_diverging].rel_l2, r.tolerance);
  return s;
}

namespace {

// Zeller's ddmin: a 1-minimal subset of `items` for which `fails` holds (fails(items) is assumed).
std::vector<std::string> ddmin(std::vector<std::string> items,
                               const std::function<bool(const std::vector<std::string>&)>& fails) {
  size_t n = 2;
  while (items.size() >= 2) {
    const size_t chunk = (items.size() + n - 1) / n;
    bool reduced = false;
    for (size_t start = 0; start < items.size() && !reduced; start += chunk) {
      std::vector<std::string> subset(items.begin() + start, items.begin() + std::min(items.size(), start + chunk));
      std::vector<std::string> complement(items.begin(), items.begin() + start);
      complement.insert(complement.end(), items.begin() + std::min(items.size(), start + chunk), items.end());
      if (fails(subset)) {
        items = subset;
        n = 2;
        reduced = true;
      } else if (n > 2 && fails(complement)) {
        items = complement;
        n = std::max<size_t>(n - 1, 2);
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= items.size()) break;
      n = std::min(items.size(), n * 2);
    }
  }
  return items;
}

}  // namespace

BisectResult bisect(const std::shared_ptr<Graph>& g, const VariantSpec& v,
                    const std::vector<std::map<std::string, Tensor>>& inputs) {
  BisectResult r;
  r.passes = variant_passes(v);
  const std::vector<std::map<std::string, Tensor>> calib(inputs.begin(),
                                                         inputs.begin() + std::min<size_t>(inputs.size(), 16));
  std::vector<int> ref;
  {
    Session s(g, SessionOptions{.backend = "reference"});
    for (const auto& f : inputs) ref.push_back(top1(s.run(f).outputs[0]));
  }
  auto flips_of = [&](const std::vector<std::string>& passes, const RewriteFilter& filter,
                      std::vector<Rewrite>* log = nullptr) {
    ++r.tests;
    std::vector<size_t> f;
    auto vg = build_variant(*g, passes, v, filter, calib, log);
    SessionOptions so;
    so.backend = v.backend;
    so.threads = v.threads;
    Session s(vg, so);
    for (size_t i = 0; i < inputs.size(); ++i)
      if (top1(s.run(inputs[i]).outputs[0]) != ref[i]) f.push_back(i);
    return f;
  };
  r.flips = flips_of(r.passes, {});
  if (r.flips.empty()) return r;
  std::set<size_t> target(r.flips.begin(), r.flips.end());
  const size_t need = (target.size() + 1) / 2;
  auto reproduces = [&](const std::vector<size_t>& f) {
    size_t k = 0;
    for (size_t i : f) k += target.count(i);
    return k >= need;
  };
  for (const std::string& p : r.passes) {
    r.alone[p] = flips_of({p}, {}).size();
    std::vector<std::string> rest;
    for (const std::string& q : r.passes)
      if (q != p) rest.push_back(q);
    r.without[p] = flips_of(rest, {}).size();
  }
  // Passes keep their pipeline order inside every subset ddmin tries.
  r.guilty_passes = ddmin(r.passes, [&](const std::vector<std::string>& s) { return reproduces(flips_of(s, {})); });
  std::vector<Rewrite> log;
  flips_of(r.guilty_passes, {}, &log);
  std::vector<std::string> ids;
  for (const Rewrite& w : log) ids.push_back(w.id);
  r.candidate_rewrites = ids.size();
  auto with_ids = [&](const std::vector<std::string>& s) {
    RewriteFilter f;
    f.only_set = true;
    f.only = std::set<std::string>(s.begin(), s.end());
    return f;
  };
  std::vector<std::string> guilty_ids = ids.empty() ? ids : ddmin(ids, [&](const std::vector<std::string>& s) {
    return reproduces(flips_of(r.guilty_passes, with_ids(s)));
  });
  std::set<std::string> gid(guilty_ids.begin(), guilty_ids.end());
  for (const Rewrite& w : log)
    if (gid.count(w.id)) r.guilty_rewrites.push_back(w);
  r.explained = flips_of(r.guilty_passes, with_ids(guilty_ids));
  return r;
}

std::string format_bisect(const BisectResult& r, const std::vector<std::string>& names) {
  std::string s = fmt::format("variant passes: {}\nflips of the full variant: {} of {} inputs\n",
                              fmt::join(r.passes, ","), r.flips.size(), names.size());
  if (r.flips.empty()) return s + "nothing to bisect\n";
  s += fmt::format("{:<28} {:>12} {:>16}\n", "pass", "flips alone", "flips without it");
  for (const std::string& p : r.passes) s += fmt::format("{:<28} {:>12} {:>16}\n", p, r.alone.at(p), r.without.at(p));
  s += fmt::format("guilty pass(es) (ddmin): {}\n", fmt::join(r.guilty_passes, ","));
  s += fmt::format("guilty rewrite(s) (ddmin over {} rewrite ids):\n", r.candidate_rewrites);
  for (const Rewrite& w : r.guilty_rewrites)
    s += fmt::format("  {}  original nodes [{}]{}\n", w.id, fmt::join(w.matched, ","),
                     w.detail.empty() ? "" : "  " + w.detail);
  std::vector<std::string> ex;
  for (size_t i : r.explained) ex.push_back(names[i]);
  s += fmt::format("these rewrites alone flip {} input(s): {}\n", r.explained.size(), fmt::join(ex, " "));
  s += fmt::format("({} variant builds)\n", r.tests);
  return s;
}

std::string bisect_json(const BisectResult& r, const std::vector<std::string>& names) {
  auto q = [](const std::string& x) {
    std::string o = "\"";
    for (char c : x) {
      if (c == '"' || c == '\\') o += '\\';
      o += c;
    }
    return o + "\"";
  };
  auto list = [&](const std::vector<std::string>& v) {
    std::string o = "[";
    for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + q(v[i]);
    return o + "]";
  };
  auto inputs = [&](const std::vector<size_t>& v) {
    std::vector<std::string> o;
    for (size_t i : v) o.push_back(names[i]);
    return list(o);
  };
  std::string s = "{\n  \"passes\": " + list(r.passes) + ",\n  \"flips\": " + inputs(r.flips) + ",\n  \"alone\": {";
  size_t k = 0;
  for (const auto& [p, n] : r.alone) s += (k++ ? ", " : "") + q(p) + ": " + std::to_string(n);
  s += "},\n  \"without\": {";
  k = 0;
  for (const auto& [p, n] : r.without) s += (k++ ? ", " : "") + q(p) + ": " + std::to_string(n);
  s += "},\n  \"guilty_passes\": " + list(r.guilty_passes) + ",\n  \"guilty_rewrites\": [";
  for (size_t i = 0; i < r.guilty_rewrites.size(); ++i) {
    const Rewrite& w = r.guilty_rewrites[i];
    s += std::string(i ? ", " : "") + "{\"id\": " + q(w.id) + ", \"pass\": " + q(w.pass) +
         ", \"original_nodes\": " + list(w.matched) + ", \"detail\": " + q(w.detail) + "}";
  }
  s += "],\n  \"explained_inputs\": " + inputs(r.explained) + ",\n  \"tests\": " + std::to_string(r.tests) + "\n}\n";
  return s;
}

}  // namespace fs
