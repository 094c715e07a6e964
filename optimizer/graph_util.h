// Small graph queries and edits shared by the passes. Constant tensors share storage with the
// graph they were copied from: passes build new tensors, never write into a constant.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/shape_inference.h"

namespace fs::opt {

inline bool has_input(const Node& n, size_t i) { return i < n.inputs.size() && n.inputs[i] != kNoValue; }

// The constant tensor behind a value, or nullptr.
inline const Tensor* constant_of(const Graph& g, ValueId v) {
  if (v == kNoValue) return nullptr;
  const Value& val = g.value(v);
  return val.constant ? &*val.constant : nullptr;
}
inline const Tensor* const_input(const Graph& g, const Node& n, size_t i) {
  return has_input(n, i) ? constant_of(g, n.inputs[i]) : nullptr;
}

// The only consumer of a value that is not a graph output; -1 otherwise.
inline NodeId single_consumer(const Graph& g, ValueId v) {
  const Value& val = g.value(v);
  if (val.is_output || val.consumers.size() != 1) return -1;
  return val.consumers[0];
}

// Live nodes of the given op types, in topological order (a snapshot: passes may remove nodes
// while iterating; check `dead` before use).
inline std::vector<NodeId> nodes_of(const Graph& g, std::initializer_list<const char*> ops) {
  std::vector<NodeId> r;
  for (NodeId id : g.topo_order()) {
    const Node& n = g.node(id);
    for (const char* op : ops)
      if (n.op_type == op) {
        r.push_back(id);
        break;
      }
  }
  return r;
}

// Adds a float32 constant with a fresh name derived from `base`.
inline ValueId add_const(Graph& g, const std::string& base, Tensor t) {
  return g.add_constant(g.unique_value_name(base), std::move(t));
}

// Builds a node (name made unique from `base`) and adds it; returns its id.
inline NodeId add_node(Graph& g, const std::string& base, const std::string& op, std::vector<ValueId> inputs,
                       std::vector<ValueId> outputs, std::map<std::string, Attribute> attrs = {},
                       std::string domain = {}, int opset = 0) {
  Node n;
  n.name = g.unique_node_name(base);
  n.op_type = op;
  n.domain = std::move(domain);
  n.opset = opset;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  return g.add_node(std::move(n));
}

// The activation a node computes when it can be fused into a producer's epilogue: name + params.
// False for Clip with non-constant bounds and anything else.
bool fusable_activation(const Graph& g, const Node& n, std::string& act, std::vector<float>& params);

// Types of every value when the graph's inputs have static shapes (ok = false otherwise: passes
// that need shapes then do nothing). Values added after the call have no entry.
// With symbolic input dims the types are inferred with every unbound dim guessed as 1
// (guessed = true): dtypes and ranks hold, shapes do not; static_shape() then only answers for
// constants, guessed_shape() answers anyway (for checks a kernel re-validates at run time).
struct Types {
  bool ok = false;
  bool guessed = false;
  GraphTypes t;
};
Types infer_types(const Graph& g);
// Shape of a value when fully known (constants always; others through `types`).
bool static_shape(const Graph& g, const Types& types, ValueId v, Shape& out);
bool guessed_shape(const Graph& g, const Types& types, ValueId v, Shape& out);

// The connected components of `chosen` (producer -> consumer edges between chosen nodes), each in
// topological order, the components ordered by their first node: the regions of the layout passes.
std::vector<std::vector<NodeId>> connected_regions(const Graph& g, const std::set<NodeId>& chosen);

}  // namespace fs::opt

namespace fs::opt {

// A flipscope.FusedConv copy of a Conv (or FusedConv) node: same inputs, outputs and attributes,
// no id, provenance cleared (the caller or PassContext::commit fills it).
inline Node as_fused_conv(const Node& c) {
  Node f = c;
  f.id = -1;
  f.op_type = "flipscope.FusedConv";
  f.domain = "flipscope";
  f.provenance.clear();
  return f;
}

}  // namespace fs::opt
