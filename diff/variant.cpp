// Variant specs and their preparation (see variant.h).
#include "diff/variant.h"

#include <fmt/format.h>

#include <charconv>

#include "diff/default_model.h"
#include "engine/kernel_registry.h"

namespace fs {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> r;
  size_t b = 0;
  for (;;) {
    size_t e = s.find(sep, b);
    r.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) return r;
    b = e + 1;
  }
}

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  fail(ErrorKind::InvalidInput,
       fmt::format("--variant {}: {} (expected name=backend:passes:precision[:threads=N][:model=PATH][:preset=P]"
                   "[:interp=X][:calibration=M], e.g. fp16=cpu:O3:fp16)",
                   text, why));
}

}  // namespace

std::string VariantSpec::spec() const {
  std::string s = backend + ":" + passes + ":" + precision;
  if (threads != 1) s += fmt::format(":threads={}", threads);
  if (!model.empty()) s += ":model=" + model;
  if (!preset.empty()) s += ":preset=" + preset;
  if (!interp.empty()) s += ":interp=" + interp;
  if (!calibration.empty()) s += ":calibration=" + calibration;
  return s;
}

VariantSpec parse_variant(const std::string& text) {
  VariantSpec v;
  std::string body = text;
  auto eq = text.find('=');
  auto colon = text.find(':');
  if (eq != std::string::npos && (colon == std::string::npos || eq < colon)) {
    v.name = text.substr(0, eq);
    body = text.substr(eq + 1);
    if (v.name.empty()) bad(text, "empty name before '='");
    for (char c : v.name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
        bad(text, fmt::format("name '{}' may only hold letters, digits, '-', '_' and '.'", v.name));
  }
  auto parts = split(body, ':');
  if (parts.size() < 3) bad(text, fmt::format("{} field(s), need at least backend:passes:precision", parts.size()));
  v.backend = parts[0];
  v.passes = parts[1];
  v.precision = parts[2];
  if (v.backend.empty()) bad(text, "empty backend");
  if (v.passes.empty()) bad(text, "empty passes (use O0 or none for no pass)");
  static const std::vector<std::string> precisions{"fp32", "fp16", "bf16", "int8", "fp16-accumulate"};
  if (std::find(precisions.begin(), precisions.end(), v.precision) == precisions.end())
    bad(text, fmt::format("unknown precision '{}' (fp32, fp16, bf16, int8, fp16-accumulate)", v.precision));
  for (size_t i = 3; i < parts.size(); ++i) {
    auto e = parts[i].find('=');
    if (e == std::string::npos) bad(text, fmt::format("option '{}' is not key=value", parts[i]));
    std::string key = parts[i].substr(0, e), val = parts[i].substr(e + 1);
    if (val.empty()) bad(text, fmt::format("option '{}' has an empty value", key));
    if (key == "threads") {
      int n = 0;
      auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), n);
      if (ec != std::errc() || p != val.data() + val.size() || n < 1 || n > 1024)
        bad(text, fmt::format("threads={}: expected a whole number from 1 to 1024", val));
      v.threads = n;
    } else if (key == "model") {
      v.model = val;
    } else if (key == "preset") {
      v.preset = val;
    } else if (key == "interp") {
      v.interp = val;
    } else if (key == "calibration") {
      if (val != "minmax" && val != "percentile" && val != "entropy")
        bad(text, fmt::format("calibration={}: expected minmax, percentile or entropy", val));
      v.calibration = val;
    } else {
      bad(text, fmt::format("unknown option '{}' (threads, model, preset, interp, calibration)", key));
    }
  }
  if (v.name.empty()) v.name = v.spec();
  return v;
}

PreparedVariant prepare_variant(const VariantSpec& v, const std::shared_ptr<Graph>& study_graph,
                                const Preprocess& study_pre,
                                const std::vector<std::map<std::string, Tensor>>& calibration) {
  try {
    auto backends = KernelRegistry::instance().backends();
    if (std::find(backends.begin(), backends.end(), v.backend) == backends.end()) {
      std::string avail;
      for (const auto& b : backends) avail += (avail.empty() ? "" : ", ") + b;
      fail(ErrorKind::InvalidInput, fmt::format("unknown backend '{}' (available: {})", v.backend, avail));
    }
    PreparedVariant p;
    p.spec = v;
    std::shared_ptr<Graph> g = v.model.empty() ? study_graph : load_model(v.model);
    OptimizeOptions oo;
    oo.backend = v.backend;
    oo.precision = v.precision;
    oo.calibration = calibration;  // int8 precision, or an int8 pass named in the pipeline
    if (!v.calibration.empty()) oo.calibration_method = v.calibration;
    OptimizeResult r = optimize(*g, parse_pipeline(v.passes), oo);
    p.graph = r.graph;
    p.passes = r.passes;
    p.rewrites = r.rewrites.size();
    SessionOptions so;
    so.backend = v.backend;
    so.threads = v.threads;
    p.session = std::make_unique<Session>(p.graph, so);
    auto inputs = p.session->input_names();
    if (inputs.size() != 1)
      fail(ErrorKind::Unsupported, fmt::format("the model has {} inputs; studies need exactly 1", inputs.size()));
    p.input_name = inputs[0];
    p.preprocess = study_pre;
    if (!v.preset.empty()) p.preprocess = Preprocess::from_preset(v.preset);
    if (!v.preset.empty() || !v.model.empty()) {  // another preset or model: fit to this model's input
      const Value& in = p.graph->value(p.graph->find_value(p.input_name));
      if (in.shape) p.preprocess.fit_to_input(*in.shape);
    }
    if (!v.interp.empty()) p.preprocess.set("interp=" + v.interp);
    p.own_inputs = p.preprocess.describe() != study_pre.describe();
    return p;
  } catch (const Error& e) {
    throw e.with_prefix("variant " + v.name);
  }
}

}  // namespace fs
