// Shared pass helpers: activation matching and static shapes.
#include "optimizer/graph_util.h"

#include <algorithm>
#include <limits>
#include <map>

#include "engine/session.h"
#include "engine/shape_inference.h"

namespace fs::opt {

bool fusable_activation(const Graph& g, const Node& n, std::string& act, std::vector<float>& params) {
  params.clear();
  if (!n.domain.empty() || n.inputs.empty() || n.outputs.size() != 1) return false;
  const std::string& op = n.op_type;
  if (op == "Relu" || op == "Sigmoid" || op == "HardSwish" || op == "Tanh") {
    act = op;
    return true;
  }
  if (op == "LeakyRelu") {
    act = op;
    params = {n.attr_float("alpha", 0.01f)};
    return true;
  }
  if (op == "HardSigmoid") {
    act = op;
    params = {n.attr_float("alpha", 0.2f), n.attr_float("beta", 0.5f)};
    return true;
  }
  if (op == "Clip") {  // bounds must be constants (absent = unbounded)
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    for (size_t i = 1; i <= 2; ++i) {
      if (!has_input(n, i)) continue;
      const Tensor* t = constant_of(g, n.inputs[i]);
      if (!t || t->numel() != 1 || t->dtype() != DType::F32) return false;
      (i == 1 ? lo : hi) = static_cast<float>(t->get_f64(0));
    }
    act = op;
    params = {lo, hi};
    return true;
  }
  return false;
}

Types infer_types(const Graph& g) {
  Types r;
  r.guessed = !g.inputs_static();
  try {
    InferOptions io;
    if (r.guessed) io.default_dim = 1;
    io.evaluator = evaluate_node_reference;
    r.t = infer_graph(g, io);
    r.ok = true;
  } catch (const Error&) {
    r.ok = false;
  }
  return r;
}

bool static_shape(const Graph& g, const Types& types, ValueId v, Shape& out) {
  if (types.guessed && !g.value(v).constant) return false;
  return guessed_shape(g, types, v, out);
}

bool guessed_shape(const Graph& g, const Types& types, ValueId v, Shape& out) {
  const Value& val = g.value(v);
  if (val.constant) {
    out = val.constant->shape();
    return true;
  }
  if (!types.ok || static_cast<size_t>(v) >= types.t.types.size() || !types.t.types[v]) return false;
  out = types.t.types[v]->shape;
  return true;
}

namespace {
NodeId find_root(std::map<NodeId, NodeId>& parent, NodeId a) {
  while (parent[a] != a) a = parent[a] = parent[parent[a]];
  return a;
}
}  // namespace

std::vector<std::vector<NodeId>> connected_regions(const Graph& g, const std::set<NodeId>& chosen) {
  std::map<NodeId, NodeId> parent;
  for (NodeId id : chosen) parent[id] = id;
  for (NodeId id : chosen)
    for (ValueId v : g.node(id).inputs)
      if (v != kNoValue && chosen.count(g.value(v).producer))
        parent[find_root(parent, id)] = find_root(parent, g.value(v).producer);
  std::map<NodeId, std::vector<NodeId>> regions;  // root -> nodes in topological order
  const std::vector<NodeId> order = g.topo_order();
  for (NodeId id : order)
    if (chosen.count(id)) regions[find_root(parent, id)].push_back(id);
  std::map<NodeId, size_t> pos;
  for (NodeId id : order) pos[id] = pos.size();
  std::vector<std::vector<NodeId>> out;
  for (auto& [root, nodes] : regions) out.push_back(std::move(nodes));
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return pos[a.front()] < pos[b.front()]; });
  return out;
}

}  // namespace fs::opt
