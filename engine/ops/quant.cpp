// Schemas for QuantizeLinear and DequantizeLinear: per-tensor (single-element scale) or per-axis
// (1-D scale along `axis`) parameters; 8-bit quantized types (and int32 for DequantizeLinear).
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

// Scale / zero point: a single element, or 1-D with one value per index of `axis` of x.
void check_quant_params(const InferContext& ctx, const char* scale_name, const char* zp_name) {
  const Shape& x = ctx.shape(0);
  const Shape& s = ctx.shape(1);
  if (!nn::is_single(s)) {
    if (s.size() != 1) ctx.fail(std::string(scale_name) + " must be a scalar or 1-D, got shape " + shape_str(s));
    if (x.empty()) ctx.fail(std::string("a 1-D ") + scale_name + " needs an input of rank >= 1");
    int64_t axis = ctx.axis(ctx.node().attr_int("axis", 1), ctx.rank(0));
    if (s[0] != x[static_cast<size_t>(axis)])
      ctx.fail(std::string(scale_name) + " of shape " + shape_str(s) + " does not match dimension " +
               std::to_string(axis) + " (size " + std::to_string(x[static_cast<size_t>(axis)]) + ") of the input " +
               shape_str(x));
  }
  if (ctx.has_input(2) && ctx.shape(2) != s && !(nn::is_single(ctx.shape(2)) && nn::is_single(s)))
    ctx.fail(std::string(zp_name) + " of shape " + shape_str(ctx.shape(2)) + " must have the shape of " + scale_name +
             " " + shape_str(s));
}

std::vector<TensorType> infer_quantize(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "x", {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32});
  nn::require_float(ctx, 1, "y_scale");
  DType out = DType::U8;
  if (ctx.has_input(2)) {
    nn::require_dtype(ctx, 2, "y_zero_point", {DType::U8, DType::I8});
    out = ctx.dtype(2);
  }
  check_quant_params(ctx, "y_scale", "y_zero_point");
  return {{out, ctx.shape(0)}};
}

std::vector<TensorType> infer_dequantize(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "x", {DType::U8, DType::I8, DType::I32});
  nn::require_float(ctx, 1, "x_scale");
  if (ctx.has_input(2)) nn::require_same_dtype(ctx, 0, 2);
  check_quant_params(ctx, "x_scale", "x_zero_point");
  return {{ctx.dtype(1), ctx.shape(0)}};
}

FS_REGISTER_OP(OpSchema{.op_type = "QuantizeLinear", .min_inputs = 2, .max_inputs = 3, .infer = infer_quantize});
FS_REGISTER_OP(OpSchema{.op_type = "DequantizeLinear", .min_inputs = 2, .max_inputs = 3, .infer = infer_dequantize});

}  // namespace
}  // namespace fs
