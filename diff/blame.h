// Explaining flips: `explain` lines the reference and a variant up layer by layer (captured values
// matched by ONNX value name: fused nodes write the value of the last original node they replace,
// so nothing is un-fused to capture); `bisect` finds the pass(es) and rewrite(s) to blame with
// single-pass runs, leave-one-out runs and delta debugging (ddmin), and for precision variants the
// minimal set of nodes that must stay fp32.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
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

// Zeller's ddmin: a 1-minimal subset of `items` (their order kept) for which `test` holds; test(items)
// is assumed, not run. `test` answers nullopt when it may not run any more (a spent build budget):
// ddmin then stops, sets *stopped and returns the smallest subset verified so far.
std::vector<std::string> ddmin(std::vector<std::string> items,
                               const std::function<std::optional<bool>(const std::vector<std::string>&)>& test,
                               bool* stopped = nullptr);

// One node a precision pass rewrote (a candidate to keep in fp32).
struct PrecisionNode {
  std::string node;                         // its name when the precision pass ran (what keep_fp32 matches)
  std::string op;                           // its op type
  std::string rewrite;                      // the precision pass's rewrite id ("precision-bf16@<origin>")
  std::vector<std::string> original_nodes;  // the ONNX nodes it stands for (provenance)
};

// Step (5) of bisect for precision variants: a minimal set S of rewritten nodes that must stay fp32
// for the flips to disappear. A keep set removes the flips when fewer than half (rounded up) of the
// variant's flips remain with it kept fp32: the negation of bisect's reproduction criterion.
struct KeepFp32Result {
  std::string status;  // "found", "stopped" (build budget spent; S verified, maybe not minimal),
                       // "not-removed" (even every node in fp32 keeps the flips), "no-candidates",
                       // "not-run" (no precision pass, or the budget was spent before step 5)
  std::string precision_pass;
  size_t candidates = 0;                   // nodes the precision pass rewrote
  std::vector<size_t> all_kept_remaining;  // variant flips that remain with every candidate kept fp32
  std::vector<PrecisionNode> keep;         // S
  std::vector<size_t> remaining;           // variant flips that remain with S kept fp32
  std::vector<size_t> explained;           // variant flips that disappear with S kept fp32
  int builds = 0;                          // builds this step ran
};

// Step (5) against an abstract oracle, so it can be tested with a fake one: `remaining(S)` gives the
// variant flips (indices into `flips`' values) that still flip with the nodes S kept fp32, or
// nullopt when the build budget is spent. Fills status, keep (from `nodes`), remaining, explained,
// all_kept_remaining, candidates, builds (calls of `remaining` that returned a value).
KeepFp32Result search_keep_fp32(
    const std::vector<PrecisionNode>& nodes, const std::vector<size_t>& flips,
    const std::function<std::optional<std::vector<size_t>>(const std::set<std::string>&)>& remaining);

struct BisectResult {
  std::vector<std::string> passes;         // the variant's full pass list (precision included), in order
  std::vector<size_t> flips;               // inputs the full variant flips
  std::vector<size_t> alone;               // by position in `passes`: flips with that pass alone
  std::vector<size_t> without;             // by position in `passes`: flips with the variant minus that position
  std::vector<size_t> guilty_positions;    // ddmin result (positions in `passes`)
  std::vector<std::string> guilty_passes;  // their names, in pipeline order
  std::vector<Rewrite> guilty_rewrites;    // ddmin over the guilty passes' rewrites
  size_t candidate_rewrites = 0;           // distinct rewrite ids the guilty passes applied
  std::vector<size_t> explained;           // inputs the guilty rewrites alone flip
  KeepFp32Result keep_fp32;                // step (5), precision variants only
  int tests = 0;                           // variant builds + runs performed (repeats are memoized)
  int max_builds = 0;                      // the budget
  std::string stopped;                     // "" or where the budget stopped the search
};

constexpr int kDefaultMaxBuilds = 200;

// Inputs are already preprocessed feeds (one map per input). Reproduction criterion for ddmin: a
// candidate reproduces when it flips at least half (rounded up) of the full variant's flips. At most
// `max_builds` variant builds are run (memoized: a configuration is built once); when the budget is
// spent the search stops with what it has verified and `stopped` says where.
BisectResult bisect(const std::shared_ptr<Graph>& g, const VariantSpec& v,
                    const std::vector<std::map<std::string, Tensor>>& inputs, int max_builds = kDefaultMaxBuilds);
std::string format_bisect(const BisectResult& r, const std::vector<std::string>& input_names);
std::string bisect_json(const BisectResult& r, const std::vector<std::string>& input_names);

}  // namespace fs
