// Study files (JSON): the study's model, data and variants, listed or as a matrix (see study.h).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "diff/study.h"

namespace fs {

using nlohmann::json;

std::vector<VariantSpec> expand_matrix(const json& matrix, const std::string& what) {
  if (!matrix.is_object()) fail(ErrorKind::InvalidInput, what + ": \"matrix\" must be an object of lists");
  static const std::vector<std::string> axes{"backend", "passes", "precision", "threads", "model", "preset", "interp"};
  for (const auto& [k, v] : matrix.items())
    if (std::find(axes.begin(), axes.end(), k) == axes.end())
      fail(ErrorKind::InvalidInput,
           fmt::format("{}: matrix axis '{}' is unknown (backend, passes, precision, threads, model, preset, interp)",
                       what, k));
  auto values = [&](const std::string& axis, std::vector<std::string> dflt) {
    if (!matrix.contains(axis)) return dflt;
    const json& a = matrix[axis];
    if (!a.is_array() || a.empty())
      fail(ErrorKind::InvalidInput, fmt::format("{}: matrix axis '{}' must be a non-empty list", what, axis));
    std::vector<std::string> r;
    for (const auto& x : a) r.push_back(x.is_string() ? x.get<std::string>() : x.dump());
    return r;
  };
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;
  for (const auto& axis : axes) {
    bool fixed = axis == "backend" || axis == "passes" || axis == "precision";
    std::vector<std::string> dflt = axis == "backend"     ? std::vector<std::string>{"cpu"}
                                    : axis == "passes"    ? std::vector<std::string>{"O0"}
                                    : axis == "precision" ? std::vector<std::string>{"fp32"}
                                                          : std::vector<std::string>{};
    auto v = values(axis, dflt);
    if (!v.empty() || fixed) grid.push_back({axis, v});
  }
  std::vector<VariantSpec> out;
  std::vector<size_t> pos(grid.size(), 0);
  for (;;) {
    std::string spec, name;
    std::string extra;
    for (size_t a = 0; a < grid.size(); ++a) {
      const auto& [axis, vals] = grid[a];
      const std::string& val = vals[pos[a]];
      if (axis == "backend" || axis == "passes" || axis == "precision") {
        spec += (spec.empty() ? "" : ":") + val;
      } else {
        extra += ":" + axis + "=" + val;
      }
      // Names: joined values; threads as tN, model as its file stem.
      std::string part = axis == "threads" ? "t" + val : val;
      if (axis == "model")
        part = std::filesystem::path(val).parent_path().filename().string() + "-" +
               std::filesystem::path(val).stem().string();
      for (char& ch : part)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) ch = '_';
      name += (name.empty() ? "" : "-") + part;
    }
    out.push_back(parse_variant(name + "=" + spec + extra));
    size_t a = grid.size();
    while (a > 0) {
      --a;
      if (++pos[a] < grid[a].second.size()) break;
      pos[a] = 0;
      if (a == 0) return out;
    }
    if (grid.empty()) return out;
  }
}

void read_study_file(const std::string& path, StudyConfig& c, bool model_given, bool images_given) {
  std::ifstream f(path);
  if (!f) fail(ErrorKind::InvalidInput, path + ": cannot open study file (--study)");
  json j;
  try {
    j = json::parse(f);
  } catch (const json::exception& e) {
    fail(ErrorKind::InvalidInput, fmt::format("{}: not valid JSON (YAML is not supported): {}", path, e.what()));
  }
  if (!j.is_object()) fail(ErrorKind::InvalidInput, path + ": a study file is a JSON object");
  try {
    if (!model_given && j.contains("model")) c.model = j["model"];
    if (!images_given && j.contains("images")) c.data.images = j["images"];
    if (c.data.labels.empty() && j.contains("labels")) c.data.labels = j["labels"];
    if (c.data.classes.empty() && j.contains("classes")) c.data.classes = j["classes"];
    if (c.data.label_offset == 0 && j.contains("label_offset")) c.data.label_offset = j["label_offset"];
    if (c.preset.empty() && j.contains("preset")) c.preset = j["preset"];
    if (j.contains("variants")) {
      const json& v = j["variants"];
      if (v.is_object()) {
        for (const auto& [name, spec] : v.items())
          c.variants.push_back(parse_variant(name + "=" + spec.get<std::string>()));
      } else if (v.is_array()) {
        for (const auto& spec : v) c.variants.push_back(parse_variant(spec.get<std::string>()));
      } else {
        fail(ErrorKind::InvalidInput, path + ": \"variants\" must be an object {name: spec} or a list of specs");
      }
    }
    if (j.contains("matrix")) {
      auto m = expand_matrix(j["matrix"], path);
      c.variants.insert(c.variants.end(), m.begin(), m.end());
    }
  } catch (const json::exception& e) {
    fail(ErrorKind::InvalidInput, fmt::format("{}: {}", path, e.what()));
  } catch (const Error& e) {
    throw e.with_prefix(path);
  }
}

}  // namespace fs
