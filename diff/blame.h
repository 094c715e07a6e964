// Explaining flips: `explain` lines the reference and a variant up layer by layer (captured values
// matched by ONNX value name: fused nodes write the value of the last original node they replace,
// so nothing is un-fused to capture); `bisect` finds the pass(es) and rewrite(s) to blame with
// single-pass runs, leave-one-out runs and delta debugging (ddmin).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "diff/variant.h"
#include "engine/graph.h"

namespace fs {

// Relative-L2 error above which a layer counts as diverged, by the variant's precision.
double layer_tolerance(const std::string& precision);

struct LayerError {
  std::string node;  // original (reference) node name
  std::string op;
  std::string value;         // its output value name
  std::string variant_node;  // the variant node that computes it ("" when not captured: inside a fusion)
  bool captured = false;
  double sqnr_db = 0, rel_l2 = 0, max_abs = 0;
};

struct ExplainResult {
  std::string variant;
  std::vector<LayerError> layers;  // reference topological order
  int first_diverging = -1;        // index into layers, -1 when none exceeds the tolerance
  double tolerance = 0;
  int ref_top1 = -1, var_top1 = -1;
  double ref_margin = 0;
};

// Optimizes the graph for a variant (pass list + precision, rewrite filter) — the one path shared
// by explain and bisect.
std::shared_ptr<Graph> build_variant(const Graph& g, const std::vector<std::string>& passes, const VariantSpec& v,
                                     const RewriteFilter& filter,
                                     const std::vector<std::map<std::string, Tensor>>& calibration,
                                     std::vector<Rewrite>* log = nullptr);

ExplainResult explain(const std::shared_ptr<Graph>& g, const VariantSpec& v, const std::map<std::string, Tensor>& feeds,
                      const std::vector<std::map<std::string, Tensor>>& calibration);
std::string format_explain(const ExplainResult& r);

struct BisectResult {
  std::vector<std::string> passes;         // the variant's full pass list (precision included)
  std::vector<size_t> flips;               // inputs the full variant flips
  std::map<std::string, size_t> alone;     // pass -> flips with that pass alone
  std::map<std::string, size_t> without;   // pass -> flips with the variant minus that pass
  std::vector<std::string> guilty_passes;  // ddmin result
  std::vector<Rewrite> guilty_rewrites;    // ddmin over the guilty passes' rewrites
  size_t candidate_rewrites = 0;           // rewrites the guilty passes applied
  std::vector<size_t> explained;           // inputs the guilty rewrites alone flip
  int tests = 0;                           // variant builds + runs performed
};

// Inputs are already preprocessed feeds (one map per input). Reproduction criterion for ddmin: a
// candidate reproduces when it flips at least half (rounded up) of the full variant's flips.
BisectResult bisect(const std::shared_ptr<Graph>& g, const VariantSpec& v,
                    const std::vector<std::map<std::string, Tensor>>& inputs);
std::string format_bisect(const BisectResult& r, const std::vector<std::string>& input_names);
std::string bisect_json(const BisectResult& r, const std::vector<std::string>& input_names);

}  // namespace fs
