// fs_accuracy: runs every model of shared/models on the reference backend over shared/images
// (default: every 10th image of labels.csv; --all or FLIPSCOPE_ALL_IMAGES=1: all 1,000), with the
// preset its README defines and Pillow-bilinear resizing, and checks top-1 against ONNX Runtime's
// predictions.csv (agreement >= 97%, accuracy within 1.5 points) and, with --all, against the
// README's stated top-1/top-5. --cross B also runs backend B (e.g. cpu) on the same inputs and checks
// that its top-1 equals the reference's on every image whose reference top-1 - top-2 margin exceeds
// twice the fp32 whole-network tolerance (diff/tolerance.h, RealModel), reporting max abs / max rel
// error of the logits. --interp swaps the resize method (a study: other methods may fail the
// checks). Exit code 0 = pass, 1 = fail, 77 = skipped (no shared/ folder).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <regex>
#include <thread>

#include "diff/tolerance.h"
#include "engine/session.h"
#include "importers/image/preprocess.h"
#include "importers/onnx/onnx_importer.h"
#include "tests/models/model_table.h"

namespace fs {
namespace {

constexpr int kSkip = 77;
constexpr double kMinAgreement = 97.0;  // % of images whose top-1 equals ONNX Runtime's
constexpr double kMaxGap = 1.5;         // accuracy points

struct Options {
  bool all = false;
  int every = 10;
  int jobs = 0;
  std::vector<std::string> models;  // empty = all
  std::string backend = "reference";
  std::string cross;                    // second backend compared with `backend` image by image ("" = none)
  Interp interp = Interp::PilBilinear;  // the models' reference; others are a study (checks may fail)
};

struct Sample {
  std::string file;
  int label = -1;
};

// One image's outcome: top-5 of `backend` and, with --cross, the comparison with the second backend.
struct ImageResult {
  std::vector<int> top5;
  double margin = 0;    // top-1 - top-2 of `backend`'s output
  double tol = 0;       // the fp32 tolerance of that output's largest values
  int cross_top1 = -1;  // top-1 of the cross backend
  double max_abs = 0, max_rel = 0;
};

struct OrtPrediction {
  std::vector<int> top5;
  double margin = 0;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> r;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    r.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return r;
    start = p + 1;
  }
}

// Rows of a CSV with a header line (no quoting needed for these files).
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  auto lines = split(test::read_text(path), '\n');
  if (lines.empty() || lines[0].empty()) fail(ErrorKind::InvalidInput, path + ": empty or missing");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string l = lines[i];
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!l.empty()) rows.push_back(split(l, ','));
  }
  return rows;
}

std::map<std::string, OrtPrediction> read_predictions(const std::string& path) {
  std::map<std::string, OrtPrediction> m;
  for (const auto& r : read_csv(path)) {
    if (r.size() < 5) fail(ErrorKind::InvalidInput, path + ": expected file,label,top5,top1_value,margin");
    OrtPrediction p;
    for (const auto& s : split(r[2], ' '))
      if (!s.empty()) p.top5.push_back(std::stoi(s));
    p.margin = std::stod(r[4]);
    m[r[0]] = p;
  }
  return m;
}

// The README's "**top-1 X%, top-5 Y%**" (the first one: model.onnx under ONNX Runtime).
bool readme_accuracy(const std::string& readme, double& top1, double& top5) {
  std::string text = test::read_text(readme);
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(\*\*top-1 ([0-9.]+)%, top-5 ([0-9.]+)%\*\*)"))) return false;
  top1 = std::stod(m[1]);
  top5 = std::stod(m[2]);
  return true;
}

