#include "engine/op_schema.h"

#include "engine/limits.h"

namespace fs {

const TensorType& InferContext::input(size_t i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but absent");
  return inputs_[i];
}

const Tensor& InferContext::value(size_t i) const {
  if (!value_known(i)) throw ValueUnknown{static_cast<int>(i)};
  return *values_[i];
}

void InferContext::set_output_value(size_t i, Tensor t) { output_values_[i] = std::move(t); }

int64_t InferContext::axis(int64_t a, int64_t r, const std::string& what) const {
  if (a < -r || a >= r) fail_attr(what, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
  return a < 0 ? a + r : a;
}

OpRegistry& OpRegistry::instance() {
  static OpRegistry r;
  return r;
}

void OpRegistry::add(OpSchema s) {
  std::string name = s.op_type;
  schemas_[name] = std::move(s);
}

const OpSchema* OpRegistry::find(const std::string& op_type) const {
  auto it = schemas_.find(op_type);
  return it == schemas_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::op_types() const {
  std::vector<std::string> r;
  for (const auto& [k, v] : schemas_) r.push_back(k);
  return r;
}

std::vector<TensorType> infer_node(const Node& node, const std::vector<TensorType>& inputs,
                                   const std::vector<const Tensor*>& values, std::map<size_t, Tensor>* out_values) {
  const OpSchema* s = OpRegistry::instance().find(node.op_type);
  if (!s) fail(ErrorKind::Unsupported, node.label() + ": op type '" + node.op_type + "' is not supported");
  int n_in = static_cast<int>(node.inputs.size());
  if (n_in < s->min_inputs || n_in > s->max_inputs)
    node.fail_node("expected " + std::to_string(s->min_inputs) +
                   (s->max_inputs != s->min_inputs ? "-" + std::to_string(s->max_inputs) : "") + " inputs, got " +
                   std::to_string(n_in));
  int n_out = static_cast<int>(node.outputs.size());
  if (n_out < s->min_outputs || n_out > s->max_outputs)
    node.fail_node("expected " + std::to_string(s->min_outputs) +
                   (s->max_outputs != s->min_outputs ? "-" + std::to_string(s->max_outputs) : "") + " outputs, got " +
                   std::to_string(n_out));
  InferContext ctx(node, inputs, values);
  std::vector<TensorType> out = s->infer(ctx);
  if (out.size() < node.outputs.size()) out.resize(node.outputs.size());
  for (const auto& t : out) checked_numel(t.shape, node.label() + ": output");
  if (out_values) *out_values = std::move(ctx.output_values());
  return out;
}

int64_t node_flops(const Node& n, const std::vector<TensorType>& in, const std::vector<TensorType>& out) {
  const OpSchema* s = OpRegistry::instance().find(n.op_type);
  if (s && s->flops) return s->flops(n, in, out);
  int64_t e = 0;
  for (const auto& o : out) e += o.dtype == DType::Undefined ? 0 : checked_numel(o.shape);
  return e;
}

Shape broadcast_shapes(const InferContext& ctx, const std::vector<Shape>& shapes) {
  size_t r = 0;
  for (const auto& s : shapes) r = std::max(r, s.size());
  Shape out(r, 1);
  for (const auto& s : shapes) {
    size_t off = r - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[i];
      int64_t& o = out[off + i];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string msg = "shapes cannot be broadcast:";
      for (const auto& x : shapes) msg += " " + shape_str(x);
      ctx.fail(msg);
    }
  }
  return out;
}

}  // namespace fs
