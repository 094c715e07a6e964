// Study files (JSON or YAML, one schema): the study's model, data and variants, listed or as a matrix
// (see study.h). YAML is converted to the same JSON tree, so one validator gives one set of messages.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "diff/study.h"

namespace fs {

using nlohmann::json;

namespace {

// Where a key of the study file is, as a message prefix: "file" for JSON, "file:line:column" for
// YAML (1-based, from yaml-cpp's marks), by JSON pointer ("/matrix/threads", "/variants/2").
using Locator = std::function<std::string(const std::string& pointer)>;

std::string pointer_token(const std::string& key) {
  std::string t;
  for (char ch : key) t += ch == '~' ? std::string("~0") : ch == '/' ? std::string("~1") : std::string(1, ch);
  return t;
}

// A plain (unquoted) YAML scalar typed as YAML 1.2's core schema does: null, bool, int, float,
// else string. Quoted scalars are strings.
json yaml_scalar(const YAML::Node& n) {
  const std::string& v = n.Scalar();
  if (n.Tag() == "!") return v;
  if (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
  if (v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "false" || v == "False" || v == "FALSE") return false;
  static const std::regex int_re("[-+]?[0-9]+"), float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(v, int_re)) {
    errno = 0;
    long long x = std::strtoll(v.c_str(), nullptr, 10);
    if (errno == 0) return x;
  }
  if (std::regex_match(v, float_re)) return std::strtod(v.c_str(), nullptr);
  return v;
}

std::string at(const std::string& path, const YAML::Mark& m) {
  return m.is_null() ? path : fmt::format("{}:{}:{}", path, m.line + 1, m.column + 1);
}

// The YAML tree as the JSON the one validator reads; `marks` gets each key's and item's position.
json yaml_to_json(const YAML::Node& n, const std::string& ptr, const std::string& path,
                  std::map<std::string, YAML::Mark>& marks) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return yaml_scalar(n);
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (size_t i = 0; i < n.size(); ++i) {
        const std::string p = ptr + "/" + std::to_string(i);
        marks[p] = n[i].Mark();
        a.push_back(yaml_to_json(n[i], p, path, marks));
      }
      return a;
    }
    case YAML::NodeType::Map: {
      json o = json::object();
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar())
          fail(ErrorKind::InvalidInput, at(path, it->first.Mark()) + ": a key must be a plain string");
        const std::string key = it->first.Scalar();
        const std::string p = ptr + "/" + pointer_token(key);
        if (o.contains(key))
          fail(ErrorKind::InvalidInput, at(path, it->first.Mark()) + ": duplicate key '" + key + "'");
        marks[p] = it->first.Mark();
        o[key] = yaml_to_json(it->second, p, path, marks);
      }
      return o;
    }
  }
  return nullptr;
}

bool is_yaml(const std::string& path, const std::string& text) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".yaml" || ext == ".yml") return true;
  if (ext == ".json") return false;
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first == std::string::npos || (text[first] != '{' && text[first] != '[');  // sniff: JSON starts so
}

const std::vector<std::string>& study_keys() {
  static const std::vector<std::string> k{"model",        "images", "labels",   "classes",
                                          "label_offset", "preset", "variants", "matrix"};
  return k;
}

