// Per-variant metrics, per-input outcomes, CSV files and the summary table of a study.
#include "diff/study_results.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "diff/metrics.h"
#include "engine/error.h"

namespace fs {

using nlohmann::json;

std::string fnv1a64_hex(const void* data, size_t n, uint64_t seed) {
  uint64_t h = seed;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

json summarise_variant(const std::string& name, const RecordMap& records, bool has_labels) {
  int64_t n = 0, flips = 0, errors = 0, near = 0, labelled = 0, ref_ok = 0, var_ok = 0, c2w = 0, w2c = 0;
  double max_abs = 0, max_rel = 0, kl_sum = 0, kl_max = 0, cos_min = 1, cos_sum = 0, ov_sum = 0;
  std::vector<double> ms, margins;
  json flip_list = json::array();
  for (const auto& [key, r] : records) {
    if (key.second != name) continue;
    if (r.contains("error")) {
      ++errors;
      continue;
    }
    ++n;
    int64_t rt = r["ref"]["top"][0], vt = r["var"]["top"][0];
    double m = r["ref"]["margin"];
    bool nt = r["ref"]["near_tie"];
    if (rt != vt) {
      ++flips;
      margins.push_back(m);
      if (nt) ++near;
      flip_list.push_back({{"index", key.first},
                           {"id", r["id"]},
                           {"label", r["label"]},
                           {"ref_top1", rt},
                           {"var_top1", vt},
                           {"margin", m},
                           {"near_tie", nt},
                           {"max_abs", r["max_abs"]},
                           {"ref_top5", {{"top", r["ref"]["top"]}, {"scores", r["ref"]["scores"]}}},
                           {"var_top5", {{"top", r["var"]["top"]}, {"scores", r["var"]["scores"]}}}});
    }
    int64_t label = r["label"];
    if (label >= 0) {
      ++labelled;
      bool a = rt == label, b = vt == label;
      ref_ok += a;
      var_ok += b;
      c2w += a && !b;
      w2c += !a && b;
    }
    max_abs = std::max(max_abs, r["max_abs"].get<double>());
    max_rel = std::max(max_rel, r["max_rel"].get<double>());
    double kl = r["kl"];
    kl_sum += kl;
    kl_max = std::max(kl_max, kl);
    double cs = r["cosine"];
    cos_min = std::min(cos_min, cs);
    cos_sum += cs;
    ov_sum += r["top5_overlap"].get<double>();
    ms.push_back(r["ms"]);
  }
  auto ci = wilson95(flips, n);
  json s = {{"inputs", n},
            {"input_errors", errors},
            {"flips", flips},
            {"flip_rate", n ? static_cast<double>(flips) / static_cast<double>(n) : 0.0},
            {"flip_rate_ci95", {ci.lo, ci.hi}},
            {"flips_near_tie", near},
            {"flips_large_margin", flips - near},
            {"flip_margins", margins},
            {"top5_overlap_mean", n ? ov_sum / static_cast<double>(n) : 1.0},
            {"kl_mean", n ? kl_sum / static_cast<double>(n) : 0.0},
            {"kl_max", kl_max},
            {"max_abs", max_abs},
            {"max_rel", max_rel},
            {"cosine_min", cos_min},
            {"cosine_mean", n ? cos_sum / static_cast<double>(n) : 1.0},
            {"time_ms_median", ms.empty() ? json(nullptr) : json(median(ms))},
            {"time_ms_p90", ms.empty() ? json(nullptr) : json(quantile(ms, 0.9))},
            {"flip_list", flip_list}};
  if (has_labels && labelled > 0) {
    double ra = static_cast<double>(ref_ok) / static_cast<double>(labelled);
    double va = static_cast<double>(var_ok) / static_cast<double>(labelled);
    auto aci = wilson95(var_ok, labelled);
    s["accuracy"] = {{"labelled", labelled},    {"reference", ra},
                     {"variant", va},           {"variant_ci95", {aci.lo, aci.hi}},
                     {"delta", va - ra},        {"correct_to_wrong", c2w},
                     {"wrong_to_correct", w2c}, {"mcnemar_p", mcnemar_exact(c2w, w2c)}};
  } else {
    s["accuracy"] = nullptr;
  }
  return s;
}

json input_outcomes(const RecordMap& records, const std::vector<std::string>& variants) {
  std::map<int64_t, json> by_input;
  for (const auto& [key, r] : records) {
    json& o = by_input[key.first];
    if (o.is_null())
      o = {{"index", key.first}, {"id", r["id"]}, {"label", r.value("label", -1)}, {"variants", json::object()}};
    if (key.second.empty()) {
      o["error"] = r["error"];
      continue;
    }
    if (std::find(variants.begin(), variants.end(), key.second) == variants.end()) continue;
    if (r.contains("error")) {
      o["variants"][key.second] = {{"error", r["error"]}};
      continue;
    }
    o["ref_top1"] = r["ref"]["top"][0];
    o["ref_margin"] = r["ref"]["margin"];
    o["near_tie"] = r["ref"]["near_tie"];
    o["variants"][key.second] = r["var"]["top"][0];
  }
  json a = json::array();
  for (auto& [i, o] : by_input) a.push_back(std::move(o));
  return a;
}

json reference_summary(const RecordMap& records, bool has_labels) {
  std::map<int64_t, std::pair<int64_t, int64_t>> ref;  // input -> (top1, label)
  for (const auto& [key, r] : records)
    if (!key.second.empty() && !r.contains("error")) ref[key.first] = {r["ref"]["top"][0], r["label"]};
  int64_t labelled = 0, ok = 0;
  for (const auto& [i, p] : ref)
    if (p.second >= 0) {
      ++labelled;
      ok += p.first == p.second;
    }
  json s = {{"backend", "reference"}, {"passes", "O0"}, {"precision", "fp32"}, {"inputs", ref.size()}};
  if (has_labels && labelled) {
    auto ci = wilson95(ok, labelled);
    s["accuracy"] = static_cast<double>(ok) / static_cast<double>(labelled);
    s["accuracy_ci95"] = {ci.lo, ci.hi};
    s["labelled"] = labelled;
  } else {
    s["accuracy"] = nullptr;
  }
  return s;
}

void write_atomic(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) fail(ErrorKind::InvalidInput, tmp + ": cannot write");
    f << text;
    f.flush();
    if (!f) fail(ErrorKind::InvalidInput, tmp + ": write failed");
  }
  std::filesystem::rename(tmp, path);
}

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string r = "\"";
  for (char c : s) r += c == '"' ? std::string("\"\"") : std::string(1, c);
  return r + "\"";
}
std::string num(const json& v) {
  return v.is_null() ? "" : v.is_number_float() ? fmt::format("{:.6g}", v.get<double>()) : v.dump();
}
}  // namespace