// Top-5 class indices (label offset removed) of each image, computed with `jobs` threads; with
// --cross, also the second backend's top-1 and its error against the first.
std::vector<ImageResult> run_images(const std::shared_ptr<const Graph>& g, const Preprocess& p,
                                    const std::string& input, int offset, const std::vector<std::string>& paths,
                                    const Options& o) {
  std::vector<ImageResult> res(paths.size());
  std::atomic<size_t> next{0};
  std::vector<std::string> errors(static_cast<size_t>(o.jobs));
  auto order = [](const Tensor& out) {
    std::vector<int> idx(static_cast<size_t>(out.numel()));
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + std::min<size_t>(5, idx.size()), idx.end(), [&](int a, int b) {
      double sa = out.get_f64(a), sb = out.get_f64(b);
      return sa > sb || (sa == sb && a < b);
    });
    idx.resize(std::min<size_t>(5, idx.size()));
    return idx;
  };
  auto worker = [&](int id) {
    try {
      SessionOptions so;
      so.backend = o.backend;
      Session s(g, so);
      std::unique_ptr<Session> cross;
      if (!o.cross.empty()) {
        SessionOptions co;
        co.backend = o.cross;
        cross = std::make_unique<Session>(g, co);
      }
      for (size_t i = next++; i < paths.size(); i = next++) {
        Tensor image = load_images({paths[i]}, p);
        Tensor out = s.run({{input, image}}).outputs.at(0);
        ImageResult& r = res[i];
        r.top5 = order(out);
        if (r.top5.size() >= 2) r.margin = out.get_f64(r.top5[0]) - out.get_f64(r.top5[1]);
        double max_abs_out = 0;
        for (int64_t k = 0; k < out.numel(); ++k) max_abs_out = std::max(max_abs_out, std::fabs(out.get_f64(k)));
        Tolerance t =
            scaled(tolerance_for(DType::F32, ToleranceClass::RealModel), ToleranceClass::RealModel, max_abs_out);
        r.tol = t.atol + t.rtol * std::fabs(out.get_f64(r.top5[0]));
        if (cross) {
          Tensor c = cross->run({{input, image}}).outputs.at(0);
          r.cross_top1 = order(c)[0] - offset;
          for (int64_t k = 0; k < out.numel(); ++k) {
            double e = out.get_f64(k), a = c.get_f64(k), d = std::fabs(a - e);
            r.max_abs = std::max(r.max_abs, d);
            if (e != 0) r.max_rel = std::max(r.max_rel, d / std::fabs(e));
          }
        }
        for (int& k : r.top5) k -= offset;
      }
    } catch (const std::exception& e) {
      errors[static_cast<size_t>(id)] = e.what();
      next = paths.size();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < o.jobs; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (!e.empty()) throw Error(ErrorKind::Internal, e);
  return res;
}

double pct(int n, int d) { return d ? 100.0 * n / d : 0.0; }

// Runs one model; returns true when every check passes.
bool check_model(const test::ModelEntry& m, const std::string& shared, const std::vector<Sample>& samples,
                 const Options& o) {
  const std::string dir = shared + "/models/" + m.name;
  auto t0 = std::chrono::steady_clock::now();
  auto ort = read_predictions(dir + "/predictions.csv");
  std::shared_ptr<const Graph> g = import_onnx(dir + "/model.onnx");
  for (const std::string& b : {o.backend, o.cross}) {
    if (b.empty()) continue;
    std::string missing = unsupported_ops(*g, b);
    if (!missing.empty()) {
      fmt::print("FAIL {}: unsupported ops on {}: {}\n", m.name, b, missing);
      return false;
    }
  }
  const Value& input = g->value(g->inputs().at(0));
  Preprocess p = Preprocess::from_preset(m.preset);
  p.interp = o.interp;
  if (input.shape) p.fit_to_input(*input.shape);

  std::vector<std::string> paths;
  for (const auto& s : samples) paths.push_back(shared + "/images/imagenet-sample/" + s.file);
  auto res = run_images(g, p, input.name, m.label_offset, paths, o);
  std::vector<std::vector<int>> top;
  for (const auto& r : res) top.push_back(r.top5);

  int n = static_cast<int>(samples.size()), ref1 = 0, ref5 = 0, ort1 = 0, ort5 = 0, agree = 0;
  std::vector<std::string> flips;
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    auto it = ort.find(s.file);
    if (it == ort.end() || it->second.top5.empty())
      fail(ErrorKind::InvalidInput, dir + "/predictions.csv: no row for " + s.file);
    const auto& o5 = it->second.top5;
    ref1 += top[i][0] == s.label;
    ref5 += std::find(top[i].begin(), top[i].end(), s.label) != top[i].end();
    ort1 += o5[0] == s.label;
    ort5 += std::find(o5.begin(), o5.end(), s.label) != o5.end();
    if (top[i][0] == o5[0])
      ++agree;
    else
      flips.push_back(
          fmt::format("{} (reference {}, ORT {}, ORT margin {:.3g})", s.file, top[i][0], o5[0], it->second.margin));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double gap = pct(ref1, n) - pct(ort1, n);
  bool ok = pct(agree, n) >= kMinAgreement && std::fabs(gap) <= kMaxGap;
  std::string readme_part;
  if (o.all) {
    double r1 = 0, r5 = 0;
    if (!readme_accuracy(dir + "/README.md", r1, r5)) {
      readme_part = " | README accuracy not found";
      ok = false;
    } else {
      bool close = std::fabs(pct(ref1, n) - r1) <= kMaxGap && std::fabs(pct(ref5, n) - r5) <= kMaxGap;
      readme_part = fmt::format(" | README top-1 {:.1f}% top-5 {:.1f}%", r1, r5);
      ok = ok && close;
    }
  }
  fmt::print(
      "{} {:<28} {:<20} {} images: reference top-1 {:5.1f}% top-5 {:5.1f}% | ORT top-1 {:5.1f}% top-5 {:5.1f}% "
      "| top-1 agreement {:5.1f}%{} | {:.0f} s\n",
      ok ? "PASS" : "FAIL", m.name, m.preset, n, pct(ref1, n), pct(ref5, n), pct(ort1, n), pct(ort5, n), pct(agree, n),
      readme_part, secs);
  for (const auto& f : flips) fmt::print("       flip: {}\n", f);
  if (!o.cross.empty()) {
    // The cross backend must give the reference's top-1 wherever the margin exceeds what fp32
    // rounding can move (each of the two logits by up to `tol`).
    int same = 0, decisive = 0, bad = 0;
    double max_abs = 0, max_rel = 0;
    std::vector<std::string> cross_flips;
    for (size_t i = 0; i < res.size(); ++i) {
      const auto& r = res[i];
      same += r.cross_top1 == r.top5[0];
      const bool clear = r.margin > 2 * r.tol;
      decisive += clear;
      max_abs = std::max(max_abs, r.max_abs);
      max_rel = std::max(max_rel, r.max_rel);
      if (r.cross_top1 != r.top5[0]) {
        bad += clear;
        cross_flips.push_back(fmt::format("{} ({} {}, {} {}, margin {:.3g}, tolerance {:.3g}{})", samples[i].file,
                                          o.backend, r.top5[0], o.cross, r.cross_top1, r.margin, r.tol,
                                          clear ? ": beyond rounding" : ": near-tie"));
      }
    }
    fmt::print(
        "{} {:<28} {} vs {}: top-1 equal on {} of {} images; {} images with margin > 2x fp32 tolerance, {} of "
        "them differ | max abs err {:.3g} | max rel err {:.3g}\n",
        bad ? "FAIL" : "PASS", m.name, o.cross, o.backend, same, n, decisive, bad, max_abs, max_rel);
    for (const auto& f : cross_flips) fmt::print("       {} flip: {}\n", o.cross, f);
    ok = ok && bad == 0;
  }
  std::fflush(stdout);
  return ok;
}

int run(const Options& o) {
  const std::string shared = test::shared_dir();
  if (shared.empty()) {
    fmt::print("SKIP: shared/ (models, images) not found next to the source tree; set FLIPSCOPE_SHARED\n");
    return kSkip;
  }
  std::vector<Sample> samples;
  auto rows = read_csv(shared + "/images/imagenet-sample/labels.csv");
  for (size_t i = 0; i < rows.size(); ++i)
    if (o.all || i % static_cast<size_t>(o.every) == 0) samples.push_back({rows[i].at(0), std::stoi(rows[i].at(1))});
  fmt::print(
      "{} images ({}), {} threads, backend {}, interp {}; checks: top-1 agreement with ONNX Runtime "
      ">= {}%, top-1 within {} points of ORT's{}\n",
      samples.size(), o.all ? "all" : fmt::format("every {}th", o.every), o.jobs, o.backend, interp_name(o.interp),
      kMinAgreement, kMaxGap, o.all ? " and top-1/top-5 within 1.5 points of the README's" : "");
  int failed = 0, ran = 0;
  for (const auto& m : test::model_table()) {
    if (!o.models.empty() && std::find(o.models.begin(), o.models.end(), m.name) == o.models.end()) continue;
    if (!std::filesystem::exists(shared + "/models/" + m.name + "/model.onnx")) {
      fmt::print("SKIP {}: model.onnx absent\n", m.name);
      continue;
    }
    ++ran;
    try {
      if (!check_model(m, shared, samples, o)) ++failed;
    } catch (const std::exception& e) {
      fmt::print("FAIL {}: {}\n", m.name, e.what());
      ++failed;
    }
  }
  fmt::print("{} models checked, {} failed\n", ran, failed);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace fs

int main(int argc, char** argv) {
  fs::Options o;
  if (const char* e = std::getenv("FLIPSCOPE_ALL_IMAGES"); e && std::string(e) == "1") o.all = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "{} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--all")
      o.all = true;
    else if (a == "--every")
      o.every = std::max(1, std::atoi(value().c_str()));
    else if (a == "--jobs" || a == "-j")
      o.jobs = std::atoi(value().c_str());
    else if (a == "--model")
      o.models.push_back(value());
    else if (a == "--backend")
      o.backend = value();
    else if (a == "--cross")
      o.cross = value();
    else if (a == "--interp" && fs::interp_from_name(value()))
      o.interp = *fs::interp_from_name(argv[i]);
    else {
      fmt::print(
          stderr,
          "usage: fs_accuracy [--all] [--every K] [--jobs N] [--model NAME]... [--backend B] [--cross B2] [--interp "
          "M]\n"
          "  --all          all 1,000 images (also FLIPSCOPE_ALL_IMAGES=1) and compare with the READMEs\n"
          "  --every K      every K-th image of labels.csv (default 10)\n"
          "  --jobs N       threads, one Session each (default: number of cores)\n"
          "  --model NAME   only this model (repeatable)\n"
          "  --cross B2     also run backend B2 (e.g. cpu): its top-1 must equal --backend's wherever the margin\n"
          "                 exceeds 2x the fp32 tolerance; prints max abs / max rel error per model\n"
          "  --interp M     resize method: pil-bilinear (default: what the models were evaluated with),\n"
          "                 pil-bicubic, cv-linear, cv-area, cv-cubic, cv-nearest (a study: may fail the checks)\n");
      return 2;
    }
  }
  if (o.jobs <= 0) o.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    return fs::run(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "fs_accuracy: {}\n", e.what());
    return 1;
  }
}
