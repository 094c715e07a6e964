// fs_exact_top1: every exact optimizer pass alone, and the O1/O2 presets, on the cpu backend over the
// sample images of shared/images with every model of shared/models: the logits stay within the fp32
// whole-network tolerance (diff/tolerance.h, RealModel) of cpu with no passes, and the top-1 is the
// same on every image whose margin exceeds twice that tolerance. A pass that rewrites nothing in a
// model gives the unchanged graph and is not re-run. Default: every 5th image of labels.csv (200);
// --all: all 1,000. Exit 0 = pass, 1 = fail, 77 = skipped (no shared/ folder).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "diff/tolerance.h"
#include "engine/session.h"
#include "importers/image/preprocess.h"
#include "importers/onnx/onnx_importer.h"
#include "optimizer/pass.h"
#include "tests/models/model_table.h"

namespace fs {
namespace {

struct Variant {
  std::string name;
  std::shared_ptr<const Graph> graph;
  int bad_logits = 0, bad_top1 = 0, near_ties = 0;
  double max_abs = 0;
  std::string first_problem;
};

std::vector<std::string> image_files(const std::string& shared, int every) {
  std::vector<std::string> files;
  std::string text = test::read_text(shared + "/images/imagenet-sample/labels.csv");
  size_t line = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string l = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (line++ == 0 || l.empty()) continue;  // header
    if ((line - 2) % static_cast<size_t>(every) == 0)
      files.push_back(shared + "/images/imagenet-sample/" + l.substr(0, l.find(',')));
  }
  return files;
}

int64_t argmax(const Tensor& t) {
  int64_t b = 0;
  for (int64_t i = 1; i < t.numel(); ++i)
    if (t.get_f64(i) > t.get_f64(b)) b = i;
  return b;
}

bool check_model(const test::ModelEntry& m, const std::string& shared, const std::vector<std::string>& files,
                 int jobs) {
  const std::string path = shared + "/models/" + m.name + "/model.onnx";
  std::shared_ptr<Graph> model = import_onnx(path);
  OptimizeOptions oo;
  oo.backend = "cpu";
  std::vector<std::string> passes;
  for (const PassInfo* p : PassRegistry::instance().all())
    if (p->exact && p->category != PassCategory::Test) passes.push_back(p->name);
  passes.push_back("O1");
  passes.push_back("O2");
  std::vector<Variant> variants;
  std::vector<std::string> untouched;
  for (const std::string& p : passes) {
    OptimizeResult r = optimize(*model, parse_pipeline(p), oo);
    if (r.rewrites.empty())
      untouched.push_back(p);
    else
      variants.push_back({p, r.graph});
  }
  const Value& input = model->value(model->inputs().at(0));
  Preprocess pre = Preprocess::from_preset(m.preset);
  if (input.shape) pre.fit_to_input(*input.shape);
  std::atomic<size_t> next{0};
  std::vector<std::vector<Variant>> per_worker(static_cast<size_t>(jobs), variants);
  std::vector<std::string> errors(static_cast<size_t>(jobs));
  auto worker = [&](int id) {
    try {
      auto& mine = per_worker[static_cast<size_t>(id)];
      SessionOptions so;
      so.backend = "cpu";
      Session base(model, so);
      std::vector<std::unique_ptr<Session>> sessions;
      for (const auto& v : mine) sessions.push_back(std::make_unique<Session>(v.graph, so));
      for (size_t i = next++; i < files.size(); i = next++) {
        const std::map<std::string, Tensor> feeds = {{input.name, load_images({files[i]}, pre)}};
        const Tensor want = base.run(feeds).outputs.at(0);
        double max_abs = 0;
        for (int64_t k = 0; k < want.numel(); ++k) max_abs = std::max(max_abs, std::fabs(want.get_f64(k)));
        const Tolerance tol =
            scaled(tolerance_for(DType::F32, ToleranceClass::RealModel), ToleranceClass::RealModel, max_abs);
        const int64_t top = argmax(want);
        double second = -INFINITY;
        for (int64_t k = 0; k < want.numel(); ++k)
          if (k != top) second = std::max(second, want.get_f64(k));
        const bool decisive = want.get_f64(top) - second > 2 * (tol.atol + tol.rtol * std::fabs(want.get_f64(top)));
        for (size_t j = 0; j < mine.size(); ++j) {
          Variant& v = mine[j];
          const Tensor got = sessions[j]->run(feeds).outputs.at(0);
          int bad = 0;
          for (int64_t k = 0; k < want.numel(); ++k) {
            v.max_abs = std::max(v.max_abs, std::fabs(got.get_f64(k) - want.get_f64(k)));
            bad += !within(got.get_f64(k), want.get_f64(k), tol);
          }
          const bool flip = argmax(got) != top;
          v.bad_logits += bad > 0;
          v.bad_top1 += flip && decisive;
          v.near_ties += flip && !decisive;
          if ((bad || (flip && decisive)) && v.first_problem.empty())
            v.first_problem = fmt::format("{}: {} logits off, top-1 {} vs {}", files[i], bad, argmax(got), top);
        }
      }
    } catch (const std::exception& e) {
      errors[static_cast<size_t>(id)] = e.what();
      next = files.size();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (!e.empty()) {
      fmt::print("FAIL {}: {}\n", m.name, e);
      return false;
    }
  bool ok = true;
  for (size_t j = 0; j < variants.size(); ++j) {
    Variant sum = variants[j];
    for (const auto& w : per_worker) {
      sum.bad_logits += w[j].bad_logits;
      sum.bad_top1 += w[j].bad_top1;
      sum.near_ties += w[j].near_ties;
      sum.max_abs = std::max(sum.max_abs, w[j].max_abs);
      if (sum.first_problem.empty()) sum.first_problem = w[j].first_problem;
    }
    const bool pass = sum.bad_logits == 0 && sum.bad_top1 == 0;
    ok = ok && pass;
    fmt::print(
        "{} {:<28} {:<22} {} images: logits off on {}, top-1 changed on {} decisive + {} near-tie images, max "
        "abs diff {:.3g}{}\n",
        pass ? "PASS" : "FAIL", m.name, sum.name, files.size(), sum.bad_logits, sum.bad_top1, sum.near_ties,
        sum.max_abs, sum.first_problem.empty() ? "" : " (first: " + sum.first_problem + ")");
  }
  std::string list;
  for (const auto& u : untouched) list += (list.empty() ? "" : ",") + u;
  fmt::print("     {:<28} no rewrites (same graph): {}\n", m.name, list);
  std::fflush(stdout);
  return ok;
}

}  // namespace
}  // namespace fs

int main(int argc, char** argv) {
  int every = 5, jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--all") {
      every = 1;
    } else if (a == "--every" && i + 1 < argc) {
      every = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--jobs" && i + 1 < argc) {
      jobs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--model" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else {
      fmt::print(stderr,
                 "usage: fs_exact_top1 [--all] [--every K] [--jobs N] [--model NAME]...\n"
                 "  every exact pass alone and O1/O2 on cpu vs cpu without passes, on every K-th sample image\n"
                 "  (default 5; --all = 1,000): logits within the fp32 whole-network tolerance, same decisive top-1\n");
      return 2;
    }
  }
  const std::string shared = fs::test::shared_dir();
  if (shared.empty()) {
    fmt::print("SKIP: shared/ (models, images) not found next to the source tree; set FLIPSCOPE_SHARED\n");
    return 77;
  }
  try {
    auto files = fs::image_files(shared, every);
    int failed = 0;
    for (const auto& m : fs::test::model_table()) {
      if (!only.empty() && std::find(only.begin(), only.end(), m.name) == only.end()) continue;
      if (!std::filesystem::exists(shared + "/models/" + m.name + "/model.onnx")) continue;
      if (!fs::check_model(m, shared, files, jobs)) ++failed;
    }
    fmt::print("{} models with a failing pass\n", failed);
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fs_exact_top1: {}\n", e.what());
    return 1;
  }
}