std::string flips_csv(const json& results) {
  std::string s = "variant,index,id,label,ref_top1,ref_class,var_top1,var_class,ref_margin,near_tie,max_abs\n";
  const json& names = results["dataset"]["class_names"];
  auto cls = [&](int64_t c) {
    int64_t k = c - results["dataset"]["label_offset"].get<int64_t>();
    return k >= 0 && k < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(k)].get<std::string>() : "";
  };
  for (const auto& v : results["variants"]) {
    if (v["status"] != "ok") continue;
    for (const auto& f : v["metrics"]["flip_list"])
      s += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(v["name"]), f["index"].get<int64_t>(),
                       csv_field(f["id"]), f["label"].get<int64_t>(), f["ref_top1"].get<int64_t>(),
                       csv_field(cls(f["ref_top1"])), f["var_top1"].get<int64_t>(), csv_field(cls(f["var_top1"])),
                       num(f["margin"]), f["near_tie"].get<bool>() ? 1 : 0, num(f["max_abs"]));
  }
  return s;
}

std::string timing_csv(const json& results) {
  std::string s = "variant,spec,inputs,median_ms,p90_ms,ratio_to_baseline\n";
  for (const auto& v : results["variants"]) {
    if (v["status"] != "ok") continue;
    const json& m = v["metrics"];
    s += fmt::format("{},{},{},{},{},{}\n", csv_field(v["name"]), csv_field(v["spec"]), m["inputs"].get<int64_t>(),
                     num(m["time_ms_median"]), num(m["time_ms_p90"]), num(m["time_ratio"]));
  }
  return s;
}

std::string layers_csv(const std::vector<std::vector<std::string>>& rows) {
  std::string s = "variant,input,layer,op,sqnr_db,rel_l2,max_abs,first_over_tolerance\n";
  for (const auto& r : rows) {
    std::string line;
    for (const auto& f : r) line += (line.empty() ? "" : ",") + csv_field(f);
    s += line + "\n";
  }
  return s;
}

std::string summary_table(const json& results) {
  std::string s = fmt::format("{:<16} {:>6} {:>8} {:<17} {:>7} {:>7} {:>8} {:>10} {:>9} {:>6}\n", "variant", "flips",
                              "rate", "[95% CI]", "acc", "Δacc", "p", "max abs", "median ms", "ratio");
  auto pct = [](double x) { return fmt::format("{:.2f}%", 100 * x); };
  for (const auto& v : results["variants"]) {
    std::string name = v["name"];
    if (v["status"] != "ok") {
      s += fmt::format("{:<16} error: {}\n", name, v["error"].get<std::string>());
      continue;
    }
    const json& m = v["metrics"];
    const json& a = m["accuracy"];
    std::string acc = a.is_null() ? "-" : pct(a["variant"]);
    std::string dacc = a.is_null() ? "-" : fmt::format("{:+.2f}", 100 * a["delta"].get<double>());
    std::string p = a.is_null() ? "-" : fmt::format("{:.3g}", a["mcnemar_p"].get<double>());
    std::string ci = fmt::format("[{:.2f},{:.2f}]%", 100 * m["flip_rate_ci95"][0].get<double>(),
                                 100 * m["flip_rate_ci95"][1].get<double>());
    std::string med = m["time_ms_median"].is_null() ? "-" : fmt::format("{:.3f}", m["time_ms_median"].get<double>());
    std::string ratio = m["time_ratio"].is_null() ? "-" : fmt::format("{:.2f}x", m["time_ratio"].get<double>());
    s += fmt::format("{:<16} {:>6} {:>8} {:<17} {:>7} {:>7} {:>8} {:>10.3g} {:>9} {:>6}\n", name,
                     m["flips"].get<int64_t>(), pct(m["flip_rate"]), ci, acc, dacc, p, m["max_abs"].get<double>(), med,
                     ratio);
  }
  return s;
}

}  // namespace fs
