// `flipscope study`: runs the reference (naive backend, original graph, fp32) once per input and
// every variant, compares them (diff/metrics.h), and writes records.jsonl (crash-safe, resumable),
// results.json, flips.csv, timing.csv, layers.csv and report.html into the output folder.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diff/variant.h"
#include "importers/image/dataset.h"

namespace fs {

struct StudyConfig {
  std::string model = "default";  // a file, or "default" (the embedded model)
  DatasetOptions data;
  std::string preset;                 // "" = imagenet, or mnist for the default model
  std::vector<std::string> sets;      // preprocessing overrides key=value
  std::vector<VariantSpec> variants;  // empty = cpu-O0=cpu:O0:fp32
  int batch = 1;
  std::string out;
  bool resume = false;
  std::string cache_dir;      // "" = ~/.cache/flipscope/ref ("off" disables the cache)
  double max_flip_rate = -1;  // exit 1 when a variant's flip rate exceeds it (-1 = off)
  double max_abs_err = -1;    // exit 1 when a variant's max abs error exceeds it (-1 = off)
  int explain = 0;            // explain the first K flips of each variant into layers.csv
  int ref_threads = 0;        // reference worker threads (0 = one per hardware thread)
  bool progress = false;      // progress bar on stderr
  bool quiet = false;         // no summary table on stdout
};

// Reads a study file, JSON or YAML (by extension .json / .yaml / .yml, else by content: JSON starts
// with '{'), one schema: {"model", "images", "labels", "classes", "label_offset", "preset",
// "variants": {"name": "spec"} or ["name=spec"], "matrix": {"backend": [...], "passes": [...],
// "precision": [...], "threads": [...], "model", "preset", "interp"}}. Unknown keys are errors; YAML
// errors name file:line:column and the key. Fields already set in `c` (from the command line) win;
// variants are added.
void read_study_file(const std::string& path, StudyConfig& c, bool model_given, bool images_given);
// Expands a matrix object into variants named by their joined values ("cpu-O2-fp16-t2").
std::vector<VariantSpec> expand_matrix(const nlohmann::json& matrix, const std::string& what);

// Runs the study; returns the exit code (0, or 1 when a threshold is exceeded). Throws Error for
// bad configuration (model, dataset, variant syntax); a variant that fails to prepare and an input
// that fails to load are recorded as errors and the study goes on.
int run_study(const StudyConfig& c);

}  // namespace fs
