#include "diff/conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <thread>

#include "engine/session.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/onnx/tensor_proto.h"
#include "optimizer/pass.h"

namespace fs {
namespace stdfs = std::filesystem;

namespace {

std::vector<std::string> data_sets_in(const stdfs::path& dir) {
  std::vector<std::string> r;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      r.push_back(e.path().string());
  std::sort(r.begin(), r.end());
  return r;
}

// Cases in one folder: model.onnx + test_data_set_*; and sub/test_data_set_* paired with model-sub.onnx.
void cases_in(const stdfs::path& dir, std::vector<ConformanceCase>& out) {
  std::error_code ec;
  if (stdfs::exists(dir / "model.onnx", ec)) {
    out.push_back({dir.filename().string(), (dir / "model.onnx").string(), data_sets_in(dir)});
    std::vector<stdfs::path> subs;
    for (const auto& e : stdfs::directory_iterator(dir, ec))
      if (e.is_directory()) subs.push_back(e.path());
    std::sort(subs.begin(), subs.end());
    for (const auto& s : subs) {
      stdfs::path m = dir / ("model-" + s.filename().string() + ".onnx");
      if (stdfs::exists(m, ec) && !data_sets_in(s).empty())
        out.push_back({dir.filename().string() + "/" + s.filename().string(), m.string(), data_sets_in(s)});
    }
  }
}

std::string index_str(int64_t flat, const Shape& s) {
  std::vector<int64_t> idx(s.size());
  for (int i = static_cast<int>(s.size()) - 1; i >= 0; --i) {
    idx[i] = s[i] ? flat % s[i] : 0;
    flat = s[i] ? flat / s[i] : 0;
  }
  return shape_str(idx);
}

// ONNX 1.12's test data stores bfloat16 tensors with the UINT16 type code: same bits.
Tensor as_declared(const Tensor& t, DType declared) {
  if (t.dtype() == DType::U16 && declared == DType::BF16)
    return Tensor::wrap(DType::BF16, t.shape(), const_cast<void*>(t.raw())).clone();
  return t;
}

// Empty when equal within tolerance; else a description of the worst element.
std::string compare(const Tensor& got, const Tensor& want, const std::string& what, ToleranceClass cls) {
  if (got.dtype() != want.dtype())
    return what + ": dtype " + std::string(dtype_name(got.dtype())) + ", expected " +
           std::string(dtype_name(want.dtype()));
  if (got.shape() != want.shape())
    return what + ": shape " + shape_str(got.shape()) + ", expected " + shape_str(want.shape());
  double max_abs = 0;
  if (is_float(want.dtype()))
    for (int64_t i = 0; i < want.numel(); ++i)
      if (std::isfinite(want.get_f64(i))) max_abs = std::max(max_abs, std::fabs(want.get_f64(i)));
  Tolerance tol = scaled(tolerance_for(want.dtype(), cls), cls, max_abs);
  int64_t bad = 0, worst = -1;
  double worst_excess = -1;
  bool ints = !is_float(want.dtype());
  for (int64_t i = 0; i < want.numel(); ++i) {
    bool ok;
    double excess;
    if (ints) {
      ok = got.get_i64(i) == want.get_i64(i);
      excess = ok ? 0 : std::fabs(static_cast<double>(got.get_i64(i)) - static_cast<double>(want.get_i64(i)));
    } else {
      double a = got.get_f64(i), e = want.get_f64(i);
      ok = within(a, e, tol);
      excess = ok ? 0 : (std::isfinite(a - e) ? std::fabs(a - e) - tol.atol - tol.rtol * std::fabs(e) : 1e300);
    }
    if (!ok) {
      ++bad;
      if (excess > worst_excess) worst_excess = excess, worst = i;
    }
  }
  if (!bad) return "";
  char buf[256];
  if (ints) {
    std::snprintf(buf, sizeof buf, "got %lld, expected %lld", static_cast<long long>(got.get_i64(worst)),
                  static_cast<long long>(want.get_i64(worst)));
  } else {
    double a = got.get_f64(worst), e = want.get_f64(worst);
    std::snprintf(buf, sizeof buf, "got %.9g, expected %.9g (abs err %.3g, rel err %.3g; rtol %g atol %g)", a, e,
                  std::fabs(a - e), e != 0 ? std::fabs(a - e) / std::fabs(e) : INFINITY, tol.rtol, tol.atol);
  }
  return what + ": " + std::to_string(bad) + " of " + std::to_string(want.numel()) + " elements differ; worst at " +
         index_str(worst, want.shape()) + ": " + buf;
}

}  // namespace

std::vector<ConformanceCase> find_cases(const std::vector<std::string>& roots) {
  std::vector<ConformanceCase> out;
  for (const auto& r : roots) {
    stdfs::path root(r);
    std::error_code ec;
    if (!stdfs::is_directory(root, ec)) fail(ErrorKind::InvalidInput, r + ": not a directory");
    size_t before = out.size();
    cases_in(root, out);
    if (out.size() != before) continue;
    std::vector<stdfs::path> kids;
    for (const auto& e : stdfs::directory_iterator(root, ec))
      if (e.is_directory()) kids.push_back(e.path());
    std::sort(kids.begin(), kids.end());
    for (const auto& k : kids) {
      size_t b = out.size();
      cases_in(k, out);
      if (out.size() != b) continue;
      std::vector<stdfs::path> gk;
      for (const auto& e : stdfs::directory_iterator(k, ec))
        if (e.is_directory()) gk.push_back(e.path());
      std::sort(gk.begin(), gk.end());
      for (const auto& g : gk) cases_in(g, out);
    }
  }
  return out;
}

// Cases whose stored data contradicts their own model; skipped with the reason (docs/conformance.md).
const char* known_bad_case(const std::string& name) {
  static const std::map<std::string, const char*> bad = {
      {"test_castlike_BFLOAT16_to_FLOAT", "test data feeds 'like' as [1] while the model declares [3,4] (ONNX 1.12)"},
      {"test_castlike_BFLOAT16_to_FLOAT_expanded", "test data feeds 'like' as [1] while the model declares [3,4]"},
      {"test_castlike_FLOAT_to_BFLOAT16", "test data feeds 'like' as [1] while the model declares [3,4] (ONNX 1.12)"},
      {"test_castlike_FLOAT_to_BFLOAT16_expanded", "test data feeds 'like' as [1] while the model declares [3,4]"},
  };
  auto it = bad.find(name);
  return it == bad.end() ? nullptr : it->second;
}

CaseResult run_case(const ConformanceCase& c, const ConformanceOptions& opt) {
  CaseResult r;
  r.c = c;
  if (const char* why = known_bad_case(c.name)) {
    r.detail = std::string("known-bad test data: ") + why;
    return r;  // Skipped
  }
  auto t0 = std::chrono::steady_clock::now();
  try {
    std::shared_ptr<Graph> g = import_onnx(c.model);
    std::vector<std::string> in_names;
    for (ValueId v : g->inputs())
      if (!g->value(v).constant) in_names.push_back(g->value(v).name);
    if (c.data_sets.empty()) throw Error(ErrorKind::InvalidInput, "no test_data_set_* folder");
    auto load_feeds = [&](const std::string& ds) {
      std::map<std::string, Tensor> feeds;
      for (size_t i = 0;; ++i) {
        stdfs::path p = stdfs::path(ds) / ("input_" + std::to_string(i) + ".pb");
        if (!stdfs::exists(p)) break;
        std::string name;
        Tensor t = load_tensor_pb(p.string(), &name);
        if (name.empty() || g->find_value(name) == kNoValue) {
          if (i >= in_names.size()) throw Error("more input files than model inputs");
          name = in_names[i];
        }
        feeds[name] = as_declared(t, g->value(g->find_value(name)).dtype);
      }
      return feeds;
    };
    std::vector<std::string> pipeline = parse_pipeline(opt.passes);
    if (!pipeline.empty() || opt.precision != "fp32") {
      OptimizeOptions oo;
      oo.backend = opt.backend;
      oo.precision = opt.precision;
      if (opt.precision == "int8") oo.calibration.push_back(load_feeds(c.data_sets[0]));
      g = optimize(*g, pipeline, oo).graph;
    }
    SessionOptions so;
    so.backend = opt.backend;
    Session s(g, so);
    for (const auto& ds : c.data_sets) {
      std::map<std::string, Tensor> feeds = load_feeds(ds);
      std::vector<Tensor> expected;
      for (size_t i = 0;; ++i) {
        stdfs::path p = stdfs::path(ds) / ("output_" + std::to_string(i) + ".pb");
        if (!stdfs::exists(p)) break;
        expected.push_back(load_tensor_pb(p.string()));
      }
      RunResult res = s.run(feeds);
      if (res.outputs.size() < expected.size())
        throw Error("the model has " + std::to_string(res.outputs.size()) + " outputs, the data set " +
                    std::to_string(expected.size()));
      for (size_t i = 0; i < expected.size(); ++i) {
        std::string d = compare(res.outputs[i], as_declared(expected[i], res.outputs[i].dtype()),
                                stdfs::path(ds).filename().string() + " output " + std::to_string(i) + " '" +
                                    g->value(g->outputs()[i]).name + "'",
                                g->num_live_nodes() >= kNetworkNodes ? ToleranceClass::RealModel : opt.tolerance);
        if (!d.empty()) {
          r.status = CaseStatus::Failed;
          r.detail = d;
          break;
        }
      }
      if (r.status == CaseStatus::Failed) break;
      r.status = CaseStatus::Passed;
    }
  } catch (const Error& e) {
    r.status = e.kind() == ErrorKind::Unsupported ? CaseStatus::Skipped : CaseStatus::Failed;
    r.detail = e.what();
  } catch (const std::exception& e) {
    r.status = CaseStatus::Failed;
    r.detail = std::string("internal error: ") + e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::vector<CaseResult> run_cases(const std::vector<ConformanceCase>& all, const ConformanceOptions& opt) {
  std::vector<ConformanceCase> cases;
  std::regex re(opt.filter.empty() ? ".*" : opt.filter);
  for (const auto& c : all)
    if (opt.filter.empty() || std::regex_search(c.name, re)) cases.push_back(c);
  std::vector<CaseResult> results(cases.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < cases.size();) results[i] = run_case(cases[i], opt);
  };
  std::vector<std::thread> pool;
  int jobs = std::max(1, std::min<int>(opt.jobs, static_cast<int>(cases.size())));
  for (int j = 1; j < jobs; ++j) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return results;
}

}  // namespace fs
