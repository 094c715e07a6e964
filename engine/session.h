// Session: a graph bound to a backend. Creation resolves shapes, picks a kernel for every node
// (unsupported ops are all listed in one error), lets kernels pre-pack constant weights, and plans
// memory: when every shape is known, intermediate values live in one arena, reused by liveness,
// and run_into() allocates nothing in steady state. Models whose shapes depend on run-time values
// run a dynamic path. New input shapes (another batch size) re-plan.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/kernel_registry.h"
#include "engine/shape_inference.h"

namespace fs {

struct SessionOptions {
  std::string backend = "reference";
  std::map<std::string, std::string> node_backends;  // node name -> backend (forces single nodes)
  std::map<std::string, int64_t> dims;               // symbolic dimension bindings ("N" -> 8)
  int threads = 1;
};

struct RunOptions {
  bool capture_all = false;  // keep every intermediate value (by ONNX value name)
  bool profile = false;      // per-node wall time
};

struct NodeTiming {
  NodeId node;
  double ms;        // wall time of the node's kernel
  double start_ms;  // start, relative to the start of the run
};

struct RunResult {
  std::vector<Tensor> outputs;             // in graph output order
  std::map<std::string, Tensor> captured;  // with capture_all: every value computed
  std::vector<NodeTiming> timings;         // with profile: executed nodes in order
};

class Session {
 public:
  Session(std::shared_ptr<const Graph> graph, SessionOptions opt);
  ~Session();

  const Graph& graph() const { return *graph_; }
  const SessionOptions& options() const { return opt_; }
  std::vector<std::string> input_names() const;  // graph inputs that must be fed
  std::vector<std::string> output_names() const;

  // Inputs by name. Outputs are the session's own copies. Throws an Error naming the node.
  RunResult run(const std::map<std::string, Tensor>& inputs, const RunOptions& ro = {});
  // Same, reusing `res`: outputs (and captured values) may view the session's arena and stay valid
  // until the next run. With a planned static graph this performs no heap allocation once `res`
  // has been used for a run of the same shapes.
  void run_into(const std::map<std::string, Tensor>& inputs, RunResult& res, const RunOptions& ro = {});

  // Plan facts (after a run or a successful creation-time plan).
  bool static_plan() const { return static_plan_; }
  size_t arena_bytes() const { return arena_.nbytes(); }
  // Inferred type of a value in the current plan (nullopt when only known at run time).
  std::optional<TensorType> value_type(ValueId v) const;

  // Backend chosen for a node (the session's, or the node's forced one).
  const std::string& backend_of(const Node& n) const;

 private:
  struct Step;
  void plan(const std::map<std::string, Shape>& input_shapes);
  void plan_static();
  bool feed(const std::map<std::string, Tensor>& inputs);  // true when the shapes match the plan
  void run_dynamic(RunResult& res, const RunOptions& ro);
  Kernel* kernel_for(NodeId id, const std::vector<TensorType>& in, const std::vector<TensorType>& out,
                     const std::vector<const Tensor*>& consts);

  std::shared_ptr<const Graph> graph_;
  SessionOptions opt_;
  std::map<std::string, Shape> planned_shapes_;
  bool planned_ = false;  // false until a plan succeeded (symbolic dims guessed as 1 may not fit the model)
  GraphTypes types_;
  bool static_plan_ = false;
  std::vector<Tensor> slots_;                               // per value: fed input, constant, or a view into the arena
  Tensor arena_;                                            // one block for every intermediate value of a static plan
  std::vector<Step> steps_;                                 // static plan: one per executed node, contexts prebuilt
  std::map<std::string, std::unique_ptr<Kernel>> kernels_;  // by node id + input types
  std::vector<int> last_use_;                               // per value: index in order of its last consumer
};

// Evaluates one node with the reference backend's kernels (constant folding, shape chains).
bool evaluate_node_reference(const Node& n, const std::vector<const Tensor*>& in,
                             const std::vector<TensorType>& out_types, std::vector<Tensor>& out);

// Lists the ops of the graph that have no schema or no kernel on `backend`: "FooBar (node
// 'n_foo'), BazQux (node 'n_baz')". Empty when all are supported.
std::string unsupported_ops(const Graph& g, const std::string& backend);

}  // namespace fs
