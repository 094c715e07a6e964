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
  c->add_option("--precision", a.precision, "fp32 | fp16 | bf16 | int8 | fp16-accumulate")->default_val("fp32");
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

#include "diff/default_model.h"
#include "engine/session.h"
#include "importers/image/dataset.h"
#include "importers/image/preprocess.h"
#include "importers/onnx/onnx_exporter.h"

namespace fs::cli {

void add_optimize(CLI::App& app, int& rc) {
  struct Args {
    std::string model, out, backend = "cpu", calibrate, preset;
    long calib_limit = 16;
    PassArgs pass;
  };
  auto a = std::make_shared<Args>();
  CLI::App* c = app.add_subcommand("optimize", "Apply optimizer passes and write the rewritten graph as ONNX");
  c->footer(
      "Fused and other flipscope ops are written in the 'flipscope' domain; each rewritten node keeps\n"
      "the names of the original nodes it replaces (doc_string, and metadata_props for reloading), so\n"
      "the file opens in Netron and `flipscope run/profile/info` load it back.\n"
      "Example: flipscope optimize model.onnx --passes O2 --precision fp16 -o model.O2.fp16.onnx\n"
      "int8 needs calibration inputs: --calibrate DIR|IDX|.pb [--preset P] [--calibration-limit N]");
  c->add_option("model", a->model, "ONNX model, or 'default'")->required();
  c->add_option("-o,--output", a->out, "output .onnx file")->required();
  c->add_option("--backend", a->backend, "backend the graph is checked against (kernels must exist)")
      ->default_val("cpu");
  c->add_option("--calibrate", a->calibrate, "int8: dataset of calibration inputs (folder, IDX, .pb/.npy)");
  c->add_option("--calibration-limit", a->calib_limit, "int8: number of calibration inputs")->default_val(16);
  c->add_option("--preset", a->preset, "int8: preprocessing of the calibration inputs");
  add_pass_options(c, a->pass);
  c->callback([a, &rc] {
    auto g = load_model(a->model);
    std::vector<std::map<std::string, Tensor>> calib;
    if (a->pass.precision == "int8") {
      if (a->calibrate.empty()) fail(ErrorKind::InvalidInput, "--precision int8 needs --calibrate INPUTS");
      Session probe(g, SessionOptions{.backend = "reference"});
      std::string in = probe.input_names().at(0);
      Preprocess pre = Preprocess::from_preset(!a->preset.empty()      ? a->preset
                                               : a->model == "default" ? "mnist"
                                                                       : "imagenet");
      const Value& iv = g->value(g->find_value(in));
      if (iv.shape) pre.fit_to_input(*iv.shape);
      DatasetOptions o;
      o.images = a->calibrate;
      o.limit = a->calib_limit;
      Dataset d = open_dataset(o);
      for (size_t i = 0; i < d.size(); ++i) calib.push_back({{in, d.load(i, pre)}});
    }
    PassArgs pa = a->pass;
    auto before = g->num_live_nodes();
    auto out = apply_passes(g, pa, a->backend, calib);
    validate_optimized(*out, a->backend, "all");
    export_onnx(*out, a->out);
    fmt::print("{}: {} nodes -> {} nodes, written to {}\n", a->model, before, out->num_live_nodes(), a->out);
    rc = 0;
  });
}

}  // namespace fs::cli
