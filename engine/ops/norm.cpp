// Schemas for the normalizations: BatchNormalization (inference), InstanceNormalization,
// LayerNormalization, LRN, LpNormalization and MeanVarianceNormalization.
#include <cmath>
#include <set>

#include "engine/ops/nn_util.h"

namespace fs {
namespace {

void check_epsilon(const InferContext& ctx) {
  float eps = ctx.node().attr_float("epsilon", 1e-5f);
  if (!(eps >= 0)) ctx.fail_attr("epsilon", "must be >= 0, got " + std::to_string(eps));
}

std::vector<TensorType> infer_batch_norm(InferContext& ctx) {
  const Node& node = ctx.node();
  if (node.attr_int("training_mode", 0) != 0)
    fail(ErrorKind::Unsupported, node.label() + ": attribute 'training_mode': training mode is not supported");
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (node.outputs[i] != kNoValue)
      fail(ErrorKind::Unsupported, node.label() + ": output " + std::to_string(i) +
                                       " (running/saved mean or variance) is only produced in training mode, "
                                       "which is not supported");
  check_epsilon(ctx);
  nn::require_float(ctx, 0, "X");
  nn::require_rank_at_least(ctx, 0, "X", 2);
  const Shape& x = ctx.shape(0);
  // opset < 9 'spatial' = 0: the parameters may hold one value per element of [C, D1, ...].
  int64_t spatial = node.attr_int("spatial", 1);
  if (spatial != 0 && spatial != 1) ctx.fail_attr("spatial", "must be 0 or 1, got " + std::to_string(spatial));
  Shape per_element(x.begin() + 1, x.end());
  static const char* names[] = {"", "scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i <= 4; ++i) {
    nn::require_float(ctx, i, names[i]);
    const Shape& s = ctx.shape(i);
    bool ok = s == Shape{x[1]} || (spatial == 0 && s == per_element);
    if (!ok)
      ctx.fail(std::string("input ") + std::to_string(i) + " (" + names[i] + ") must have shape [" +
               std::to_string(x[1]) + "]" + (spatial == 0 ? " or " + shape_str(per_element) : "") + ", got " +
               shape_str(s));
  }
  return {{ctx.dtype(0), x}};
}

std::vector<TensorType> infer_instance_norm(InferContext& ctx) {
  check_epsilon(ctx);
  nn::require_float(ctx, 0, "input");
  nn::require_rank_at_least(ctx, 0, "input", 3);
  const Shape& x = ctx.shape(0);
  for (size_t i = 1; i <= 2; ++i) {
    nn::require_same_dtype(ctx, 0, i);
    if (ctx.shape(i) != Shape{x[1]})
      ctx.fail("input " + std::to_string(i) + (i == 1 ? " (scale)" : " (B)") + " must have shape [" +
               std::to_string(x[1]) + "], got " + shape_str(ctx.shape(i)));
  }
  return {{ctx.dtype(0), x}};
}

std::vector<TensorType> infer_layer_norm(InferContext& ctx) {
  const Node& node = ctx.node();
  check_epsilon(ctx);
  nn::require_float(ctx, 0, "X");
  const Shape& x = ctx.shape(0);
  nn::require_rank_at_least(ctx, 0, "X", 1);
  int64_t axis = ctx.axis(node.attr_int("axis", -1), ctx.rank(0));
  DType stash = dtype_from_onnx(static_cast<int>(node.attr_int("stash_type", 1)));
  if (stash != DType::F32 && stash != DType::BF16 && stash != DType::F16 && stash != DType::F64)
    ctx.fail_attr("stash_type",
                  "must name a floating-point type (1 = float), got " + std::to_string(node.attr_int("stash_type", 1)));
  Shape normalized(x.begin() + axis, x.end());
  for (size_t i = 1; i <= 2; ++i) {
    if (!ctx.has_input(i)) continue;
    nn::require_float(ctx, i, i == 1 ? "Scale" : "B");
    if (!nn::broadcasts_to(ctx.shape(i), normalized))
      ctx.fail(std::string(i == 1 ? "Scale" : "B") + " of shape " + shape_str(ctx.shape(i)) +
               " does not broadcast to the normalized shape " + shape_str(normalized));
  }
  Shape stats = x;
  for (size_t i = static_cast<size_t>(axis); i < stats.size(); ++i) stats[i] = 1;
  std::vector<TensorType> out{{ctx.dtype(0), x}, {stash, stats}, {stash, stats}};
  out.resize(node.outputs.size());  // Mean and InvStdDev only when asked for
  return out;
}

std::vector<TensorType> infer_lrn(InferContext& ctx) {
  const Node& node = ctx.node();
  nn::require_float(ctx, 0, "X");
  nn::require_rank_at_least(ctx, 0, "X", 2);
  int64_t size = node.attr_int("size");
  if (size < 1) ctx.fail_attr("size", "must be >= 1, got " + std::to_string(size));
  float bias = node.attr_float("bias", 1.0f);
  if (!std::isfinite(bias)) ctx.fail_attr("bias", "must be finite");
  return {ctx.input(0)};
}

std::vector<TensorType> infer_lp_norm(InferContext& ctx) {
  nn::require_float(ctx, 0, "input");
  ctx.axis(ctx.node().attr_int("axis", -1), ctx.rank(0));
  int64_t p = ctx.node().attr_int("p", 2);
  if (p != 1 && p != 2) ctx.fail_attr("p", "must be 1 or 2, got " + std::to_string(p));
  return {ctx.input(0)};
}

std::vector<TensorType> infer_mvn(InferContext& ctx) {
  nn::require_float(ctx, 0, "X");
  std::vector<int64_t> axes = ctx.node().attr_ints("axes", {0, 2, 3});
  std::set<int64_t> seen;
  for (int64_t a : axes)
    if (!seen.insert(ctx.axis(a, ctx.rank(0), "axes")).second)
      ctx.fail_attr("axes", "axis " + std::to_string(a) + " is repeated");
  return {ctx.input(0)};
}

FS_REGISTER_OP(OpSchema{.op_type = "BatchNormalization",
                        .min_inputs = 5,
                        .max_inputs = 5,
                        .min_outputs = 1,
                        .max_outputs = 5,
                        .infer = infer_batch_norm});
FS_REGISTER_OP(OpSchema{
    .op_type = "InstanceNormalization", .min_inputs = 3, .max_inputs = 3, .infer = infer_instance_norm});
FS_REGISTER_OP(OpSchema{.op_type = "LayerNormalization",
                        .min_inputs = 2,
                        .max_inputs = 3,
                        .min_outputs = 1,
                        .max_outputs = 3,
                        .infer = infer_layer_norm});
FS_REGISTER_OP(OpSchema{.op_type = "LRN", .infer = infer_lrn});
FS_REGISTER_OP(OpSchema{.op_type = "LpNormalization", .infer = infer_lp_norm});
FS_REGISTER_OP(OpSchema{.op_type = "MeanVarianceNormalization", .infer = infer_mvn});

}  // namespace
}  // namespace fs
