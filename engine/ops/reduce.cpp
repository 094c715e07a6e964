// Schemas for the Reduce* family (axes as attribute or as optional input 1, keepdims,
// noop_with_empty_axes) and for ArgMax / ArgMin (axis, keepdims, select_last_index; int64 out).
#include "engine/op_schema.h"

namespace fs {
namespace {

int64_t bool_attr(const InferContext& ctx, const std::string& name, int64_t def) {
  int64_t v = ctx.node().attr_int(name, def);
  if (v != 0 && v != 1) ctx.fail_attr(name, "expected 0 or 1, got " + std::to_string(v));
  return v;
}

// The reduced axes of a Reduce* node as a mask over the input's dimensions.
std::vector<bool> reduced_mask(InferContext& ctx) {
  const Node& n = ctx.node();
  int64_t r = ctx.rank(0);
  bool noop = bool_attr(ctx, "noop_with_empty_axes", 0) != 0;
  std::vector<int64_t> axes;
  if (ctx.has_input(1)) {
    if (n.has_attr("axes")) ctx.fail_attr("axes", "axes are given both as an attribute and as input 1");
    if (ctx.dtype(1) != DType::I64)
      ctx.fail("input 1 (axes) must be int64, got " + std::string(dtype_name(ctx.dtype(1))));
    if (ctx.rank(1) > 1) ctx.fail("input 1 (axes) must be 1-D, got shape " + shape_str(ctx.shape(1)));
    axes = ctx.value(1).to_i64_vector();
  } else {
    axes = n.attr_ints("axes");
  }
  std::vector<bool> mask(static_cast<size_t>(r), false);
  if (axes.empty()) {
    if (!noop) mask.assign(static_cast<size_t>(r), true);
    return mask;
  }
  for (int64_t a : axes) {
    if (a < -r || a >= r)
      ctx.fail_attr("axes", "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
    int64_t k = a < 0 ? a + r : a;
    if (mask[static_cast<size_t>(k)]) ctx.fail_attr("axes", "axis " + std::to_string(a) + " is repeated");
    mask[static_cast<size_t>(k)] = true;
  }
  return mask;
}

std::vector<TensorType> infer_reduce(InferContext& ctx) {
  const std::string& op = ctx.node().op_type;
  DType t = ctx.dtype(0);
  bool bool_ok = op == "ReduceMax" || op == "ReduceMin";
  if (t == DType::Bool && !bool_ok) ctx.fail(op + " does not accept bool input");
  int64_t keepdims = bool_attr(ctx, "keepdims", 1);
  std::vector<bool> mask = reduced_mask(ctx);
  const Shape& in = ctx.shape(0);
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!mask[i])
      out.push_back(in[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return {{t, out}};
}

// One FLOP per input element (each is read and combined once).
int64_t reduce_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  int64_t n = 1;
  for (int64_t d : in[0].shape) n *= d;
  return n;
}

std::vector<TensorType> infer_arg(InferContext& ctx) {
  if (ctx.dtype(0) == DType::Bool) ctx.fail(ctx.node().op_type + " does not accept bool input");
  int64_t r = ctx.rank(0);
  if (r == 0) ctx.fail("input 0 must have rank >= 1, got a scalar");
  int64_t axis = ctx.axis(ctx.node().attr_int("axis", 0), r);
  int64_t keepdims = bool_attr(ctx, "keepdims", 1);
  bool_attr(ctx, "select_last_index", 0);
  const Shape& in = ctx.shape(0);
  if (in[static_cast<size_t>(axis)] == 0)
    ctx.fail("cannot take " + ctx.node().op_type + " over axis " + std::to_string(axis) + " of size 0 (shape " +
             shape_str(in) + ")");
  Shape out;
  for (int64_t i = 0; i < r; ++i) {
    if (i != axis)
      out.push_back(in[static_cast<size_t>(i)]);
    else if (keepdims)
      out.push_back(1);
  }
  return {{DType::I64, out}};
}

OpSchema reduce_schema(const char* name) {
  return OpSchema{.op_type = name, .min_inputs = 1, .max_inputs = 2, .infer = infer_reduce, .flops = reduce_flops};
}

FS_REGISTER_OP(reduce_schema("ReduceSum"));
FS_REGISTER_OP(reduce_schema("ReduceMean"));
FS_REGISTER_OP(reduce_schema("ReduceMax"));
FS_REGISTER_OP(reduce_schema("ReduceMin"));
FS_REGISTER_OP(reduce_schema("ReduceProd"));
FS_REGISTER_OP(reduce_schema("ReduceL1"));
FS_REGISTER_OP(reduce_schema("ReduceL2"));
FS_REGISTER_OP(reduce_schema("ReduceLogSum"));
FS_REGISTER_OP(reduce_schema("ReduceLogSumExp"));
FS_REGISTER_OP(reduce_schema("ReduceSumSquare"));

FS_REGISTER_OP(OpSchema{
    .op_type = "ArgMax", .min_inputs = 1, .max_inputs = 1, .infer = infer_arg, .flops = reduce_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "ArgMin", .min_inputs = 1, .max_inputs = 1, .infer = infer_arg, .flops = reduce_flops});

}  // namespace
}  // namespace fs