std::vector<VariantSpec> expand(const json& matrix, const Locator& where) {
  if (!matrix.is_object()) fail(ErrorKind::InvalidInput, where("/matrix") + ": \"matrix\" must be an object of lists");
  static const std::vector<std::string> axes{"backend", "passes", "precision", "threads", "model", "preset", "interp"};
  for (const auto& [k, v] : matrix.items())
    if (std::find(axes.begin(), axes.end(), k) == axes.end())
      fail(ErrorKind::InvalidInput,
           fmt::format("{}: matrix axis '{}' is unknown (backend, passes, precision, threads, model, preset, interp)",
                       where("/matrix/" + pointer_token(k)), k));
  auto values = [&](const std::string& axis, std::vector<std::string> dflt) {
    if (!matrix.contains(axis)) return dflt;
    const json& a = matrix[axis];
    if (!a.is_array() || a.empty())
      fail(ErrorKind::InvalidInput,
           fmt::format("{}: matrix axis '{}' must be a non-empty list", where("/matrix/" + axis), axis));
    std::vector<std::string> r;
    for (const auto& x : a) {
      if (!x.is_string() && !x.is_number_integer())
        fail(ErrorKind::InvalidInput, fmt::format("{}: matrix axis '{}': {} is not a string or an integer",
                                                  where("/matrix/" + axis), axis, x.dump()));
      r.push_back(x.is_string() ? x.get<std::string>() : x.dump());
    }
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
    try {
      out.push_back(parse_variant(name + "=" + spec + extra));
    } catch (const Error& e) {
      throw e.with_prefix(where("/matrix"));
    }
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

}  // namespace

std::vector<VariantSpec> expand_matrix(const json& matrix, const std::string& what) {
  return expand(matrix, [&](const std::string&) { return what; });
}

void read_study_file(const std::string& path, StudyConfig& c, bool model_given, bool images_given) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(ErrorKind::InvalidInput, path + ": cannot open study file (--study)");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  json j;
  std::map<std::string, YAML::Mark> marks;
  const bool yaml = is_yaml(path, text);
  if (yaml) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      fail(ErrorKind::InvalidInput, fmt::format("{}: not valid YAML: {}", at(path, e.mark), e.msg));
    }
    j = yaml_to_json(root, "", path, marks);
  } else {
    try {
      j = json::parse(text);
    } catch (const json::exception& e) {
      fail(ErrorKind::InvalidInput, fmt::format("{}: not valid JSON: {}", path, e.what()));
    }
  }
  // The one validator for both formats; YAML errors also carry the key's line and column.
  const Locator where = [&](const std::string& ptr) {
    auto it = marks.find(ptr);
    return it == marks.end() ? path : at(path, it->second);
  };
  if (!j.is_object())
    fail(ErrorKind::InvalidInput, path + ": a study file is a " + (yaml ? "YAML mapping" : "JSON object") +
                                      " of model, images, ..., variants, matrix");
  for (const auto& [k, v] : j.items())
    if (std::find(study_keys().begin(), study_keys().end(), k) == study_keys().end())
      fail(ErrorKind::InvalidInput, fmt::format("{}: unknown key '{}' (expected: {})", where("/" + pointer_token(k)), k,
                                                fmt::join(study_keys(), ", ")));
  auto str = [&](const std::string& key) {
    const json& v = j[key];
    if (!v.is_string()) fail(ErrorKind::InvalidInput, fmt::format("{}: '{}' must be a string", where("/" + key), key));
    return v.get<std::string>();
  };
  if (!model_given && j.contains("model")) c.model = str("model");
  if (!images_given && j.contains("images")) c.data.images = str("images");
  if (c.data.labels.empty() && j.contains("labels")) c.data.labels = str("labels");
  if (c.data.classes.empty() && j.contains("classes")) c.data.classes = str("classes");
  if (c.preset.empty() && j.contains("preset")) c.preset = str("preset");
  if (j.contains("label_offset")) {
    const json& v = j["label_offset"];
    if (!v.is_number_integer() || v.get<long long>() < 0)
      fail(ErrorKind::InvalidInput,
           fmt::format("{}: 'label_offset' must be a non-negative integer", where("/label_offset")));
    if (c.data.label_offset == 0) c.data.label_offset = v.get<int>();
  }
  auto variant = [&](const std::string& text, const std::string& ptr) {
    try {
      return parse_variant(text);
    } catch (const Error& e) {
      throw e.with_prefix(where(ptr));
    }
  };
  if (j.contains("variants")) {
    const json& v = j["variants"];
    if (v.is_object()) {
      for (const auto& [name, spec] : v.items()) {
        if (!spec.is_string())
          fail(ErrorKind::InvalidInput, fmt::format("{}: variant '{}': the spec must be a string",
                                                    where("/variants/" + pointer_token(name)), name));
        c.variants.push_back(variant(name + "=" + spec.get<std::string>(), "/variants/" + pointer_token(name)));
      }
    } else if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string ptr = "/variants/" + std::to_string(i);
        if (!v[i].is_string())
          fail(ErrorKind::InvalidInput, fmt::format("{}: 'variants' item {} must be a string", where(ptr), i));
        c.variants.push_back(variant(v[i].get<std::string>(), ptr));
      }
    } else {
      fail(ErrorKind::InvalidInput,
           where("/variants") + ": 'variants' must be a mapping {name: spec} or a list of specs");
    }
  }
  if (j.contains("matrix")) {
    auto m = expand(j["matrix"], where);
    c.variants.insert(c.variants.end(), m.begin(), m.end());
  }
}

}  // namespace fs
