// `flipscope conformance [--backend B] [--filter REGEX] [DIR ...]`: runs ONNX backend-test cases
// and stored-output checks of real models; ends with "N passed, N failed, N skipped".
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "diff/cli/commands.h"
#include "diff/conformance.h"
#include "engine/kernel_registry.h"

namespace fs::cli {
namespace {

struct ConfArgs {
  PassArgs pass;
  std::vector<std::string> dirs;
  std::string backend = "reference";
  std::string filter;
  std::string expected;  // file of case names that must pass
  int jobs = 0;
  bool verbose = false;
  bool list_skipped = false;
};

const std::vector<std::string> kDefaultDirs = {
    "/usr/share/libonnx-testdata/data/node", "/usr/share/libonnx-testdata/data/simple",
    "/usr/share/libonnx-testdata/data/pytorch-converted", "/usr/share/libonnx-testdata/data/pytorch-operator"};

int run_conformance(const ConfArgs& a) {
  auto backends = KernelRegistry::instance().backends();
  if (std::find(backends.begin(), backends.end(), a.backend) == backends.end()) {
    std::string avail;
    for (const auto& b : backends) avail += (avail.empty() ? "" : ", ") + b;
    throw Error(ErrorKind::InvalidInput, "unknown backend '" + a.backend + "' (available: " + avail + ")");
  }
  ConformanceOptions o;
  o.backend = a.backend;
  o.filter = a.filter;
  o.passes = a.pass.passes;
  o.precision = a.pass.precision;
  (void)parse_pipeline(o.passes);  // unknown names fail before any case runs
  (void)precision_pass(o.precision);
  o.jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto cases = find_cases(a.dirs.empty() ? kDefaultDirs : a.dirs);
  auto results = run_cases(cases, o);
  int passed = 0, failed = 0, skipped = 0;
  std::set<std::string> passing;
  for (const auto& r : results) {
    switch (r.status) {
      case CaseStatus::Passed:
        ++passed;
        passing.insert(r.c.name);
        if (a.verbose) fmt::print("PASS {} ({:.2f} s)\n", r.c.name, r.seconds);
        break;
      case CaseStatus::Failed:
        ++failed;
        fmt::print("FAIL {}: {}\n", r.c.name, r.detail);
        break;
      case CaseStatus::Skipped:
        ++skipped;
        if (a.verbose || a.list_skipped) fmt::print("SKIP {}: {}\n", r.c.name, r.detail);
        break;
    }
  }
  int rc = failed ? 1 : 0;
  if (!a.expected.empty()) {
    std::ifstream in(a.expected);
    if (!in) throw Error(ErrorKind::InvalidInput, a.expected + ": cannot open");
    std::set<std::string> want;
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') want.insert(line);
    std::set<std::string> seen;
    for (const auto& r : results) seen.insert(r.c.name);
    int regressions = 0;
    for (const auto& w : want)
      if (seen.count(w) && !passing.count(w)) {
        fmt::print("REGRESSION {}: listed in {} but does not pass\n", w, a.expected);
        ++regressions;
      }
    for (const auto& p : passing)
      if (!want.count(p)) fmt::print("NEW PASS {} (add it to {})\n", p, a.expected);
    if (regressions) rc = 1;
  }
  fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  return rc;
}

}  // namespace

void add_conformance(CLI::App& app, int& rc) {
  auto args = std::make_shared<ConfArgs>();
  CLI::App* c = app.add_subcommand(
      "conformance",
      "Run ONNX backend-test cases (model.onnx + test_data_set_*/{input,output}_N.pb) and compare with the stored "
      "outputs (rtol 1e-3, atol 1e-7). Default folders: Debian's libonnx-testdata node, simple, pytorch-converted, "
      "pytorch-operator.");
  c->add_option("dirs", args->dirs, "case folders, or folders of case folders");
  c->add_option("--backend", args->backend, "backend to run")->default_val("reference");
  c->add_option("--passes", args->pass.passes, "optimizer pipeline applied to every case (see `flipscope passes`)")
      ->default_val("O0");
  c->add_option("--precision", args->pass.precision, "fp32 | fp16 | bf16 | int8 (int8 calibrates on the case input)")
      ->default_val("fp32");
  c->add_option("--filter", args->filter, "only cases whose name matches this regular expression");
  c->add_option("--expected", args->expected, "file listing cases that must pass (fails on a regression)");
  c->add_option("-j,--jobs", args->jobs, "cases run in parallel (default: number of cores)");
  c->add_flag("-v,--verbose", args->verbose, "print passing and skipped cases too");
  c->add_flag("--list-skipped", args->list_skipped, "print skipped cases with the reason");
  c->callback([args, &rc] { rc = run_conformance(*args); });
}

}  // namespace fs::cli
