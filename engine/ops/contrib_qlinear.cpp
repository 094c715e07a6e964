// Schemas of ONNX Runtime contrib ops (domain com.microsoft) for QOperator int8 models:
// com.microsoft.QLinearAdd and com.microsoft.QLinearGlobalAveragePool. Ops of a non-default domain
// are registered under "<domain>.<op>" (docs/onnx.md: Domains).
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

const std::vector<DType> kQuantTypes = {DType::U8, DType::I8};

// A scale: float32, a single element (scalar or [1]).
void require_scale(const InferContext& ctx, size_t i, const char* what) {
  nn::require_dtype(ctx, i, what, {DType::F32});
  if (!nn::is_single(ctx.shape(i)))
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must be a scalar, got shape " +
             shape_str(ctx.shape(i)));
}

// A zero point (when present): the dtype of the quantized data, a single element.
void require_zero_point(const InferContext& ctx, size_t i, const char* what, DType data) {
  if (!ctx.has_input(i)) return;
  if (ctx.dtype(i) != data)
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must have the data's dtype " +
             std::string(dtype_name(data)) + ", got " + std::string(dtype_name(ctx.dtype(i))));
  if (!nn::is_single(ctx.shape(i)))
    ctx.fail(std::string("input ") + std::to_string(i) + " (" + what + ") must be a scalar, got shape " +
             shape_str(ctx.shape(i)));
}

// QLinearAdd(A, A_scale, A_zero_point?, B, B_scale, B_zero_point?, C_scale, C_zero_point?) -> C:
// C = saturate(round((A_scale (A - A_zp) + B_scale (B - B_zp)) / C_scale) + C_zp), numpy broadcasting.
std::vector<TensorType> infer_qlinear_add(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "A", kQuantTypes);
  DType t = ctx.dtype(0);
  if (!ctx.has_input(3)) ctx.fail("input 3 (B) is required");
  if (ctx.dtype(3) != t)
    ctx.fail("inputs 0 (A) and 3 (B) must have the same dtype, got " + std::string(dtype_name(t)) + " and " +
             std::string(dtype_name(ctx.dtype(3))));
  require_scale(ctx, 1, "A_scale");
  require_zero_point(ctx, 2, "A_zero_point", t);
  require_scale(ctx, 4, "B_scale");
  require_zero_point(ctx, 5, "B_zero_point", t);
  require_scale(ctx, 6, "C_scale");
  require_zero_point(ctx, 7, "C_zero_point", t);
  return {{t, broadcast_shapes(ctx, {ctx.shape(0), ctx.shape(3)})}};
}

// QLinearGlobalAveragePool(X, x_scale, x_zero_point, y_scale, y_zero_point) -> Y: the mean over
// the spatial axes, [N, C, D1...] -> [N, C, 1...] (channels_last = 1: [N, D1..., C] -> [N, 1..., C]).
std::vector<TensorType> infer_qlinear_global_average_pool(InferContext& ctx) {
  int64_t cl = ctx.node().attr_int("channels_last", 0);
  if (cl != 0 && cl != 1) ctx.fail_attr("channels_last", "must be 0 or 1, got " + std::to_string(cl));
  nn::require_dtype(ctx, 0, "X", kQuantTypes);
  nn::require_rank_at_least(ctx, 0, "X", 3);
  DType t = ctx.dtype(0);
  require_scale(ctx, 1, "x_scale");
  if (!ctx.has_input(2)) ctx.fail("input 2 (x_zero_point) is required");
  require_zero_point(ctx, 2, "x_zero_point", t);
  require_scale(ctx, 3, "y_scale");
  if (!ctx.has_input(4)) ctx.fail("input 4 (y_zero_point) is required");
  require_zero_point(ctx, 4, "y_zero_point", t);
  Shape y = ctx.shape(0);
  size_t first = cl ? 1 : 2, last = cl ? y.size() - 1 : y.size();  // spatial axes [first, last)
  for (size_t i = first; i < last; ++i) y[i] = 1;
  return {{t, y}};
}

int64_t global_pool_flops(const Node&, const std::vector<TensorType>& in, const std::vector<TensorType>&) {
  return in.empty() ? 0 : nn::product(in[0].shape);
}

FS_REGISTER_OP(OpSchema{
    .op_type = "com.microsoft.QLinearAdd", .min_inputs = 7, .max_inputs = 8, .infer = infer_qlinear_add});
FS_REGISTER_OP(OpSchema{.op_type = "com.microsoft.QLinearGlobalAveragePool",
                        .min_inputs = 5,
                        .max_inputs = 5,
                        .infer = infer_qlinear_global_average_pool,
                        .flops = global_pool_flops});

}  // namespace
}  // namespace fs
