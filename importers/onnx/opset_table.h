// The importer's table from (op, opset range) to a small builder that rewrites the node into the
// IR's (newest-opset) form. Ops absent from the table import as they are.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/shape_inference.h"

namespace fs {

// A rewrite that needs the types of a node's inputs, known only once every node is read: ONNX
// opset < 7 broadcasting `axis`, PRelu's per-channel slope, the equal-shape rule of `broadcast` = 0.
// The importer infers the graph's types with every `stand_in` node still in its old form replaced
// by "output 0 = input 0, as `stand_in_dtype`" (the old ops' output has input 0's shape), then
// calls `apply`, which returns false while a type it needs is unknown (it is retried after the
// other rewrites are done). `needs` says what it needs, for the error when it never becomes known.
struct TypedRewrite {
  std::string node;  // node name
  bool stand_in = false;
  DType stand_in_dtype = DType::Undefined;  // Undefined: input 0's dtype
  std::string needs;
  std::function<bool(Graph& g, NodeId id, const GraphTypes& t)> apply;
};

// Adjusts a freshly read node in place (may add constant inputs to the graph, may queue a
// TypedRewrite in `later`).
using OpBuilder = std::function<void(Graph& g, Node& n, std::vector<TypedRewrite>& later)>;

// Builder for (op, opset), or nullptr when the op imports unchanged.
const OpBuilder* find_op_builder(const std::string& op, int opset);

// Runs the queued typed rewrites once the graph has every node (see TypedRewrite).
void run_typed_rewrites(Graph& g, std::vector<TypedRewrite> todo);

// Moves an attribute into a (constant) input slot. An absent attribute leaves an absent input.
void attr_to_input(Graph& g, Node& n, const std::string& attr, size_t slot, DType dt);

// For models newer than kMaxOpset: the first opset after 18 in which `op` changed semantics
// (0 = unchanged up to kMaxOpsetSeen).
int op_changed_after_18(const std::string& op);

}  // namespace fs
