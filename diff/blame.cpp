// explain (layer-by-layer error of a variant against the reference) and bisect (single-pass,
// leave-one-out and ddmin over passes, then ddmin over the guilty passes' rewrite ids, then for
// precision variants ddmin over the nodes that must stay fp32).
#include "diff/blame.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
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
    // Every numeric value is compared: float activations, and the integer ones of quantized models
    // (uint8 / int8 activations, in quantization steps), which must match exactly.
    if (b == vr.captured.end() || b->second.shape() != a->second.shape() || a->second.dtype() == DType::Undefined ||
        b->second.dtype() == DType::Undefined) {
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

std::vector<std::string> ddmin(std::vector<std::string> items,
                               const std::function<std::optional<bool>(const std::vector<std::string>&)>& test,
                               bool* stopped) {
  if (stopped) *stopped = false;
  size_t n = 2;
  while (items.size() >= 2) {
    const size_t chunk = (items.size() + n - 1) / n;
    bool reduced = false;
    for (size_t start = 0; start < items.size() && !reduced; start += chunk) {
      std::vector<std::string> subset(items.begin() + start, items.begin() + std::min(items.size(), start + chunk));
      std::vector<std::string> complement(items.begin(), items.begin() + start);
      complement.insert(complement.end(), items.begin() + std::min(items.size(), start + chunk), items.end());
      std::optional<bool> t = test(subset);
      if (t && *t) {
        items = subset;
        n = 2;
        reduced = true;
        continue;
      }
      if (t && n > 2) t = test(complement);
      if (!t) {
        if (stopped) *stopped = true;
        return items;
      }
      if (n > 2 && *t) {
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

KeepFp32Result search_keep_fp32(
    const std::vector<PrecisionNode>& nodes, const std::vector<size_t>& flips,
    const std::function<std::optional<std::vector<size_t>>(const std::set<std::string>&)>& remaining) {
  KeepFp32Result r;
  r.candidates = nodes.size();
  if (nodes.empty()) {
    r.status = "no-candidates";
    return r;
  }
  const size_t need = (flips.size() + 1) / 2;  // bisect's reproduction threshold
  std::map<std::set<std::string>, std::vector<size_t>> seen;
  auto run = [&](const std::set<std::string>& keep) -> std::optional<std::vector<size_t>> {
    auto it = seen.find(keep);
    if (it != seen.end()) return it->second;
    auto rem = remaining(keep);
    if (!rem) return std::nullopt;
    ++r.builds;
    return seen[keep] = *rem;
  };
  std::vector<std::string> names;
  for (const PrecisionNode& n : nodes) names.push_back(n.node);
  auto all = run(std::set<std::string>(names.begin(), names.end()));
  if (!all) {
    r.status = "not-run";
    return r;
  }
  r.all_kept_remaining = *all;
  if (all->size() >= need) {
    r.status = "not-removed";
    return r;
  }
  bool stopped = false;
  std::vector<std::string> keep = ddmin(
      names,
      [&](const std::vector<std::string>& s) -> std::optional<bool> {
        auto rem = run(std::set<std::string>(s.begin(), s.end()));
        if (!rem) return std::nullopt;
        return rem->size() < need;
      },
      &stopped);
  r.status = stopped ? "stopped" : "found";
  const std::set<std::string> ks(keep.begin(), keep.end());
  for (const PrecisionNode& n : nodes)
    if (ks.count(n.node)) r.keep.push_back(n);
  r.remaining = seen.at(ks);  // ddmin only keeps verified subsets (or the full set, run above)
  std::set<size_t> rem(r.remaining.begin(), r.remaining.end());
  for (size_t i : flips)
    if (!rem.count(i)) r.explained.push_back(i);
  return r;
}

namespace {

std::string join_key(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + '\x1f';
  return s;
}

}  // namespace

BisectResult bisect(const std::shared_ptr<Graph>& g, const VariantSpec& v,
                    const std::vector<std::map<std::string, Tensor>>& inputs, int max_builds) {
  BisectResult r;
  r.passes = variant_passes(v);
  r.max_builds = max_builds;
  const std::vector<std::map<std::string, Tensor>> calib(inputs.begin(),
                                                         inputs.begin() + std::min<size_t>(inputs.size(), 16));
  std::vector<int> ref;
  {
    Session s(g, SessionOptions{.backend = "reference"});
    for (const auto& f : inputs) ref.push_back(top1(s.run(f).outputs[0]));
  }
  // One configuration = pass list + rewrite filter + keep-fp32 set; each is built and run once.
  struct Outcome {
    std::vector<size_t> flips;
    std::vector<Rewrite> log;
    std::shared_ptr<Graph> graph;
  };
  std::map<std::string, Outcome> memo;
  auto run_config = [&](const std::vector<std::string>& passes, const RewriteFilter& filter,
                        const std::set<std::string>& keep, bool force = false) -> const Outcome* {
    std::string key = join_key(passes) + "|" +
                      (filter.only_set ? join_key(std::vector<std::string>(filter.only.begin(), filter.only.end()))
                                       : std::string("*")) +
                      "|" + join_key(std::vector<std::string>(keep.begin(), keep.end()));
    auto it = memo.find(key);
    if (it != memo.end()) return &it->second;
    if (!force && r.tests >= max_builds) return nullptr;
    ++r.tests;
    Outcome o;
    OptimizeOptions oo;
    oo.backend = v.backend;
    oo.precision = "fp32";  // the precision pass is in `passes` (bisect treats it as one of them)
    oo.filter = filter;
    oo.calibration = calib;
    oo.keep_fp32 = keep;
    OptimizeResult opt = optimize(*g, passes, oo);
    opt.graph->source_file = g->source_file;
    o.log = std::move(opt.rewrites);
    o.graph = opt.graph;
    SessionOptions so;
    so.backend = v.backend;
    so.threads = v.threads;
    Session s(o.graph, so);
    for (size_t i = 0; i < inputs.size(); ++i)
      if (top1(s.run(inputs[i]).outputs[0]) != ref[i]) o.flips.push_back(i);
    return &(memo[key] = std::move(o));
  };
  auto stop = [&](const std::string& where) {
    if (r.stopped.empty()) r.stopped = where;
  };
  const Outcome* full = run_config(r.passes, {}, {}, /*force=*/true);
  r.flips = full->flips;
  if (r.flips.empty()) return r;
  const std::vector<Rewrite> full_log = full->log;
  const std::shared_ptr<Graph> full_graph = full->graph;
  std::set<size_t> target(r.flips.begin(), r.flips.end());
  const size_t need = (target.size() + 1) / 2;
  auto reproduces = [&](const Outcome* o) -> std::optional<bool> {
    if (!o) return std::nullopt;
    size_t k = 0;
    for (size_t i : o->flips) k += target.count(i);
    return k >= need;
  };
  auto flip_count = [](const Outcome* o) { return o ? o->flips.size() : static_cast<size_t>(-1); };
  // (1), (2): by position, so a pass listed twice (O2 runs dead-node-elimination twice) has a row
  // per occurrence; "without" drops that occurrence only.
  for (size_t p = 0; p < r.passes.size(); ++p) {
    r.alone.push_back(flip_count(run_config({r.passes[p]}, {}, {})));
    std::vector<std::string> rest;
    for (size_t q = 0; q < r.passes.size(); ++q)
      if (q != p) rest.push_back(r.passes[q]);
    r.without.push_back(flip_count(run_config(rest, {}, {})));
  }
  if (r.tests >= max_builds) stop("(1)-(2) single-pass and leave-one-out runs");
  // (3) ddmin over pass positions; passes keep their pipeline order inside every subset.
  std::vector<std::string> positions;
  for (size_t p = 0; p < r.passes.size(); ++p) positions.push_back(std::to_string(p));
  auto passes_at = [&](const std::vector<std::string>& pos) {
    std::vector<std::string> ps;
    for (const std::string& p : pos) ps.push_back(r.passes[std::stoul(p)]);
    return ps;
  };
  bool stopped = false;
  std::vector<std::string> guilty_pos = ddmin(
      positions, [&](const std::vector<std::string>& s) { return reproduces(run_config(passes_at(s), {}, {})); },
      &stopped);
  if (stopped) stop("(3) ddmin over passes");
  for (const std::string& p : guilty_pos) r.guilty_positions.push_back(std::stoul(p));
  r.guilty_passes = passes_at(guilty_pos);
  // (4) ddmin over the guilty passes' rewrite ids (each id once, in log order).
  const std::vector<Rewrite> log = run_config(r.guilty_passes, {}, {}, /*force=*/true)->log;
  std::vector<std::string> ids;
  std::set<std::string> seen_ids;
  for (const Rewrite& w : log)
    if (seen_ids.insert(w.id).second) ids.push_back(w.id);
  r.candidate_rewrites = ids.size();
  auto with_ids = [&](const std::vector<std::string>& s) {
    RewriteFilter f;
    f.only_set = true;
    f.only = std::set<std::string>(s.begin(), s.end());
    return f;
  };
  std::vector<std::string> guilty_ids = ids;
  if (!ids.empty()) {
    guilty_ids = ddmin(
        ids,
        [&](const std::vector<std::string>& s) { return reproduces(run_config(r.guilty_passes, with_ids(s), {})); },
        &stopped);
    if (stopped) stop("(4) ddmin over rewrites");
  }
  std::set<std::string> gid(guilty_ids.begin(), guilty_ids.end());
  std::set<std::string> listed;
  for (const Rewrite& w : log)
    if (gid.count(w.id) && listed.insert(w.id).second) r.guilty_rewrites.push_back(w);
  r.explained = run_config(r.guilty_passes, with_ids(guilty_ids), {}, /*force=*/true)->flips;
  // (5) precision variants: the nodes that must stay fp32.
  r.keep_fp32.precision_pass = precision_pass(v.precision);
  if (r.keep_fp32.precision_pass.empty()) {
    r.keep_fp32.status = "not-run";
    return r;
  }
  std::vector<PrecisionNode> nodes;
  std::set<std::string> seen_nodes;
  for (const Rewrite& w : full_log) {
    if (w.pass != r.keep_fp32.precision_pass || w.matched.empty() || !seen_nodes.insert(w.matched[0]).second) continue;
    PrecisionNode n;
    n.node = w.matched[0];
    n.rewrite = w.id;
    n.original_nodes = {w.id.substr(w.id.find('@') + 1)};
    if (!w.created.empty()) {
      NodeId id = full_graph->find_node(w.created[0]);
      if (id >= 0) {
        n.op = full_graph->node(id).op_type;
        if (!full_graph->node(id).provenance.empty()) n.original_nodes = full_graph->node(id).provenance;
      }
    }
    nodes.push_back(std::move(n));
  }
  const int before = r.tests;
  r.keep_fp32 = search_keep_fp32(nodes, r.flips, [&](const std::set<std::string>& keep) {
    const Outcome* o = run_config(r.passes, {}, keep);
    if (!o) return std::optional<std::vector<size_t>>();
    std::vector<size_t> rem;
    for (size_t i : o->flips)
      if (target.count(i)) rem.push_back(i);
    return std::optional<std::vector<size_t>>(rem);
  });
  r.keep_fp32.precision_pass = precision_pass(v.precision);
  r.keep_fp32.builds = r.tests - before;  // builds, not memo hits
  if (r.keep_fp32.status == "stopped") stop("(5) ddmin over nodes kept fp32");
  if (r.keep_fp32.status == "not-run") stop("before (5)");
  return r;
}

std::string format_bisect(const BisectResult& r, const std::vector<std::string>& names) {
  std::string s = fmt::format("variant passes: {}\nflips of the full variant: {} of {} inputs\n",
                              fmt::join(r.passes, ","), r.flips.size(), names.size());
  if (r.flips.empty()) return s + "nothing to bisect\n";
  auto count = [](size_t n) { return n == static_cast<size_t>(-1) ? std::string("-") : std::to_string(n); };
  auto inputs = [&](const std::vector<size_t>& v) {
    std::vector<std::string> o;
    for (size_t i : v) o.push_back(names[i]);
    return fmt::format("{}", fmt::join(o, " "));
  };
  s += fmt::format("{:>3} {:<28} {:>12} {:>16}\n", "#", "pass", "flips alone", "flips without it");
  for (size_t p = 0; p < r.passes.size(); ++p)
    s += fmt::format("{:>3} {:<28} {:>12} {:>16}\n", p, r.passes[p], count(r.alone[p]), count(r.without[p]));
  s += fmt::format("guilty pass(es) (ddmin): {}\n", fmt::join(r.guilty_passes, ","));
  s += fmt::format("guilty rewrite(s) (ddmin over {} rewrite ids):\n", r.candidate_rewrites);
  for (const Rewrite& w : r.guilty_rewrites)
    s += fmt::format("  {}  original nodes [{}]{}\n", w.id, fmt::join(w.matched, ","),
                     w.detail.empty() ? "" : "  " + w.detail);
  s += fmt::format("these rewrites alone flip {} input(s): {}\n", r.explained.size(), inputs(r.explained));
  const KeepFp32Result& k = r.keep_fp32;
  if (!k.precision_pass.empty()) {
    const size_t need = (r.flips.size() + 1) / 2;
    s += fmt::format(
        "nodes that must stay fp32 (ddmin over the {} nodes {} rewrote; a keep set removes the flips when fewer "
        "than half (rounded up: {}) of the {} flips remain):\n",
        k.candidates, k.precision_pass, need, r.flips.size());
    if (k.status == "no-candidates") s += "  the precision pass rewrote no node\n";
    if (k.status == "not-run") s += "  not searched: the build budget was spent before this step\n";
    if (k.status == "not-removed" || k.status == "found" || k.status == "stopped")
      s += fmt::format("  every rewritten node kept fp32: {} of {} flips remain\n", k.all_kept_remaining.size(),
                       r.flips.size());
    if (k.status == "not-removed")
      s += "  even keeping every node fp32 does not remove the flips: they do not come from this precision\n";
    if (k.status == "found" || k.status == "stopped") {
      s += fmt::format("  {} keep-fp32 set ({} node(s)):\n", k.status == "found" ? "minimal" : "verified (not minimal)",
                       k.keep.size());
      for (const PrecisionNode& n : k.keep)
        s += fmt::format("    {}  {}  original nodes [{}]\n", n.node, n.op, fmt::join(n.original_nodes, ","));
      std::vector<std::string> kn;
      for (const PrecisionNode& n : k.keep) kn.push_back(n.node);
      s += fmt::format("  with them in fp32, {} flip(s) disappear: {}\n", k.explained.size(), inputs(k.explained));
      if (!k.remaining.empty()) s += fmt::format("  and {} remain: {}\n", k.remaining.size(), inputs(k.remaining));
      std::vector<std::string> pipeline;
      for (const std::string& p : r.passes)
        if (p != k.precision_pass) pipeline.push_back(p);
      s += fmt::format("  (try it: flipscope optimize --passes {} --precision {} --keep-fp32 {} ...)\n",
                       pipeline.empty() ? std::string("none") : fmt::format("{}", fmt::join(pipeline, ",")),
                       k.precision_pass.substr(k.precision_pass.find('-') + 1), fmt::join(kn, ","));
    }
    s += fmt::format("  ({} builds in this step)\n", k.builds);
  }
  s += fmt::format("({} variant builds)\n", r.tests);
  if (!r.stopped.empty())
    s += fmt::format(
        "stopped after {} builds (--max-builds {}) in {}: the sets above are verified but may not be minimal\n",
        r.tests, r.max_builds, r.stopped);
  return s;
}

std::string bisect_json(const BisectResult& r, const std::vector<std::string>& names) {
  using nlohmann::json;
  auto inputs = [&](const std::vector<size_t>& v) {
    json o = json::array();
    for (size_t i : v) o.push_back(names[i]);
    return o;
  };
  auto count = [](size_t n) { return n == static_cast<size_t>(-1) ? json(nullptr) : json(n); };
  json j;
  j["passes"] = r.passes;
  j["flips"] = inputs(r.flips);
  j["alone"] = json::array();
  j["without"] = json::array();
  for (size_t p = 0; p < r.alone.size(); ++p) {
    j["alone"].push_back(count(r.alone[p]));
    j["without"].push_back(count(r.without[p]));
  }
  j["guilty_passes"] = r.guilty_passes;
  j["guilty_positions"] = r.guilty_positions;
  j["guilty_rewrites"] = json::array();
  for (const Rewrite& w : r.guilty_rewrites)
    j["guilty_rewrites"].push_back(
        {{"id", w.id}, {"pass", w.pass}, {"original_nodes", w.matched}, {"detail", w.detail}});
  j["explained_inputs"] = inputs(r.explained);
  const KeepFp32Result& k = r.keep_fp32;
  if (!k.precision_pass.empty()) {
    json kj;
    kj["precision_pass"] = k.precision_pass;
    kj["status"] = k.status;
    kj["criterion"] = "fewer than half (rounded up) of the variant's flips remain";
    kj["candidates"] = k.candidates;
    kj["all_kept_remaining"] = inputs(k.all_kept_remaining);
    kj["nodes"] = json::array();
    for (const PrecisionNode& n : k.keep)
      kj["nodes"].push_back(
          {{"node", n.node}, {"op", n.op}, {"rewrite", n.rewrite}, {"original_nodes", n.original_nodes}});
    kj["explained_inputs"] = inputs(k.explained);
    kj["remaining_inputs"] = inputs(k.remaining);
    kj["builds"] = k.builds;
    j["keep_fp32"] = kj;
  }
  j["tests"] = r.tests;
  j["max_builds"] = r.max_builds;
  j["stopped"] = r.stopped.empty() ? json(nullptr) : json(r.stopped);
  return j.dump(2) + "\n";
}

}  // namespace fs
