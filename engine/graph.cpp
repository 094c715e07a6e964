#include "engine/graph.h"

#include <algorithm>
#include <functional>

namespace fs {

const char* attribute_kind_name(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::Float:
      return "a float";
    case Attribute::Kind::Int:
      return "an int";
    case Attribute::Kind::String:
      return "a string";
    case Attribute::Kind::Tensor:
      return "a tensor";
    case Attribute::Kind::Floats:
      return "floats";
    case Attribute::Kind::Ints:
      return "ints";
    case Attribute::Kind::Strings:
      return "strings";
  }
  return "?";
}

std::string sym_shape_str(const SymShape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ",";
    r += s[i].known() ? std::to_string(s[i].value) : (s[i].param.empty() ? "?" : s[i].param);
  }
  return r + "]";
}

// ---- Node -----------------------------------------------------------------------------------

std::string Node::label() const { return "node '" + name + "' (" + op_type + ")"; }

void Node::fail_attr(const std::string& n, const std::string& msg) const {
  fail(label() + ": attribute '" + n + "': " + msg);
}
void Node::fail_node(const std::string& msg) const { fail(label() + ": " + msg); }

const Attribute* Node::attr(const std::string& n) const {
  auto it = attrs.find(n);
  return it == attrs.end() ? nullptr : &it->second;
}

namespace {
const Attribute* expect(const Node& node, const std::string& n, Attribute::Kind k) {
  const Attribute* a = node.attr(n);
  if (a && a->kind != k)
    node.fail_attr(n, std::string("expected ") + attribute_kind_name(k) + ", got " + attribute_kind_name(a->kind));
  return a;
}
}  // namespace

int64_t Node::attr_int(const std::string& n, int64_t def) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::Int);
  return a ? a->i : def;
}
int64_t Node::attr_int(const std::string& n) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::Int);
  if (!a) fail_attr(n, "required attribute is missing");
  return a->i;
}
float Node::attr_float(const std::string& n, float def) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::Float);
  return a ? a->f : def;
}
std::string Node::attr_string(const std::string& n, const std::string& def) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::String);
  return a ? a->s : def;
}
std::vector<int64_t> Node::attr_ints(const std::string& n, std::vector<int64_t> def) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::Ints);
  return a ? a->ints : def;
}
std::vector<float> Node::attr_floats(const std::string& n, std::vector<float> def) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::Floats);
  return a ? a->floats : def;
}
const Tensor* Node::attr_tensor(const std::string& n) const {
  const Attribute* a = expect(*this, n, Attribute::Kind::Tensor);
  return a ? &a->t : nullptr;
}

// ---- Graph ----------------------------------------------------------------------------------

size_t Graph::num_live_nodes() const {
  return static_cast<size_t>(std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return !n.dead; }));
}

void Graph::add_input(ValueId v) {
  value(v).is_input = true;
  inputs_.push_back(v);
}
void Graph::add_output(ValueId v) {
  value(v).is_output = true;
  outputs_.push_back(v);
}
void Graph::set_outputs(std::vector<ValueId> outs) {
  for (ValueId v : outputs_) value(v).is_output = false;
  outputs_.clear();
  for (ValueId v : outs) add_output(v);
}

ValueId Graph::add_value(const std::string& name, DType dtype, std::optional<SymShape> shape) {
  if (value_by_name_.count(name)) fail("value '" + name + "' is defined twice");
  Value v;
  v.id = static_cast<ValueId>(values_.size());
  v.name = name;
  v.dtype = dtype;
  v.shape = std::move(shape);
  value_by_name_[name] = v.id;
  values_.push_back(std::move(v));
  return values_.back().id;
}

ValueId Graph::add_constant(const std::string& name, Tensor t) {
  SymShape s;
  for (int64_t d : t.shape()) s.push_back({d, ""});
  ValueId id = add_value(name, t.dtype(), s);
  value(id).constant = std::move(t);
  return id;
}

ValueId Graph::find_value(const std::string& name) const {
  auto it = value_by_name_.find(name);
  return it == value_by_name_.end() ? kNoValue : it->second;
}

std::string Graph::unique_value_name(const std::string& base) const {
  if (!value_by_name_.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string n = base + "_" + std::to_string(i);
    if (!value_by_name_.count(n)) return n;
  }
}

std::string Graph::unique_node_name(const std::string& base) const {
  if (!node_by_name_.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string n = base + "_" + std::to_string(i);
    if (!node_by_name_.count(n)) return n;
  }
}

NodeId Graph::add_node(Node n) {
  n.id = static_cast<NodeId>(nodes_.size());
  if (n.name.empty()) n.name = unique_node_name(n.op_type);
  if (node_by_name_.count(n.name)) fail("node name '" + n.name + "' is used twice");
  for (ValueId o : n.outputs) {
    if (o == kNoValue) continue;
    Value& v = value(o);
    if (v.producer >= 0 || v.constant || v.is_input)
      fail(n.label() + ": output '" + v.name + "' is already produced by another node, an initializer or an input");
  }
  for (ValueId o : n.outputs)
    if (o != kNoValue) value(o).producer = n.id;
  for (ValueId i : n.inputs)
    if (i != kNoValue) value(i).consumers.push_back(n.id);
  node_by_name_[n.name] = n.id;
  nodes_.push_back(std::move(n));
  return nodes_.back().id;
}

