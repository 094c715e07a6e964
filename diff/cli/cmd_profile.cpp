// `flipscope profile MODEL`: end-to-end median/p90 latency and a per-layer table; Chrome trace,
// CSV and JSON outputs; `--compare A.json B.json` diffs two runs layer by layer.
#include <fmt/format.h>

#include <fstream>

#include "diff/cli/commands.h"
#include "diff/default_model.h"
#include "diff/profile.h"

namespace fs::cli {
namespace {

struct ProfileArgs {
  PassArgs pass;
  std::string model;
  std::string backend = "cpu";
  int threads = 1;
  int64_t batch = 1;
  int warmup = 3, repeat = 20;
  size_t top = 25;
  std::string trace, csv, json;
  std::vector<std::string> compare;
};

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::InvalidInput, path + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::InvalidInput, path + ": not valid JSON (" + e.what() + ")");
  }
}

int run_profile(const ProfileArgs& a) {
  if (!a.compare.empty()) {
    if (a.compare.size() != 2) throw Error(ErrorKind::InvalidInput, "--compare takes exactly two JSON files");
    fmt::print("{}", compare_profiles(read_json(a.compare[0]), read_json(a.compare[1]), a.compare[0], a.compare[1]));
    return 0;
  }
  if (a.model.empty())
    throw Error(ErrorKind::InvalidInput, "profile: a MODEL is required (or --compare A.json B.json)");
  auto g = load_model(a.model);
  auto inputs = random_inputs(*g, a.batch);
  g = apply_passes(g, a.pass, a.backend, {inputs});
  SessionOptions so;
  so.backend = a.backend;
  so.threads = a.threads;
  Session s(g, so);
  ProfileResult r = profile_session(s, inputs, a.warmup, a.repeat);
  fmt::print("{}", format_profile(r, a.top));
  if (!a.json.empty()) {
    std::ofstream out(a.json);
    if (!out) throw Error(ErrorKind::InvalidInput, a.json + ": cannot write");
    out << profile_to_json(r).dump(2) << "\n";
  }
  if (!a.trace.empty()) write_trace(r, *g, a.trace);
  if (!a.csv.empty()) write_layers_csv(r, a.csv);
  return 0;
}

}  // namespace

void add_profile(CLI::App& app, int& rc) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* c = app.add_subcommand(
      "profile",
      "Time a model end to end (median, p90) and per layer (op, shapes, FLOPs, GFLOP/s, share) on random inputs.\n"
      "Example: flipscope profile model.onnx --backend cpu --threads 2 --batch 8 --trace t.json --json a.json\n"
      "         flipscope profile --compare a.json b.json");
  c->add_option("model", args->model, "ONNX model file");
  c->add_option("--backend", args->backend, "backend to time (reference, cpu)")->default_val("cpu");
  add_pass_options(c, args->pass);
  c->add_option("--threads", args->threads, "threads for OpenMP and OpenBLAS")
      ->default_val(1)
      ->check(CLI::Range(1, 256));
  c->add_option("--batch", args->batch, "value of symbolic batch dimensions")
      ->default_val(1)
      ->check(CLI::PositiveNumber);
  c->add_option("--warmup", args->warmup, "runs not counted")->default_val(3)->check(CLI::NonNegativeNumber);
  c->add_option("--repeat", args->repeat, "counted runs")->default_val(20)->check(CLI::PositiveNumber);
  c->add_option("--top", args->top, "layers shown in the table")->default_val(25);
  c->add_option("--trace", args->trace, "write a Chrome trace-event JSON (open in Perfetto or chrome://tracing)");
  c->add_option("--csv", args->csv, "write the per-layer table as CSV");
  c->add_option("--json", args->json, "write {median_ms, p90_ms, layers: [...]} as JSON");
  c->add_option("--compare", args->compare, "compare two --json files layer by layer (matched by node name)")
      ->expected(2);
  c->callback([args, &rc] { rc = run_profile(*args); });
}

}  // namespace fs::cli
