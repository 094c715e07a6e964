// The study runner: reference once per input (cached on disk), every variant per batch of inputs,
// one JSON-lines record per input x variant appended as it completes, then the reports.
#include "diff/study.h"

#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "diff/blame.h"
#include "diff/default_model.h"
#include "diff/metrics.h"
#include "diff/report_html.h"
#include "diff/study_results.h"
#include "importers/onnx/tensor_proto.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/sgemm.h"

extern "C" {
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace fs {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct RefOut {
  std::vector<double> logits;
};

std::vector<double> item_values(const Tensor& out, int64_t item, int64_t items) {
  int64_t per = items ? out.numel() / items : 0;
  std::vector<double> v(static_cast<size_t>(per));
  for (int64_t k = 0; k < per; ++k) v[static_cast<size_t>(k)] = out.get_f64(item * per + k);
  return v;
}

Tensor stack(const std::vector<Tensor>& items) {
  Shape s = items[0].shape();
  s[0] = static_cast<int64_t>(items.size());
  Tensor t(items[0].dtype(), s);
  char* dst = static_cast<char*>(t.raw());
  for (const auto& it : items) {
    std::memcpy(dst, it.raw(), it.nbytes());
    dst += it.nbytes();
  }
  return t;
}

json top5_json(const std::vector<double>& v) {
  auto t = top_k(v, 5);
  json scores = json::array();
  for (int64_t i : t) scores.push_back(v[static_cast<size_t>(i)]);
  return {{"top", t}, {"scores", scores}};
}

std::string cache_root(const std::string& given) {
  if (!given.empty()) return given;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && *xdg) return std::string(xdg) + "/flipscope/ref";
  return std::string(home && *home ? home : "/tmp") + "/.cache/flipscope/ref";
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

json environment() {
  const char* cfg = openblas_get_config();
  const char* core = openblas_get_corename();
  return {{"compiler",
#if defined(__clang__)
           "clang " __clang_version__
#else
           "gcc " __VERSION__
#endif
          },
          {"openblas_config", cfg ? cfg : ""},
          {"openblas_core", core ? core : ""},
          {"gemm_library", cpu::gemm_lib_name()},
          {"cpu_model", cpu_model()},
          {"cpu_features", cpu::cpu_features().summary()},
          {"hardware_threads", std::thread::hardware_concurrency()},
          {"omp_max_threads", omp_get_max_threads()}};
}

// Progress bar: images done, rate, ETA; only when stderr is a terminal.
struct Progress {
  bool on = false;
  size_t total = 0;
  Clock::time_point t0 = Clock::now();
  void show(size_t done) const {
    if (!on) return;
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    double rate = s > 0 ? static_cast<double>(done) / s : 0;
    double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    int w = 30, fill = total ? static_cast<int>(w * done / total) : w;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu %.1f/s ETA %.0fs  ", std::string(static_cast<size_t>(fill), '#').c_str(),
                 std::string(static_cast<size_t>(w - fill), '.').c_str(), done, total, rate, eta);
    if (done == total) std::fprintf(stderr, "\n");
  }
};

class Study {
 public:
  explicit Study(const StudyConfig& c) : c_(c) {}
  int run();

 private:
  void open_records();
  void append(const json& r);
  bool chunk_done(size_t b, size_t e) const;
  struct Loaded {
    size_t index = 0;
    Tensor input;
    std::vector<double> ref;
    std::string error;
  };
  std::vector<Loaded> load_inputs(const std::vector<size_t>& indices);
  void run_chunk(const std::vector<Loaded>& chunk);
  std::vector<double> reference(Session& s, const Tensor& input);
  json results_json(const std::vector<std::string>& ok_names);
  void write_reports(const json& results);
  std::vector<std::vector<std::string>> explain_flips(const json& results);

  const StudyConfig& c_;
  std::shared_ptr<Graph> graph_;
  std::string model_hash_;
  Dataset data_;
  Preprocess pre_;
  std::string input_name_;
  std::vector<std::unique_ptr<Session>> refs_;  // one reference session per worker thread
  std::vector<PreparedVariant> variants_;
  json variant_errors_ = json::array();
  std::vector<VariantSpec> specs_;
  RecordMap records_;
  std::ofstream rec_out_;
  std::string cache_;
  std::atomic<int64_t> cache_hits_{0}, cache_misses_{0};
};

void Study::append(const json& r) {
  int64_t idx = r["input"];
  records_[{idx, r.value("variant", std::string())}] = r;
  rec_out_ << r.dump() << '\n';
}

void Study::open_records() {
  std::string path = c_.out + "/records.jsonl";
  std::string key_src = model_hash_ + "|" + stdfs::absolute(data_.source).string() + "|" + pre_.describe() + "|" +
                        std::to_string(data_.size()) + "|" + std::to_string(c_.batch);
  for (const auto& v : specs_) key_src += "|" + v.name + "=" + v.spec();
  std::string key = fnv1a64_hex(key_src.data(), key_src.size());
  std::vector<std::string> keep;
  if (c_.resume && stdfs::exists(path)) {
    std::ifstream in(path);
    size_t line_no = 0;
    for (std::string line; std::getline(in, line); ++line_no) {
      json r = json::parse(line, nullptr, false);
      if (r.is_discarded() || !r.is_object()) continue;  // the line a kill cut short
      if (line_no == 0) {
        if (r.value("study_key", std::string()) != key)
          fail(ErrorKind::InvalidInput,
               fmt::format("--resume: {} belongs to a study with another model, dataset, preprocessing, batch or "
                           "variant list; use a new --out or drop --resume",
                           path));
        keep.push_back(line);
        continue;
      }
      if (!r.contains("input")) continue;
      records_[{r["input"].get<int64_t>(), r.value("variant", std::string())}] = r;
    }
  }
  // Rewrite the file without a cut-off last line, then append to it.
  std::string text = json{{"study_key", key}, {"schema", "flipscope-records/1"}}.dump() + "\n";
  for (const auto& [k, r] : records_) text += r.dump() + "\n";
  write_atomic(path, text);
  rec_out_.open(path, std::ios::app);
  if (!rec_out_) fail(ErrorKind::InvalidInput, path + ": cannot append");
}

bool Study::chunk_done(size_t b, size_t e) const {
  for (size_t i = b; i < e; ++i) {
    int64_t idx = static_cast<int64_t>(i);
    if (records_.count({idx, ""})) continue;
    for (const auto& v : variants_)
      if (!records_.count({idx, v.spec.name})) return false;
  }
  return true;
}

std::vector<double> Study::reference(Session& s, const Tensor& input) {
  std::string key_src = model_hash_ + "|" + pre_.describe() + "|" + shape_str(input.shape()) + "|";
  std::string h = fnv1a64_hex(input.raw(), input.nbytes(), std::hash<std::string>{}(key_src) ^ 0x9e3779b97f4a7c15ull);
  std::string file = cache_.empty() ? "" : cache_ + "/" + model_hash_ + "-" + h + ".pb";
  if (!file.empty() && stdfs::exists(file)) {
    try {
      Tensor t = load_tensor_pb(file);
      ++cache_hits_;
      return item_values(t, 0, 1);
    } catch (const Error&) {
      // a damaged cache entry: recompute
    }
  }
  RunResult r = s.run({{input_name_, input}});
  ++cache_misses_;
  if (!file.empty()) {
    std::string tmp = fmt::format("{}.{}.tmp", file, std::hash<std::thread::id>{}(std::this_thread::get_id()));
    save_tensor_pb(r.outputs.at(0), "ref", tmp);
    stdfs::rename(tmp, file);
  }
  return item_values(r.outputs.at(0), 0, 1);
}

// Loads and preprocesses the inputs and computes (or reads) their reference outputs, spread over the
// reference sessions' threads; variants run afterwards, one at a time, so that their timing is not disturbed.
std::vector<Study::Loaded> Study::load_inputs(const std::vector<size_t>& indices) {
  std::vector<Loaded> out(indices.size());
  std::atomic<size_t> next{0};
  auto work = [&](size_t w) {
    for (size_t k = next++; k < indices.size(); k = next++) {
      Loaded& l = out[k];
      l.index = indices[k];
      const DatasetItem& it = data_.items[l.index];
      try {
        l.input = data_.load(l.index, pre_);
        if (l.input.rank() == 0 || l.input.dim(0) != 1)
          fail(ErrorKind::InvalidInput, fmt::format("{}: a tensor input must hold one item (shape [1,...]), got {}",
                                                    it.path, shape_str(l.input.shape())));
        l.ref = reference(*refs_[w], l.input);
      } catch (const Error& err) {
        l.error = err.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < refs_.size() && w < indices.size(); ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  return out;
}

void Study::run_chunk(const std::vector<Loaded>& chunk) {
  std::vector<size_t> ok;
  std::vector<Tensor> inputs;
  std::vector<const std::vector<double>*> refs;
  for (const Loaded& l : chunk) {
    const DatasetItem& it = data_.items[l.index];
    if (!l.error.empty()) {
      append({{"input", l.index}, {"id", it.id}, {"path", it.path}, {"label", it.label}, {"error", l.error}});
      continue;
    }
    ok.push_back(l.index);
    inputs.push_back(l.input);
    refs.push_back(&l.ref);
  }
  if (ok.empty()) {
    rec_out_.flush();
    return;
  }
  Tensor batch = stack(inputs);
  for (auto& v : variants_) {
    try {
      Tensor in = batch;
      if (v.own_inputs) {
        std::vector<Tensor> own;
        for (size_t i : ok) own.push_back(data_.load(i, v.preprocess));
        in = stack(own);
      }
      auto t0 = Clock::now();
      RunResult r = v.session->run({{v.input_name, in}});
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / static_cast<double>(ok.size());
      const Tensor& out = r.outputs.at(0);
      for (size_t k = 0; k < ok.size(); ++k) {
        size_t i = ok[k];
        auto var = item_values(out, static_cast<int64_t>(k), static_cast<int64_t>(ok.size()));
        const auto& ref = *refs[k];
        if (var.size() != ref.size())
          fail(ErrorKind::InvalidInput,
               fmt::format("output has {} values per input, the reference {}", var.size(), ref.size()));
        json rj = top5_json(ref);
        rj["margin"] = top1_margin(ref);
        rj["near_tie"] = near_tie(ref);
        auto vj = top5_json(var);
        append({{"input", i},
                {"id", data_.items[i].id},
                {"label", data_.items[i].label},
                {"variant", v.spec.name},
                {"ref", rj},
                {"var", vj},
                {"max_abs", max_abs_error(ref, var)},
                {"max_rel", max_rel_error(ref, var)},
                {"kl", kl_divergence(ref, var)},
                {"cosine", cosine_similarity(ref, var)},
                {"top5_overlap", top_k_overlap(ref, var, 5)},
                {"ms", ms}});
      }
    } catch (const Error& err) {
      for (size_t i : ok)
        append({{"input", i},
                {"id", data_.items[i].id},
                {"label", data_.items[i].label},
                {"variant", v.spec.name},
                {"error", err.what()}});
    }
  }
  rec_out_.flush();
}

json Study::results_json(const std::vector<std::string>& ok_names) {
  json vars = json::array();
  double base_ms = -1;
  for (const auto& v : variants_)
    if (v.spec.spec() == kBaselineSpec) {
      json m = summarise_variant(v.spec.name, records_, data_.has_labels);
      if (!m["time_ms_median"].is_null()) base_ms = m["time_ms_median"];
      break;
    }
  for (const auto& spec : specs_) {
    auto it = std::find_if(variants_.begin(), variants_.end(), [&](const auto& v) { return v.spec.name == spec.name; });
    json v = {{"name", spec.name}, {"spec", spec.spec()}};
    if (it == variants_.end()) {
      v["status"] = "error";
      for (const auto& e : variant_errors_)
        if (e["variant"] == spec.name) v["error"] = e["reason"];
      vars.push_back(v);
      continue;
    }
    v["status"] = "ok";
    v["passes"] = it->passes;
    v["rewrites"] = it->rewrites;
    v["threads"] = spec.threads;
    v["preprocess"] = it->preprocess.describe();
    json m = summarise_variant(spec.name, records_, data_.has_labels);
    m["time_ratio"] = base_ms > 0 && !m["time_ms_median"].is_null() ? json(m["time_ms_median"].get<double>() / base_ms)
                                                                    : json(nullptr);
    bool over_rate = c_.max_flip_rate >= 0 && m["flip_rate"].get<double>() > c_.max_flip_rate;
    bool over_abs = c_.max_abs_err >= 0 && m["max_abs"].get<double>() > c_.max_abs_err;
    m["exceeds_max_flip_rate"] = over_rate;
    m["exceeds_max_abs_err"] = over_abs;
    v["metrics"] = m;
    vars.push_back(v);
  }
  json errors = json::array();
  for (const auto& [k, r] : records_)
    if (k.second.empty())
      errors.push_back(
          {{"kind", "input"}, {"index", k.first}, {"id", r["id"]}, {"path", r["path"]}, {"reason", r["error"]}});
  for (const auto& e : variant_errors_) errors.push_back(e);
  std::string ids;
  for (const auto& it : data_.items) ids += it.id + ":" + std::to_string(it.label) + "\n";
  return {{"schema", "flipscope-study/1"},
          {"config",
           {{"model", c_.model},
            {"images", c_.data.images},
            {"labels", c_.data.labels},
            {"classes", c_.data.classes},
            {"label_offset", c_.data.label_offset},
            {"limit", c_.data.limit},
            {"batch", c_.batch},
            {"preprocess", pre_.describe()},
            {"max_flip_rate", c_.max_flip_rate < 0 ? json(nullptr) : json(c_.max_flip_rate)},
            {"max_abs_err", c_.max_abs_err < 0 ? json(nullptr) : json(c_.max_abs_err)},
            {"near_tie_rule", "margin < 1e-3 * max|reference logit|"},
            {"cache", cache_.empty() ? json(nullptr) : json(cache_)}}},
          {"model", {{"path", c_.model}, {"fnv1a64", model_hash_}, {"name", graph_->name}, {"input", input_name_}}},
          {"dataset",
           {{"source", data_.source},
            {"kind", data_.kind},
            {"items", data_.size()},
            {"has_labels", data_.has_labels},
            {"label_offset", data_.label_offset},
            {"class_names", data_.class_names},
            {"fnv1a64", fnv1a64_hex(ids.data(), ids.size())}}},
          {"reference", reference_summary(records_, data_.has_labels)},
          {"cache", {{"hits", cache_hits_.load()}, {"misses", cache_misses_.load()}}},
          {"variants", vars},
          {"inputs", input_outcomes(records_, ok_names)},
          {"errors", errors},
          {"environment", environment()}};
}

// --explain K: the first K flipped inputs of each variant, layer by layer (diff/blame.h). Variants
// with their own model or preprocessing do not line up with the reference's layers and are skipped.
std::vector<std::vector<std::string>> Study::explain_flips(const json& results) {
  std::vector<std::vector<std::string>> rows;
  if (c_.explain <= 0) return rows;
  std::vector<std::map<std::string, Tensor>> calib;
  for (size_t i = 0; i < data_.size() && calib.size() < 16; ++i) {
    try {
      calib.push_back({{input_name_, data_.load(i, pre_)}});
    } catch (const Error&) {
    }
  }
  for (const auto& v : variants_) {
    if (!v.spec.model.empty() || v.own_inputs) continue;
    for (const auto& rv : results["variants"]) {
      if (rv["name"] != v.spec.name || !rv.contains("metrics")) continue;
      int done = 0;
      for (const auto& f : rv["metrics"]["flip_list"]) {
        if (done++ >= c_.explain) break;
        const size_t idx = f["index"].get<size_t>();
        try {
          ExplainResult er = explain(graph_, v.spec, {{input_name_, data_.load(idx, pre_)}}, calib);
          for (size_t k = 0; k < er.layers.size(); ++k) {
            const LayerError& l = er.layers[k];
            if (!l.captured) continue;
            rows.push_back({v.spec.name, f["id"].get<std::string>(), l.node, l.op, fmt::format("{:.2f}", l.sqnr_db),
                            fmt::format("{:.4e}", l.rel_l2), fmt::format("{:.4e}", l.max_abs),
                            static_cast<int>(k) == er.first_diverging ? "1" : "0"});
          }
        } catch (const Error& e) {
          std::fprintf(stderr, "flipscope: study: explain %s on %s: %s\n", v.spec.name.c_str(),
                       f["id"].get<std::string>().c_str(), e.what());
        }
      }
    }
  }
  return rows;
}

void Study::write_reports(const json& results) {
  write_atomic(c_.out + "/results.json", results.dump(1));
  write_atomic(c_.out + "/flips.csv", flips_csv(results));
  write_atomic(c_.out + "/timing.csv", timing_csv(results));
  write_atomic(c_.out + "/layers.csv", layers_csv(explain_flips(results)));
  write_atomic(c_.out + "/report.html", render_report_html(results, data_));
}

int Study::run() {
  if (c_.out.empty()) fail(ErrorKind::InvalidInput, "--out: an output folder is required");
  if (c_.batch < 1) fail(ErrorKind::InvalidInput, "--batch must be at least 1");
  graph_ = load_model(c_.model);
  std::string bytes = model_bytes(c_.model);
  model_hash_ = fnv1a64_hex(bytes.data(), bytes.size());
  SessionOptions so;
  so.backend = "reference";
  int workers =
      c_.ref_threads > 0 ? c_.ref_threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int w = 0; w < workers; ++w) refs_.push_back(std::make_unique<Session>(graph_, so));
  auto names = refs_[0]->input_names();
  if (names.size() != 1)
    fail(ErrorKind::Unsupported,
         fmt::format("{}: the model has {} inputs; studies need exactly 1", c_.model, names.size()));
  input_name_ = names[0];
  pre_ = Preprocess::from_preset(!c_.preset.empty() ? c_.preset : c_.model == kDefaultModelName ? "mnist" : "imagenet");
  for (const auto& kv : c_.sets) pre_.set(kv);
  const Value& in = graph_->value(graph_->find_value(input_name_));
  if (in.shape) pre_.fit_to_input(*in.shape);
  data_ = open_dataset(c_.data);
  specs_ = c_.variants.empty() ? std::vector<VariantSpec>{parse_variant("cpu-O0=cpu:O0:fp32")} : c_.variants;
  std::set<std::string> seen;
  for (const auto& v : specs_)
    if (!seen.insert(v.name).second)
      fail(ErrorKind::InvalidInput, "--variant: the name '" + v.name + "' is used twice");
  cache_ = c_.cache_dir == "off" ? "" : cache_root(c_.cache_dir);
  if (!cache_.empty()) stdfs::create_directories(cache_);
  stdfs::create_directories(c_.out);

  // int8 calibration: the first 16 inputs that load.
  std::vector<std::map<std::string, Tensor>> calib;
  for (size_t i = 0; i < data_.size() && calib.size() < 16; ++i) {
    try {
      calib.push_back({{input_name_, data_.load(i, pre_)}});
    } catch (const Error&) {
    }
  }
  for (const auto& spec : specs_) {
    try {
      PreparedVariant p = prepare_variant(spec, graph_, pre_, calib);
      if (!calib.empty()) {  // warm-up (plans memory, packs weights): not timed
        try {
          Tensor w = p.own_inputs ? data_.load(0, p.preprocess) : calib[0].begin()->second;
          p.session->run({{p.input_name, w}});
        } catch (const Error&) {
          // an input or run error: recorded per input when the study runs the variant
        }
      }
      variants_.push_back(std::move(p));
    } catch (const Error& e) {
      std::fprintf(stderr, "flipscope: study: %s (recorded; the study goes on)\n", e.what());
      variant_errors_.push_back(
          {{"kind", "variant"}, {"variant", spec.name}, {"spec", spec.spec()}, {"reason", e.what()}});
    }
  }
  open_records();
  Progress prog;
  prog.on = c_.progress;
  prog.total = data_.size();
  // Blocks of whole batches: the reference of a block's pending inputs runs in parallel, then each batch of
  // the block runs on every variant. Batches are aligned to multiples of --batch, so a resumed study runs
  // the same batches as an uninterrupted one.
  const size_t B = static_cast<size_t>(c_.batch), block = B * std::max<size_t>(1, (64 + B - 1) / B);
  for (size_t b0 = 0; b0 < data_.size(); b0 += block) {
    size_t b1 = std::min(data_.size(), b0 + block);
    std::vector<std::pair<size_t, size_t>> chunks;
    std::vector<size_t> pending;
    for (size_t b = b0; b < b1; b += B) {
      size_t e = std::min(b1, b + B);
      if (c_.resume && chunk_done(b, e)) continue;
      chunks.push_back({b, e});
      for (size_t i = b; i < e; ++i) pending.push_back(i);
    }
    auto loaded = load_inputs(pending);
    size_t k = 0;
    for (const auto& [b, e] : chunks) {
      std::vector<Loaded> chunk(std::make_move_iterator(loaded.begin() + static_cast<std::ptrdiff_t>(k)),
                                std::make_move_iterator(loaded.begin() + static_cast<std::ptrdiff_t>(k + e - b)));
      k += e - b;
      run_chunk(chunk);
    }
    prog.show(b1);
  }
  rec_out_.close();
  std::vector<std::string> ok_names;
  for (const auto& v : variants_) ok_names.push_back(v.spec.name);
  json results = results_json(ok_names);
  write_reports(results);
  if (!c_.quiet) {
    std::cout << fmt::format("study: {} inputs ({} errors), reference accuracy {}, cache {} hits / {} computed\n",
                             data_.size(), results["errors"].size() - variant_errors_.size(),
                             results["reference"]["accuracy"].is_null()
                                 ? std::string("-")
                                 : fmt::format("{:.2f}%", 100 * results["reference"]["accuracy"].get<double>()),
                             cache_hits_.load(), cache_misses_.load());
    std::cout << summary_table(results);
    std::cout << "wrote " << c_.out << "/{results.json,records.jsonl,flips.csv,timing.csv,layers.csv,report.html}\n";
  }
  int rc = 0;
  for (const auto& v : results["variants"]) {
    if (v["status"] != "ok") continue;
    if (v["metrics"]["exceeds_max_flip_rate"].get<bool>()) {
      std::fprintf(stderr, "flipscope: study: variant %s: flip rate %.4g exceeds --max-flip-rate %g\n",
                   v["name"].get<std::string>().c_str(), v["metrics"]["flip_rate"].get<double>(), c_.max_flip_rate);
      rc = 1;
    }
    if (v["metrics"]["exceeds_max_abs_err"].get<bool>()) {
      std::fprintf(stderr, "flipscope: study: variant %s: max abs error %.4g exceeds --max-abs-err %g\n",
                   v["name"].get<std::string>().c_str(), v["metrics"]["max_abs"].get<double>(), c_.max_abs_err);
      rc = 1;
    }
  }
  return rc;
}

}  // namespace

int run_study(const StudyConfig& c) { return Study(c).run(); }

}  // namespace fs