void Graph::remove_node(NodeId id) {
  Node& n = node(id);
  if (n.dead) return;
  for (ValueId i : n.inputs) {
    if (i == kNoValue) continue;
    auto& c = value(i).consumers;
    auto it = std::find(c.begin(), c.end(), id);
    if (it != c.end()) c.erase(it);
  }
  for (ValueId o : n.outputs)
    if (o != kNoValue && value(o).producer == id) value(o).producer = -1;
  node_by_name_.erase(n.name);
  n.dead = true;
}

void Graph::replace_all_uses(ValueId from, ValueId to) {
  Value& f = value(from);
  for (NodeId c : f.consumers) {
    for (ValueId& i : node(c).inputs)
      if (i == from) i = to;
    value(to).consumers.push_back(c);
  }
  f.consumers.clear();
  for (ValueId& o : outputs_)
    if (o == from) {
      o = to;
      value(to).is_output = true;
      value(from).is_output = false;
    }
}

NodeId Graph::find_node(const std::string& name) const {
  auto it = node_by_name_.find(name);
  return it == node_by_name_.end() ? -1 : it->second;
}

std::vector<NodeId> Graph::topo_order() const {
  // Kahn's algorithm, stable in file order. A node is ready when every input is a graph input,
  // a constant, an absent optional, or produced by a node already placed.
  std::vector<int> pending(nodes_.size(), 0);
  std::vector<NodeId> order, ready;
  for (const Node& n : nodes_) {
    if (n.dead) continue;
    for (ValueId i : n.inputs) {
      if (i == kNoValue) continue;
      const Value& v = value(i);
      if (v.producer >= 0) {
        ++pending[n.id];
      } else if (!v.is_input && !v.constant) {
        fail(n.label() + ": input '" + v.name + "' is not a graph input, an initializer or the output of any node");
      }
    }
  }
  for (const Node& n : nodes_)
    if (!n.dead && pending[n.id] == 0) ready.push_back(n.id);
  std::vector<char> placed(nodes_.size(), 0);
  for (size_t k = 0; k < ready.size(); ++k) {
    NodeId id = ready[k];
    order.push_back(id);
    placed[id] = 1;
    for (ValueId o : node(id).outputs) {
      if (o == kNoValue) continue;
      for (NodeId c : value(o).consumers) {
        // a consumer may use the same value several times: count each use
        if (--pending[c] == 0) ready.push_back(c);
      }
    }
  }
  if (order.size() != num_live_nodes()) {
    for (const Node& n : nodes_)
      if (!n.dead && !placed[n.id]) fail(n.label() + ": the graph has a cycle through this node");
  }
  return order;
}

bool Graph::inputs_static() const {
  for (ValueId v : inputs_) {
    const Value& val = value(v);
    if (val.constant) continue;
    if (!val.shape) return false;
    for (const Dim& d : *val.shape)
      if (!d.known()) return false;
  }
  return true;
}

void Graph::validate() const {
  for (ValueId o : outputs_) {
    const Value& v = value(o);
    if (v.producer < 0 && !v.is_input && !v.constant) fail("graph output '" + v.name + "' is produced by no node");
  }
  topo_order();
}

void Graph::compact() {
  std::vector<ValueId> used(values_.size(), 0);
  for (const Node& n : nodes_) {
    if (n.dead) continue;
    for (ValueId i : n.inputs)
      if (i != kNoValue) used[i] = 1;
    for (ValueId o : n.outputs)
      if (o != kNoValue) used[o] = 1;
  }
  for (ValueId v : inputs_) used[v] = 1;
  for (ValueId v : outputs_) used[v] = 1;
  std::vector<ValueId> vmap(values_.size(), kNoValue);
  std::vector<Value> nv;
  for (Value& v : values_)
    if (used[v.id]) {
      vmap[v.id] = static_cast<ValueId>(nv.size());
      nv.push_back(std::move(v));
    }
  std::vector<NodeId> nmap(nodes_.size(), -1);
  std::vector<Node> nn;
  for (Node& n : nodes_)
    if (!n.dead) {
      nmap[n.id] = static_cast<NodeId>(nn.size());
      nn.push_back(std::move(n));
    }
  value_by_name_.clear();
  node_by_name_.clear();
  for (size_t i = 0; i < nv.size(); ++i) {
    Value& v = nv[i];
    v.id = static_cast<ValueId>(i);
    v.producer = v.producer >= 0 ? nmap[v.producer] : -1;
    std::vector<NodeId> cs;
    for (NodeId c : v.consumers)
      if (nmap[c] >= 0) cs.push_back(nmap[c]);
    v.consumers = std::move(cs);
    value_by_name_[v.name] = v.id;
  }
  for (size_t i = 0; i < nn.size(); ++i) {
    Node& n = nn[i];
    n.id = static_cast<NodeId>(i);
    for (ValueId& x : n.inputs)
      if (x != kNoValue) x = vmap[x];
    for (ValueId& x : n.outputs)
      if (x != kNoValue) x = vmap[x];
    node_by_name_[n.name] = n.id;
  }
  for (ValueId& x : inputs_) x = vmap[x];
  for (ValueId& x : outputs_) x = vmap[x];
  values_ = std::move(nv);
  nodes_ = std::move(nn);
}

}  // namespace fs
