// The importer's table from (op, opset range) to a small builder that rewrites the node into the
// IR's (newest-opset) form. Ops absent from the table import as they are.
#pragma once
#include <functional>
#include <string>

#include "engine/graph.h"

namespace fs {

// Adjusts a freshly read node in place (may add constant inputs to the graph).
using OpBuilder = std::function<void(Graph& g, Node& n)>;

// Builder for (op, opset), or nullptr when the op imports unchanged.
const OpBuilder* find_op_builder(const std::string& op, int opset);

// For models newer than kMaxOpset: the first opset after 18 in which `op` changed semantics
// (0 = unchanged up to kMaxOpsetSeen).
int op_changed_after_18(const std::string& op);

}  // namespace fs
