// Operator schemas: for each op type, the input/output arity, attribute validation and shape
// inference. Shared by every backend; kernels never infer shapes themselves.
//
// Shape inference works on concrete shapes (symbolic dimensions are bound before it runs). Ops
// whose output shape depends on an input's *values* (Reshape, Slice, Expand, ...) read them through
// InferContext::value(i), which is set when that input is a constant, was computed at plan time,
// or at run time. When a needed value is unknown, infer() calls ctx.unknown_value(i) and the
// executor defers the node's shape to run time.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/tensor.h"

namespace fs {

struct TensorType {
  DType dtype = DType::Undefined;
  Shape shape;
};

// Thrown (internally) by InferContext::unknown_value: the shape depends on a run-time value.
struct ValueUnknown {
  int input;
};

class InferContext {
 public:
  InferContext(const Node& node, std::vector<TensorType> inputs, std::vector<const Tensor*> values)
      : node_(node), inputs_(std::move(inputs)), values_(std::move(values)) {}

  const Node& node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  // True when input i is present (not an absent optional input).
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i].dtype != DType::Undefined; }
  const TensorType& input(size_t i) const;  // throws when absent
  const Shape& shape(size_t i) const { return input(i).shape; }
  DType dtype(size_t i) const { return input(i).dtype; }
  int64_t rank(size_t i) const { return static_cast<int64_t>(input(i).shape.size()); }
  // The value of input i: throws ValueUnknown when not known yet (deferred to run time).
  const Tensor& value(size_t i) const;
  bool value_known(size_t i) const { return i < values_.size() && values_[i] != nullptr; }

  // An output's value computed by inference itself (Shape, Size): lets shape chains fold.
  void set_output_value(size_t i, Tensor t);
  std::map<size_t, Tensor>& output_values() { return output_values_; }

  // Errors that name the node: "node 'x' (Conv): <msg>".
  [[noreturn]] void fail(const std::string& msg) const { node_.fail_node(msg); }
  [[noreturn]] void fail_attr(const std::string& attr, const std::string& msg) const { node_.fail_attr(attr, msg); }
  // Normalizes a possibly negative axis against rank r, failing with the attribute name.
  int64_t axis(int64_t a, int64_t r, const std::string& what = "axis") const;

 private:
  const Node& node_;
  std::vector<TensorType> inputs_;
  std::vector<const Tensor*> values_;
  std::map<size_t, Tensor> output_values_;
};

using InferFn = std::function<std::vector<TensorType>(InferContext&)>;
// FLOPs of one execution (multiply-add = 2) given input and output types; may return 0.
using FlopsFn =
    std::function<int64_t(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>& out)>;

struct OpSchema {
  std::string op_type;
  int min_inputs = 1, max_inputs = 1;
  int min_outputs = 1, max_outputs = 1;
  InferFn infer;
  FlopsFn flops;  // empty: counted as 1 FLOP per output element
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  void add(OpSchema s);
  const OpSchema* find(const std::string& op_type) const;
  std::vector<std::string> op_types() const;

 private:
  std::map<std::string, OpSchema> schemas_;
};

struct OpSchemaRegistrar {
  explicit OpSchemaRegistrar(OpSchema s) { OpRegistry::instance().add(std::move(s)); }
};

#define FS_CONCAT_INNER(a, b) a##b
#define FS_CONCAT(a, b) FS_CONCAT_INNER(a, b)
// Registers an op schema: FS_REGISTER_OP(OpSchema{...});
#define FS_REGISTER_OP(...) static ::fs::OpSchemaRegistrar FS_CONCAT(fs_op_reg_, __LINE__)(__VA_ARGS__)

// Runs a node's schema: arity checks, attribute validation and shape inference. Errors name the
// node. Returns output types; fills `out_values` for outputs whose value inference computed.
std::vector<TensorType> infer_node(const Node& node, const std::vector<TensorType>& inputs,
                                   const std::vector<const Tensor*>& values,
                                   std::map<size_t, Tensor>* out_values = nullptr);

// FLOPs of one execution of a node (its schema's flops function, else one per output element).
int64_t node_flops(const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out);

// ---- helpers shared by schemas -------------------------------------------------------------
// Numpy-style multidirectional broadcast; fails naming the node on mismatch.
Shape broadcast_shapes(const InferContext& ctx, const std::vector<Shape>& shapes);

}  // namespace fs
