// `flipscope passes`: every optimizer pass with its category, exactness and description (--json),
// plus the presets; and the shared --passes/--precision options of run, profile and conformance.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "diff/cli/commands.h"

namespace fs::cli {

namespace {
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  std::string t;
  while (std::getline(ss, t, ','))
    if (!t.empty()) r.push_back(t);
  return r;
}

std::string json_str(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r + "\"";
}
}  // namespace

void add_passes(CLI::App& app, int& rc) {
  auto json = std::make_shared<bool>(false);
  auto all = std::make_shared<bool>(false);
  CLI::App* c = app.add_subcommand("passes", "List the optimizer passes (name, category, exactness, description)");
  c->footer(
      "Use them with --passes on run, profile, conformance and study: a preset (O0, O1, O2, O3),\n"
      "pass names, and '-name' to drop one: --passes O2   --passes O2,-fuse-conv-add\n"
      "--passes fold-batchnorm,fuse-conv-activation. Precision is its own axis: --precision fp16.");
  c->add_flag("--json", *json, "machine-readable list");
  c->add_flag("--all", *all, "include test-only passes");
  c->callback([json, all, &rc] {
    auto passes = PassRegistry::instance().all();
    if (*json) {
      std::string out = "{\"passes\": [";
      bool first = true;
      for (const PassInfo* p : passes) {
        if (p->category == PassCategory::Test && !*all) continue;
        out += std::string(first ? "" : ",") + "\n  {\"name\": " + json_str(p->name) +
               ", \"category\": " + json_str(pass_category_name(p->category)) +
               ", \"exact\": " + (p->exact ? "true" : "false") + ", \"description\": " + json_str(p->description) + "}";
        first = false;
      }
      out += "\n], \"presets\": {";
      for (const char* pre : {"O0", "O1", "O2", "O3"}) {
        out += std::string(pre[1] == '0' ? "" : ", ") + json_str(pre) + ": [";
        auto list = preset_passes(pre);
        for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + json_str(list[i]);
        out += "]";
      }
      out += "}}\n";
      std::cout << out;
    } else {
      fmt::print("{:<24} {:<10} {:<12} {}\n", "pass", "category", "exactness", "description");
      for (const PassInfo* p : passes) {
        if (p->category == PassCategory::Test && !*all) continue;
        fmt::print("{:<24} {:<10} {:<12} {}\n", p->name, pass_category_name(p->category),
                   p->exact ? "exact" : "approximate", p->description);
      }
      for (const char* pre : {"O1", "O2", "O3"}) {
        std::string l;
        for (const auto& n : preset_passes(pre)) l += (l.empty() ? "" : ",") + n;
        fmt::print("\n{}: {}", pre, l);
      }
      fmt::print("\nprecision: fp32 (none), fp16 -> precision-fp16, bf16 -> precision-bf16, int8 -> precision-int8\n");
    }
    rc = 0;
  });
}

void add_pass_options(CLI::App* c, PassArgs& a) {
  c->add_option("--passes", a.passes, "optimizer pipeline: O0..O3, pass names, -name (see `flipscope passes`)")
      ->default_val("O0");
  c->add_option("--precision", a.precision, "fp32 | fp16 | bf16 | int8")->default_val("fp32");
  c->add_option("--keep-fp32", a.keep_fp32, "comma-separated node names the precision pass leaves in fp32");
  c->add_option("--calibration", a.calibration, "int8 calibration: minmax | percentile | entropy")
      ->default_val("minmax");
  c->add_option("--winograd-tile", a.winograd_tile, "winograd-conv3x3 output tile: 2 = F(2x2,3x3), 4 = F(4x4,3x3)")
      ->default_val(2);
  c->add_option("--max-rewrites", a.max_rewrites, "apply only the first N rewrites (bisection)");
  c->add_option("--rewrites", a.rewrites, "apply only these rewrite ids, comma-separated (bisection)");
  c->add_flag("--show-rewrites", a.show_rewrites, "print every applied rewrite (id, matched, created) to stderr");
}

std::shared_ptr<Graph> apply_passes(std::shared_ptr<Graph> g, const PassArgs& a, const std::string& backend,
                                    const std::vector<std::map<std::string, Tensor>>& calibration) {
  std::vector<std::string> pipeline = parse_pipeline(a.passes);
  if (pipeline.empty() && a.precision == "fp32") return g;
  OptimizeOptions oo;
  oo.backend = backend;
  oo.precision = a.precision;
  for (const auto& n : split_commas(a.keep_fp32)) oo.keep_fp32.insert(n);
  oo.calibration = calibration;
  oo.calibration_method = a.calibration;
  oo.winograd_tile = a.winograd_tile;
  oo.filter.max_rewrites = a.max_rewrites;
  if (!a.rewrites.empty()) {
    oo.filter.only_set = true;
    for (const auto& id : split_commas(a.rewrites)) oo.filter.only.insert(id);
  }
  OptimizeResult r = optimize(*g, pipeline, oo);
  if (a.show_rewrites) {
    std::cerr << r.rewrites.size() << " rewrites (passes: ";
    for (size_t i = 0; i < r.passes.size(); ++i) std::cerr << (i ? "," : "") << r.passes[i];
    std::cerr << ")\n";
    for (const Rewrite& w : r.rewrites) {
      std::string m, cr;
      for (const auto& s : w.matched) m += (m.empty() ? "" : ",") + s;
      for (const auto& s : w.created) cr += (cr.empty() ? "" : ",") + s;
      std::cerr << "  " << w.id << "  [" << m << "] -> [" << cr << "]" << (w.detail.empty() ? "" : "  " + w.detail)
                << "\n";
    }
  }
  r.graph->source_file = g->source_file;
  return r.graph;
}

}  // namespace fs::cli
