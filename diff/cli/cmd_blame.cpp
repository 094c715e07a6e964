// `flipscope explain` (per-layer error of one input under a variant, first diverging layer) and
// `flipscope bisect` (which pass and which rewrite flip the labels).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "diff/blame.h"
#include "diff/cli/commands.h"
#include "diff/default_model.h"
#include "engine/session.h"
#include "importers/image/dataset.h"
#include "importers/image/preprocess.h"

namespace fs::cli {

namespace {

struct BlameArgs {
  std::string model = "default";
  std::string input;  // explain: an image, or a dataset with --index
  long index = 0;
  std::string preset;
  std::vector<std::string> sets;
  std::string variant;
  long limit = 100;
  int max_builds = kDefaultMaxBuilds;
  std::string json;
};

struct Loaded {
  std::shared_ptr<Graph> g;
  std::string input_name;
  Preprocess pre;
};

Loaded load(const BlameArgs& a) {
  Loaded l;
  l.g = load_model(a.model);
  Session probe(l.g, SessionOptions{.backend = "reference"});
  auto names = probe.input_names();
  if (names.size() != 1)
    fail(ErrorKind::Unsupported,
         fmt::format("{}: the model has {} inputs; explain/bisect need exactly 1", a.model, names.size()));
  l.input_name = names[0];
  l.pre = Preprocess::from_preset(!a.preset.empty() ? a.preset : default_preset(a.model));
  for (const auto& kv : a.sets) l.pre.set(kv);
  const Value& in = l.g->value(l.g->find_value(l.input_name));
  if (in.shape) l.pre.fit_to_input(*in.shape);
  return l;
}

// Inputs as feeds with display names: one image file, or the items of a dataset.
std::vector<std::pair<std::string, std::map<std::string, Tensor>>> inputs_of(const std::string& path, const Loaded& l,
                                                                             long first, long count) {
  std::vector<std::pair<std::string, std::map<std::string, Tensor>>> r;
  if (std::filesystem::is_regular_file(path) && looks_like_image(path)) {
    r.push_back({path, {{l.input_name, load_images({path}, l.pre)}}});
    return r;
  }
  DatasetOptions o;
  o.images = path;
  Dataset d = open_dataset(o);
  for (size_t i = static_cast<size_t>(first); i < d.size() && static_cast<long>(r.size()) < count; ++i) {
    try {
      r.push_back({d.items[i].id, {{l.input_name, d.load(i, l.pre)}}});
    } catch (const Error& e) {
      fmt::print(stderr, "flipscope: skipping {}: {}\n", d.items[i].id, e.what());
    }
  }
  if (r.empty()) fail(ErrorKind::InvalidInput, "no loadable input in '" + path + "'");
  return r;
}

// The options explain and bisect share: the model and its preprocessing (as study), the variant, --json.
void common(CLI::App* c, BlameArgs& a) {
  add_model_options(c, a.model, a.preset, a.sets);
  c->add_option("--variant", a.variant, "the variant: [name=]backend:passes:precision[:threads=N] (see `study --help`)")
      ->required();
  c->add_option("--json", a.json, "also write the result as JSON to this file");
}

}  // namespace

void add_explain(CLI::App& app, int& rc) {
  auto a = std::make_shared<BlameArgs>();
  CLI::App* c = app.add_subcommand("explain", "Per-layer error of a variant against the reference on one input");
  c->footer(
      "Runs the reference and the variant capturing every intermediate value, without disabling any\n"
      "fusion: a fused node writes the value of the last original node it replaces, so layers line\n"
      "up by ONNX value name; values inside a fusion are shown as 'inside <fused node>'. Reports SQNR,\n"
      "relative L2 and max abs error per layer and the first layer whose relative L2 error exceeds\n"
      "the variant precision's tolerance (fp32 1e-4, fp16 1e-2, bf16 5e-2, int8 1e-1).\n"
      "Example: flipscope explain --input t10k-images-idx3-ubyte.gz --index 12 --variant fp16=cpu:O2:fp16");
  common(c, *a);
  c->add_option("--input", a->input, "an image file, or a dataset (folder, IDX, .pb/.npy) with --index")->required();
  c->add_option("--index", a->index, "item of the dataset to explain")->default_val(0);
  c->callback([a, &rc] {
    Loaded l = load(*a);
    auto in = inputs_of(a->input, l, a->index, 1);
    VariantSpec v = parse_variant(a->variant);
    std::vector<std::map<std::string, Tensor>> calib = {in[0].second};
    ExplainResult r = explain(l.g, v, in[0].second, calib);
    fmt::print("input {}\n{}", in[0].first, format_explain(r));
    if (!a->json.empty()) {
      std::ofstream f(a->json);
      f << "{\"input\": \"" << in[0].first << "\", \"variant\": \"" << v.name << "\", \"first_diverging\": "
        << (r.first_diverging < 0 ? std::string("null") : "\"" + r.layers[r.first_diverging].node + "\"")
        << ", \"layers\": [";
      for (size_t i = 0; i < r.layers.size(); ++i) {
        const LayerError& e = r.layers[i];
        f << (i ? ",\n" : "\n") << "{\"node\": \"" << e.node << "\", \"op\": \"" << e.op
          << "\", \"captured\": " << (e.captured ? "true" : "false") << ", \"variant_node\": \"" << e.variant_node
          << "\"";
        if (e.captured)
          f << ", \"rel_l2\": " << e.rel_l2 << ", \"max_abs\": " << e.max_abs
            << ", \"sqnr_db\": " << (std::isfinite(e.sqnr_db) ? e.sqnr_db : 999.0);
        f << "}";
      }
      f << "]}\n";
    }
    rc = 0;
  });
}

void add_bisect(CLI::App& app, int& rc) {
  auto a = std::make_shared<BlameArgs>();
  CLI::App* c = app.add_subcommand("bisect", "Find the pass(es) and rewrite(s) that flip a variant's labels");
  c->footer(
      "Over the inputs, against the reference: (1) each pass of the variant alone, (2) the variant\n"
      "minus each pass (by position: a pass listed twice has two rows), (3) ddmin for a minimal set of\n"
      "passes that still flips at least half (rounded up) of the variant's flips, (4) ddmin over that\n"
      "set's rewrite ids. The precision (fp16, bf16, int8) is one of the passes, and its rewrites are\n"
      "per node, so (4) names nodes whose reduced precision flips the labels. (5) For a precision\n"
      "variant: ddmin for a minimal set of nodes that must stay fp32 (OptimizeOptions::keep_fp32) for\n"
      "the flips to disappear, i.e. fewer than half (rounded up) of them remain; first checked with\n"
      "every rewritten node in fp32 (if even that keeps the flips, it says so and stops).\n"
      "Each configuration is built once; --max-builds bounds the total and stops with a note.\n"
      "Exit 0 with the result; 1 on bad input.\n"
      "Example: flipscope bisect --inputs t10k-images-idx3-ubyte.gz --limit 200 --variant cpu:O0:bf16");
  common(c, *a);
  c->add_option("--inputs", a->input, "a dataset: folder of images, IDX file, .pb/.npy")->required();
  c->add_option("--limit", a->limit, "use the first N inputs")->default_val(100);
  c->add_option("--max-builds", a->max_builds,
                "stop after N variant builds (each builds and runs the variant over the inputs)")
      ->default_val(kDefaultMaxBuilds)
      ->check(CLI::PositiveNumber);
  c->callback([a, &rc] {
    Loaded l = load(*a);
    auto in = inputs_of(a->input, l, 0, a->limit);
    std::vector<std::map<std::string, Tensor>> feeds;
    std::vector<std::string> names;
    for (auto& [n, f] : in) {
      names.push_back(n);
      feeds.push_back(f);
    }
    BisectResult r = bisect(l.g, parse_variant(a->variant), feeds, a->max_builds);
    fmt::print("{}", format_bisect(r, names));
    if (!a->json.empty()) std::ofstream(a->json) << bisect_json(r, names);
    rc = 0;
  });
}

}  // namespace fs::cli
