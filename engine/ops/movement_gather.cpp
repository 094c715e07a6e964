// Schemas for ops that read or write elements at indices: Gather, GatherElements, GatherND,
// ScatterElements, ScatterND, OneHot.
#include "engine/ops/movement_util.h"

namespace fs {
namespace {

using movement::check_dtype;
using movement::no_flops;

std::vector<TensorType> infer_gather(InferContext& ctx) {
  const Shape& data = ctx.shape(0);
  const Shape& idx = ctx.shape(1);
  check_dtype(ctx, 1, movement::index_dtypes(), "indices");
  if (data.empty()) ctx.fail("input 'data' must have rank >= 1, got a scalar");
  int64_t axis = ctx.axis(ctx.node().attr_int("axis", 0), ctx.rank(0));
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  return {{ctx.dtype(0), out}};
}

// GatherElements / ScatterElements: indices of the data's rank, no larger than it off the axis.
int64_t check_elements_indices(const InferContext& ctx, const Shape& data, const Shape& idx) {
  check_dtype(ctx, 1, movement::index_dtypes(), "indices");
  if (data.empty()) ctx.fail("input 'data' must have rank >= 1, got a scalar");
  if (idx.size() != data.size())
    ctx.fail("indices " + shape_str(idx) + " must have the rank of data " + shape_str(data));
  int64_t axis = ctx.axis(ctx.node().attr_int("axis", 0), ctx.rank(0));
  for (size_t d = 0; d < data.size(); ++d)
    if (static_cast<int64_t>(d) != axis && idx[d] > data[d])
      ctx.fail("indices " + shape_str(idx) + " is larger than data " + shape_str(data) + " in dimension " +
               std::to_string(d));
  return axis;
}

std::vector<TensorType> infer_gather_elements(InferContext& ctx) {
  check_elements_indices(ctx, ctx.shape(0), ctx.shape(1));
  return {{ctx.dtype(0), ctx.shape(1)}};
}

void check_reduction(const InferContext& ctx) {
  std::string red = ctx.node().attr_string("reduction", "none");
  if (red != "none" && red != "add" && red != "mul" && red != "max" && red != "min")
    ctx.fail_attr("reduction", "expected 'none', 'add', 'mul', 'max' or 'min', got '" + red + "'");
}

void check_updates_dtype(const InferContext& ctx) {
  if (ctx.dtype(2) != ctx.dtype(0))
    ctx.fail("updates have dtype " + std::string(dtype_name(ctx.dtype(2))) + ", data has " +
             std::string(dtype_name(ctx.dtype(0))));
}

std::vector<TensorType> infer_scatter_elements(InferContext& ctx) {
  check_reduction(ctx);
  check_elements_indices(ctx, ctx.shape(0), ctx.shape(1));
  check_updates_dtype(ctx);
  if (ctx.shape(2) != ctx.shape(1))
    ctx.fail("updates " + shape_str(ctx.shape(2)) + " must have the shape of indices " + shape_str(ctx.shape(1)));
  return {ctx.input(0)};
}

// GatherND / ScatterND: the last indices dimension k (indexed data dimensions), validated.
int64_t nd_index_depth(const InferContext& ctx, int64_t batch_dims) {
  const Shape& data = ctx.shape(0);
  const Shape& idx = ctx.shape(1);
  check_dtype(ctx, 1, {DType::I64}, "indices");
  if (data.empty()) ctx.fail("input 'data' must have rank >= 1, got a scalar");
  if (idx.empty()) ctx.fail("input 'indices' must have rank >= 1, got a scalar");
  int64_t k = idx.back(), r = ctx.rank(0);
  if (k < 1 || k > r - batch_dims)
    ctx.fail("the last dimension of indices " + shape_str(idx) + " must be in [1, " + std::to_string(r - batch_dims) +
             "] for data " + shape_str(data) + (batch_dims ? " and batch_dims " + std::to_string(batch_dims) : ""));
  return k;
}

std::vector<TensorType> infer_gather_nd(InferContext& ctx) {
  const Shape& data = ctx.shape(0);
  const Shape& idx = ctx.shape(1);
  int64_t b = ctx.node().attr_int("batch_dims", 0);
  int64_t q = ctx.rank(1), r = ctx.rank(0);
  if (b < 0 || b >= std::min(q, r))
    ctx.fail_attr("batch_dims", std::to_string(b) + " is out of range [0, " + std::to_string(std::min(q, r) - 1) +
                                    "] for data " + shape_str(data) + " and indices " + shape_str(idx));
  for (int64_t d = 0; d < b; ++d)
    if (data[d] != idx[d])
      ctx.fail("batch dimension " + std::to_string(d) + " differs between data " + shape_str(data) + " and indices " +
               shape_str(idx));
  int64_t k = nd_index_depth(ctx, b);
  Shape out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), data.begin() + b + k, data.end());
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_scatter_nd(InferContext& ctx) {
  check_reduction(ctx);
  const Shape& data = ctx.shape(0);
  const Shape& idx = ctx.shape(1);
  int64_t k = nd_index_depth(ctx, 0);
  check_updates_dtype(ctx);
  Shape want(idx.begin(), idx.end() - 1);
  want.insert(want.end(), data.begin() + k, data.end());
  if (ctx.shape(2) != want)
    ctx.fail("updates " + shape_str(ctx.shape(2)) + " must have shape " + shape_str(want) + " for data " +
             shape_str(data) + " and indices " + shape_str(idx));
  return {ctx.input(0)};
}

std::vector<TensorType> infer_one_hot(InferContext& ctx) {
  const Shape& idx = ctx.shape(0);
  if (ctx.dtype(0) == DType::Bool || ctx.dtype(1) == DType::Bool)
    ctx.fail("indices and depth must be numeric, not bool");
  movement::check_single(ctx, 1, "depth");
  movement::check_1d(ctx, 2, "values");
  if (ctx.shape(2)[0] != 2) ctx.fail("values must hold 2 elements [off, on], got shape " + shape_str(ctx.shape(2)));
  int64_t r = ctx.rank(0) + 1;
  int64_t axis = ctx.node().attr_int("axis", -1);
  if (axis < -r || axis >= r)
    ctx.fail_attr("axis", "axis " + std::to_string(axis) + " is out of range for output rank " + std::to_string(r));
  if (axis < 0) axis += r;
  int64_t depth = ctx.value(1).get_i64(0);
  if (depth <= 0) ctx.fail("depth must be positive, got " + std::to_string(depth));
  Shape out = idx;
  out.insert(out.begin() + axis, depth);
  return {{ctx.dtype(2), out}};
}

FS_REGISTER_OP(OpSchema{
    .op_type = "Gather", .min_inputs = 2, .max_inputs = 2, .infer = infer_gather, .flops = no_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "GatherElements", .min_inputs = 2, .max_inputs = 2, .infer = infer_gather_elements, .flops = no_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "GatherND", .min_inputs = 2, .max_inputs = 2, .infer = infer_gather_nd, .flops = no_flops});
FS_REGISTER_OP(OpSchema{
    .op_type = "ScatterElements", .min_inputs = 3, .max_inputs = 3, .infer = infer_scatter_elements});
FS_REGISTER_OP(OpSchema{.op_type = "ScatterND", .min_inputs = 3, .max_inputs = 3, .infer = infer_scatter_nd});
FS_REGISTER_OP(OpSchema{
    .op_type = "OneHot", .min_inputs = 3, .max_inputs = 3, .infer = infer_one_hot, .flops = no_flops});

}  // namespace
}  // namespace fs
