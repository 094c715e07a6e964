// Schemas for ops that select, mask, reorder or accumulate elements along an axis: Compress,
// NonZero, ReverseSequence, Trilu, CumSum.
#include "engine/ops/movement_util.h"

namespace fs {
namespace {

using movement::check_1d;
using movement::check_dtype;
using movement::no_flops;

int64_t bool_attr(const InferContext& ctx, const std::string& name, int64_t def) {
  int64_t v = ctx.node().attr_int(name, def);
  if (v != 0 && v != 1) ctx.fail_attr(name, "expected 0 or 1, got " + std::to_string(v));
  return v;
}

std::vector<TensorType> infer_compress(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  check_dtype(ctx, 1, {DType::Bool}, "condition");
  check_1d(ctx, 1, "condition");
  bool has_axis = ctx.node().has_attr("axis");
  int64_t axis = has_axis ? ctx.axis(ctx.node().attr_int("axis"), ctx.rank(0)) : 0;
  int64_t len = has_axis ? in[axis] : movement::numel(in);
  const Tensor& cond = ctx.value(1);
  int64_t kept = 0;
  for (int64_t i = 0; i < std::min(len, cond.numel()); ++i) kept += cond.get_i64(i) != 0;
  if (!has_axis) return {{ctx.dtype(0), {kept}}};
  Shape out = in;
  out[axis] = kept;
  return {{ctx.dtype(0), out}};
}

std::vector<TensorType> infer_non_zero(InferContext& ctx) {
  const Tensor& x = ctx.value(0);
  int64_t nnz = 0;
  for (int64_t i = 0; i < x.numel(); ++i) nnz += is_float(x.dtype()) ? x.get_f64(i) != 0.0 : x.get_i64(i) != 0;
  int64_t coords = std::max<int64_t>(ctx.rank(0), 1);  // a scalar counts as 1-D, as in ONNX Runtime
  return {{DType::I64, {coords, nnz}}};
}

std::vector<TensorType> infer_reverse_sequence(InferContext& ctx) {
  const Shape& in = ctx.shape(0);
  if (in.size() < 2) ctx.fail("input must have rank >= 2, got shape " + shape_str(in));
  int64_t batch = ctx.node().attr_int("batch_axis", 1), time = ctx.node().attr_int("time_axis", 0);
  if (batch != 0 && batch != 1) ctx.fail_attr("batch_axis", "must be 0 or 1, got " + std::to_string(batch));
  if (time != 0 && time != 1) ctx.fail_attr("time_axis", "must be 0 or 1, got " + std::to_string(time));
  if (batch == time) ctx.fail_attr("time_axis", "must differ from batch_axis (both are " + std::to_string(time) + ")");
  check_dtype(ctx, 1, {DType::I64}, "sequence_lens");
  check_1d(ctx, 1, "sequence_lens");
  if (ctx.shape(1)[0] != in[batch])
    ctx.fail("sequence_lens " + shape_str(ctx.shape(1)) + " must have one value per batch entry (input " +
             shape_str(in) + ", batch_axis " + std::to_string(batch) + ")");
  return {ctx.input(0)};
}

std::vector<TensorType> infer_trilu(InferContext& ctx) {
  bool_attr(ctx, "upper", 1);
  if (ctx.rank(0) < 2) ctx.fail("input must have rank >= 2, got shape " + shape_str(ctx.shape(0)));
  if (ctx.has_input(1)) {
    check_dtype(ctx, 1, {DType::I64}, "k");
    movement::check_single(ctx, 1, "k");
  }
  return {ctx.input(0)};
}

std::vector<TensorType> infer_cum_sum(InferContext& ctx) {
  bool_attr(ctx, "exclusive", 0);
  bool_attr(ctx, "reverse", 0);
  if (ctx.dtype(0) == DType::Bool) ctx.fail("input 'x' must be numeric, not bool");
  check_dtype(ctx, 1, movement::index_dtypes(), "axis");
  movement::check_single(ctx, 1, "axis");
  if (ctx.value_known(1)) {
    int64_t a = ctx.value(1).get_i64(0), r = ctx.rank(0);
    if (a < -r || a >= r)
      ctx.fail("input 'axis' is " + std::to_string(a) + ", out of range for input " + shape_str(ctx.shape(0)));
  }
  return {ctx.input(0)};
}

FS_REGISTER_OP(OpSchema{
    .op_type = "Compress", .min_inputs = 2, .max_inputs = 2, .infer = infer_compress, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "NonZero", .infer = infer_non_zero, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "ReverseSequence",
                        .min_inputs = 2,
                        .max_inputs = 2,
                        .infer = infer_reverse_sequence,
                        .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "Trilu", .min_inputs = 1, .max_inputs = 2, .infer = infer_trilu, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "CumSum", .min_inputs = 2, .max_inputs = 2, .infer = infer_cum_sum});

}  // namespace
}  // namespace fs
