// The study's outputs, computed from its per-input records (records.jsonl lines, deduplicated):
// per-variant metrics, per-input outcomes, results.json, the CSV files and the terminal summary.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace fs {

// Records keyed by (input index, variant name; "" for an input that failed to load).
using RecordMap = std::map<std::pair<int64_t, std::string>, nlohmann::json>;

// Metrics of one variant against the reference (schema in docs/results-schema.md).
nlohmann::json summarise_variant(const std::string& name, const RecordMap& records, bool has_labels);
// Per-input outcomes: index, id, label, reference top-1 and margin, each variant's top-1 (or the error).
nlohmann::json input_outcomes(const RecordMap& records, const std::vector<std::string>& variants);
// Reference accuracy over the labelled inputs that ran (null without labels).
nlohmann::json reference_summary(const RecordMap& records, bool has_labels);

// Writes `text` to `path` through a temporary file and a rename (atomic on one file system).
void write_atomic(const std::string& path, const std::string& text);
std::string flips_csv(const nlohmann::json& results);
std::string timing_csv(const nlohmann::json& results);
// layers.csv: the header, and one row per (variant, input, layer) that explain added.
std::string layers_csv(const std::vector<std::vector<std::string>>& rows);
// The summary table printed at the end of a study.
std::string summary_table(const nlohmann::json& results);

// 64-bit FNV-1a, as 16 hex digits (identity hashes of models, inputs and datasets).
std::string fnv1a64_hex(const void* data, size_t n, uint64_t seed = 14695981039346656037ull);

}  // namespace fs
