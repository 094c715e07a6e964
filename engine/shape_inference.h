// Whole-graph shape inference with constant propagation: binds symbolic dimensions, infers every
// value's dtype and shape in topological order, and computes small values whose inputs are all
// known (Shape -> Gather -> Concat -> Reshape chains) with the reference kernels' semantics via a
// caller-supplied evaluator.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/op_schema.h"

namespace fs {

struct GraphTypes {
  std::vector<std::optional<TensorType>> types;  // per value id; nullopt = only known at run time
  std::vector<std::optional<Tensor>> values;     // per value id; constants and folded values
  std::vector<NodeId> order;                     // topological order of live nodes
  std::vector<char> deferred;                    // per node: shape depends on run-time values
};

// Evaluates a node on known inputs (used to fold small shape computations). Returns false when it
// cannot (no kernel); then the node's outputs get types but no values.
using NodeEvaluator = std::function<bool(const Node&, const std::vector<const Tensor*>& in,
                                         const std::vector<TensorType>& out_types, std::vector<Tensor>& out)>;

struct InferOptions {
  std::map<std::string, int64_t> dims;        // symbolic dim name -> value
  int64_t default_dim = -1;                   // for unbound symbolic dims; -1 = error
  std::map<std::string, Shape> input_shapes;  // overrides per graph input (run-time shapes)
  NodeEvaluator evaluator;                    // may be empty
  int64_t max_fold_elements = 1 << 16;        // fold only outputs this small
};

// Throws an Error naming the node at fault (or the input with an unbound dimension).
GraphTypes infer_graph(const Graph& g, const InferOptions& opt);

// Declared shape of a graph input with symbolic dims bound (throws when one is unbound).
Shape bind_shape(const Value& v, const InferOptions& opt);

}  // namespace fs
