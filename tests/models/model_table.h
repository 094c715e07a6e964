// The pretrained models of shared/models with the preprocessing preset and label offset their READMEs
// define, and how tests find the shared/ folder (FLIPSCOPE_SHARED, else next to the source tree).
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs::test {

struct ModelEntry {
  std::string name;    // folder under shared/models
  std::string preset;  // README "Preprocessing" (with the model-specific input mapping)
  int label_offset;    // output index i is ImageNet class i - offset
};

// GoogleTest prints parameters with this (instead of their bytes).
inline void PrintTo(const ModelEntry& m, std::ostream* os) { *os << m.name << " (" << m.preset << ")"; }

inline const std::vector<ModelEntry>& model_table() {
  static const std::vector<ModelEntry> t = {
      {"squeezenet1.1", "imagenet-caffe", 0},
      {"mobilenet_v1_0.25_128", "inception-uint8", 1},
      {"mobilenet_v1_0.75_192", "inception-uint8", 1},
      {"mobilenet_v2_1.0_224", "inception-uint8", 1},
      {"mobilenet_v3_small_1.0_224", "inception-uint8-127", 1},
      {"shufflenet_v1_g8_w1", "imagenet", 0},
      {"regnetx_200mf", "imagenet-bgr", 0},
      {"hardnet39ds", "imagenet", 0},
      {"mobilenet_v1_0.25_224_keras", "inception", 0},
      {"mobilenet_v2_onnxzoo", "imagenet", 0},
  };
  return t;
}

// shared/ (models, images, labels): $FLIPSCOPE_SHARED, else <source>/../shared (main checkout) or
// <source>/../../shared (worktrees under wt/). Empty when none exists.
inline std::string shared_dir() {
  namespace stdfs = std::filesystem;
  if (const char* e = std::getenv("FLIPSCOPE_SHARED"); e && *e) return stdfs::is_directory(e) ? e : "";
  stdfs::path src(FLIPSCOPE_SOURCE_DIR);
  for (const auto& cand : {src / ".." / "shared", src / ".." / ".." / "shared"})
    if (stdfs::is_directory(cand / "models")) return stdfs::weakly_canonical(cand).string();
  return "";
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace fs::test
