// Graph IR: the graph owns nodes and values; nodes refer to values by id. Every value keeps its
// ONNX name, dtype, (possibly symbolic) shape, producer and consumers; initializers are constant
// values. Nodes keep their ONNX name and the names of the original nodes they replace
// (provenance), so a rewritten graph can always be lined up with the imported one.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/attribute.h"
#include "engine/tensor.h"

namespace fs {

using ValueId = int32_t;
using NodeId = int32_t;
constexpr ValueId kNoValue = -1;  // an absent optional input

struct Dim {
  int64_t value = -1;  // >= 0 when known
  std::string param;   // symbolic name ("N", "batch_size") when value < 0; empty = unknown
  bool known() const { return value >= 0; }
};
using SymShape = std::vector<Dim>;
std::string sym_shape_str(const SymShape& s);

struct Value {
  ValueId id = kNoValue;
  std::string name;
  DType dtype = DType::Undefined;
  std::optional<SymShape> shape;  // nullopt = rank unknown
  NodeId producer = -1;           // -1 for graph inputs and constants
  std::vector<NodeId> consumers;
  std::optional<Tensor> constant;  // initializers (and folded constants)
  bool is_input = false;           // a graph input fed at run time
  bool is_output = false;
};

struct Node {
  NodeId id = -1;
  std::string name;  // unique within the graph (the importer names unnamed nodes)
  std::string op_type;
  std::string domain;  // "" = ai.onnx
  int opset = 0;       // the default-domain opset the node was imported under
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  std::map<std::string, Attribute> attrs;
  std::vector<std::string> provenance;  // ONNX names of the original nodes this node replaces
  std::string backend;                  // forced backend for this node; empty = the session's
  bool dead = false;                    // removed by a rewrite (compact() drops it)

  // "node 'conv_3' (Conv)": the prefix of every error about this node.
  std::string label() const;

  bool has_attr(const std::string& n) const { return attrs.count(n) != 0; }
  // Typed attribute access; throws "attribute 'x': expected an int, got floats" on kind mismatch.
  int64_t attr_int(const std::string& n, int64_t def) const;
  int64_t attr_int(const std::string& n) const;  // required
  float attr_float(const std::string& n, float def) const;
  std::string attr_string(const std::string& n, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& n, std::vector<int64_t> def = {}) const;
  std::vector<float> attr_floats(const std::string& n, std::vector<float> def = {}) const;
  const Tensor* attr_tensor(const std::string& n) const;  // nullptr when absent
  const Attribute* attr(const std::string& n) const;
  // Throws "<label>: attribute 'n': <msg>".
  [[noreturn]] void fail_attr(const std::string& n, const std::string& msg) const;
  [[noreturn]] void fail_node(const std::string& msg) const;
};

class Graph {
 public:
  std::string name;
  std::string source_file;       // for error messages
  int opset = 0;                 // default-domain opset
  bool flush_denormals = false;  // run with FTZ/DAZ (set by the flush-denormals pass)

  // Values / nodes by id. Ids are stable until compact().
  const Value& value(ValueId id) const { return values_.at(static_cast<size_t>(id)); }
  Value& value(ValueId id) { return values_.at(static_cast<size_t>(id)); }
  const Node& node(NodeId id) const { return nodes_.at(static_cast<size_t>(id)); }
  Node& node(NodeId id) { return nodes_.at(static_cast<size_t>(id)); }
  const std::vector<Value>& values() const { return values_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  size_t num_live_nodes() const;

  const std::vector<ValueId>& inputs() const { return inputs_; }
  const std::vector<ValueId>& outputs() const { return outputs_; }
  void add_input(ValueId v);
  void add_output(ValueId v);
  void set_outputs(std::vector<ValueId> outs);

  // Creates a value; the name must be unique (throws otherwise).
  ValueId add_value(const std::string& name, DType dtype = DType::Undefined,
                    std::optional<SymShape> shape = std::nullopt);
  ValueId add_constant(const std::string& name, Tensor t);
  // Finds a value by ONNX name; kNoValue when absent.
  ValueId find_value(const std::string& name) const;
  // A fresh value name derived from base ("base", "base_1", ...).
  std::string unique_value_name(const std::string& base) const;
  std::string unique_node_name(const std::string& base) const;

  // Adds a node; wires producer/consumer links. Throws when an output already has a producer.
  NodeId add_node(Node n);
  // Marks a node dead and unlinks it from its values.
  void remove_node(NodeId id);
  // Points every consumer of `from` (and the graph outputs) at `to`.
  void replace_all_uses(ValueId from, ValueId to);
  NodeId find_node(const std::string& name) const;

  // Live nodes in a topological order; throws naming a node on a cycle or an unproduced input.
  std::vector<NodeId> topo_order() const;
  // True when every fed graph input has a fully known (non-symbolic) shape.
  bool inputs_static() const;
  // Structural validation: each value produced once, inputs exist, no cycles, outputs produced.
  void validate() const;
  // Drops dead nodes and unused values, renumbering ids.
  void compact();

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<ValueId> inputs_, outputs_;
  std::map<std::string, ValueId> value_by_name_;
  std::map<std::string, NodeId> node_by_name_;
};

}  // namespace fs
