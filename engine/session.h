// Session: a graph bound to a backend. Creation resolves shapes, picks a kernel for every node
// (unsupported ops are all listed in one error) and caches per-node plans; run() executes in
// topological order, optionally capturing every intermediate value by its ONNX name.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/kernel_registry.h"
#include "engine/shape_inference.h"

namespace fs {

struct SessionOptions {
  std::string backend = "reference";
  std::map<std::string, std::string> node_backends;  // node name -> backend (forces single nodes)
  std::map<std::string, int64_t> dims;                // symbolic dimension bindings ("N" -> 8)
  int threads = 1;
};

struct RunOptions {
  bool capture_all = false;  // keep every intermediate value (by ONNX value name)
  bool profile = false;      // per-node wall time
};

struct NodeTiming {
  NodeId node;
  double ms;
};

struct RunResult {
  std::vector<Tensor> outputs;               // in graph output order
  std::map<std::string, Tensor> captured;    // with capture_all: every value computed
  std::vector<NodeTiming> timings;           // with profile: executed nodes in order
};

class Session {
 public:
  Session(std::shared_ptr<const Graph> graph, SessionOptions opt);
  ~Session();

  const Graph& graph() const { return *graph_; }
  const SessionOptions& options() const { return opt_; }
  std::vector<std::string> input_names() const;  // graph inputs that must be fed
  std::vector<std::string> output_names() const;

  // Inputs by name. Throws an Error naming the node that failed.
  RunResult run(const std::map<std::string, Tensor>& inputs, const RunOptions& ro = {});

  // Backend chosen for a node (the session's, or the node's forced one).
  const std::string& backend_of(const Node& n) const;

 private:
  struct NodePlan;
  void plan(const std::map<std::string, Shape>& input_shapes);
  Kernel* kernel_for(NodeId id, const std::vector<TensorType>& in, const std::vector<TensorType>& out,
                     const std::vector<const Tensor*>& consts);

  std::shared_ptr<const Graph> graph_;
  SessionOptions opt_;
  std::map<std::string, Shape> planned_shapes_;
  bool planned_ = false;  // false until a plan succeeded (symbolic dims guessed as 1 may not fit the model)
  GraphTypes types_;
  std::vector<std::unique_ptr<NodePlan>> plans_;
  std::vector<int> last_use_;  // per value: index in order of its last consumer
};

// Evaluates one node with the reference backend's kernels (constant folding, shape chains).
bool evaluate_node_reference(const Node& n, const std::vector<const Tensor*>& in,
                             const std::vector<TensorType>& out_types, std::vector<Tensor>& out);

// Lists the ops of the graph that have no schema or no kernel on `backend`: "FooBar (node
// 'n_foo'), BazQux (node 'n_baz')". Empty when all are supported.
std::string unsupported_ops(const Graph& g, const std::string& backend);

}  // namespace fs
