// Optimizer passes: small named graph rewrites that users switch on and off by name.
//
// A pass has a stable kebab-case name, a one-line description, a category, an exactness flag
// (exact passes must not change fp32 results beyond rounding; approximate ones may by design) and
// the op types it targets. Its body finds matches and applies each as one patch through
// PassContext::begin()/commit(), which gives every rewrite a stable id
// ("fuse-conv-activation@conv_3": the pass and the ONNX name of the anchor node), logs it, and lets
// the pass manager skip rewrites (--max-rewrites, --rewrites) so the oracle can bisect to the
// rewrites that change an output. New nodes carry provenance: the ONNX names of the original nodes
// they replace.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/graph.h"

namespace fs {

enum class PassCategory { Cleanup, Fusion, Layout, Algorithm, FastMath, Precision, Test };
const char* pass_category_name(PassCategory c);

// One applied rewrite.
struct Rewrite {
  std::string id;  // "<pass>@<anchor node's original name>"; stable across runs
  std::string pass;
  std::vector<std::string> matched;  // ONNX names of the nodes it consumed
  std::vector<std::string> created;  // names of the nodes it created
  std::string detail;                // e.g. "activation=Relu"
};

// Which rewrites may be applied. Default: all.
struct RewriteFilter {
  long max_rewrites = -1;      // stop after this many applied rewrites (-1 = no limit)
  std::set<std::string> only;  // apply only these rewrite ids (empty = all)
  bool only_set = false;       // `only` was given (an empty set then applies none)
};

struct OptimizeOptions {
  std::string backend = "cpu";      // kernels must exist there (validation)
  std::string precision = "fp32";   // fp32 | fp16 | bf16 | int8
  std::set<std::string> keep_fp32;  // node names precision passes leave alone
  RewriteFilter filter;
  bool validate_each_pass = false;  // re-infer types and check kernels after every pass
  // int8 calibration: sample inputs by graph input name, and the method (minmax|percentile|entropy)
  std::vector<std::map<std::string, Tensor>> calibration;
  std::string calibration_method = "minmax";
  int winograd_tile = 2;  // F(2x2,3x3) or F(4x4,3x3)
};

class PassContext {
 public:
  PassContext(Graph& g, const OptimizeOptions& opt, std::vector<Rewrite>& log, long& applied)
      : g_(g), opt_(opt), log_(log), applied_(applied) {}
  Graph& graph() { return g_; }
  const OptimizeOptions& options() const { return opt_; }

  // Asks to apply a rewrite anchored at `anchor` (a live node) for `pass`. Returns false when the
  // filter skips it; otherwise the pass applies the patch and calls commit().
  bool begin(const std::string& pass, const Node& anchor);
  // Records the applied rewrite. `matched` are node ids consumed (already removed or not), `created`
  // the new node ids; provenance of created nodes is filled from the matched nodes' provenance
  // when the pass left it empty.
  void commit(const std::vector<NodeId>& matched, const std::vector<NodeId>& created, std::string detail = {});

  // The original (imported) name a node stands for: its last provenance entry, else its name.
  static std::string origin(const Node& n);

 private:
  Graph& g_;
  const OptimizeOptions& opt_;
  std::vector<Rewrite>& log_;
  long& applied_;
  std::string pending_id_, pending_pass_;
  std::vector<std::string> pending_matched_names_;
};

struct PassInfo {
  std::string name;
  std::string description;
  PassCategory category;
  bool exact;
  std::vector<std::string> targets;  // op types the pass looks at
  std::function<void(PassContext&)> run;
};

class PassRegistry {
 public:
  static PassRegistry& instance();
  void add(PassInfo p);
  const PassInfo* find(const std::string& name) const;
  std::vector<const PassInfo*> all() const;  // sorted by category, then name

 private:
  std::map<std::string, PassInfo> passes_;
};

struct PassRegistrar {
  explicit PassRegistrar(PassInfo p) { PassRegistry::instance().add(std::move(p)); }
};
#define FS_PASS_CAT2(a, b) a##b
#define FS_PASS_CAT(a, b) FS_PASS_CAT2(a, b)
#define FS_REGISTER_PASS(...) \
  static const ::fs::PassRegistrar FS_PASS_CAT(fs_pass_registrar_, __LINE__)(::fs::PassInfo{__VA_ARGS__})

// Pipelines: "O2", "O2,-fuse-conv-add", "fold-batchnorm,fuse-conv-activation", "none". Presets
// O0..O3 expand to ordered pass lists; "-name" removes a pass. Unknown names throw an Error that
// lists the valid ones.
std::vector<std::string> parse_pipeline(const std::string& spec);
std::vector<std::string> preset_passes(const std::string& preset);  // empty vector for O0
bool is_preset(const std::string& s);

// The pass a precision asks for ("fp16" -> "precision-fp16"; "fp32" -> "").
std::string precision_pass(const std::string& precision);

struct OptimizeResult {
  std::shared_ptr<Graph> graph;
  std::vector<std::string> passes;  // the passes run, in order (pipeline + precision)
  std::vector<Rewrite> rewrites;    // every applied rewrite, in order
};

// Copies `g`, runs the pipeline (then the precision pass), compacts the graph and validates it.
OptimizeResult optimize(const Graph& g, const std::vector<std::string>& passes, const OptimizeOptions& opt);

// Re-infers types and checks that every node has a kernel on `backend`; throws naming the pass.
void validate_optimized(const Graph& g, const std::string& backend, const std::string& after_pass);

}  // namespace fs
