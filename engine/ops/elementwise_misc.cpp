// Schemas of the data-movement and constant ops of the elementwise family: Identity, Dropout
// (inference only), Cast, CastLike, Constant, ConstantOfShape, Shape and Size.
#include "engine/ops/elementwise_util.h"

namespace fs {
namespace {

using namespace elementwise_schema;

std::vector<TensorType> infer_identity(InferContext& ctx) { return {ctx.input(0)}; }
FS_REGISTER_OP(OpSchema{.op_type = "Identity", .infer = infer_identity});

// Dropout(data, ratio?, training_mode?) -> (output, mask?): only the inference form (identity).
std::vector<TensorType> infer_dropout(InferContext& ctx) {
  require_dtype(ctx, 0, float_types());
  const Node& n = ctx.node();
  if (n.has_attr("ratio")) {  // opset < 12
    float r = n.attr_float("ratio", 0.5f);
    if (!(r >= 0.0f && r < 1.0f)) ctx.fail_attr("ratio", "must be in [0, 1), got " + std::to_string(r));
  }
  if (n.has_attr("is_test") && n.attr_int("is_test", 1) == 0)  // opset < 7
    fail(ErrorKind::Unsupported, n.label() + ": attribute 'is_test': training mode is not supported");
  if (ctx.has_input(1)) {
    require_dtype(ctx, 1, float_types());
    if (numel_of(ctx.shape(1)) != 1) ctx.fail("ratio (input 1) must be a scalar, got shape " + shape_str(ctx.shape(1)));
    if (ctx.value_known(1)) {
      double r = ctx.value(1).get_f64(0);
      if (!(r >= 0.0 && r < 1.0)) ctx.fail("ratio (input 1) must be in [0, 1), got " + std::to_string(r));
    }
  }
  if (ctx.has_input(2)) {
    require_dtype(ctx, 2, bool_type());
    if (numel_of(ctx.shape(2)) != 1)
      ctx.fail("training_mode (input 2) must be a scalar, got shape " + shape_str(ctx.shape(2)));
    if (ctx.value_known(2) && ctx.value(2).get_i64(0) != 0)
      fail(ErrorKind::Unsupported, n.label() + ": training mode is not supported");
  }
  return std::vector<TensorType>{ctx.input(0), {DType::Bool, ctx.shape(0)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Dropout",
                        .min_inputs = 1,
                        .max_inputs = 3,
                        .min_outputs = 1,
                        .max_outputs = 2,
                        .infer = infer_dropout});

// The flipscope dtype named by an ONNX type code, or an Unsupported error naming the attribute.
DType target_dtype(const InferContext& ctx, const std::string& attr) {
  int64_t code = ctx.node().attr_int(attr);
  DType t = dtype_from_onnx(static_cast<int>(code));
  if (t != DType::Undefined) return t;
  static const std::map<int64_t, const char*> kNames = {
      {0, "UNDEFINED"},       {8, "STRING"},      {14, "COMPLEX64"},      {15, "COMPLEX128"}, {17, "FLOAT8E4M3FN"},
      {18, "FLOAT8E4M3FNUZ"}, {19, "FLOAT8E5M2"}, {20, "FLOAT8E5M2FNUZ"}, {21, "UINT4"},      {22, "INT4"}};
  auto it = kNames.find(code);
  if (it == kNames.end()) ctx.fail_attr(attr, std::to_string(code) + " is not an ONNX tensor element type");
  fail(ErrorKind::Unsupported,
       ctx.node().label() + ": attribute '" + attr + "': casting to " + it->second + " is not supported");
}

std::vector<TensorType> infer_cast(InferContext& ctx) {
  return std::vector<TensorType>{{target_dtype(ctx, "to"), ctx.shape(0)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Cast", .infer = infer_cast});

std::vector<TensorType> infer_cast_like(InferContext& ctx) {
  return std::vector<TensorType>{{ctx.dtype(1), ctx.shape(0)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "CastLike", .min_inputs = 2, .max_inputs = 2, .infer = infer_cast_like});

// Constant: the attribute is the value, so inference can fold it right away.
std::vector<TensorType> infer_constant(InferContext& ctx) {
  Tensor t = constant_attr_value(ctx.node());
  TensorType type{t.dtype(), t.shape()};
  ctx.set_output_value(0, std::move(t));
  return std::vector<TensorType>{type};
}
FS_REGISTER_OP(OpSchema{.op_type = "Constant", .min_inputs = 0, .max_inputs = 0, .infer = infer_constant});

std::vector<TensorType> infer_constant_of_shape(InferContext& ctx) {
  require_dtype(ctx, 0, {DType::I64});
  if (ctx.rank(0) != 1) ctx.fail("the shape input must be 1-D, got shape " + shape_str(ctx.shape(0)));
  DType t = constant_of_shape_value(ctx.node()).dtype();
  Shape s = ctx.value(0).to_i64_vector();
  for (int64_t d : s)
    if (d < 0) ctx.fail("the shape input " + shape_str(s) + " has a negative dimension");
  return std::vector<TensorType>{{t, s}};
}
FS_REGISTER_OP(OpSchema{.op_type = "ConstantOfShape", .infer = infer_constant_of_shape});

// Shape and Size only need the input's shape: their values are known during inference.
std::vector<TensorType> infer_shape(InferContext& ctx) {
  auto [start, end] = shape_range(ctx.node(), ctx.rank(0));
  Tensor v(DType::I64, {end - start});
  for (int64_t i = start; i < end; ++i) v.set_i64(i - start, ctx.shape(0)[i]);
  ctx.set_output_value(0, v);
  return std::vector<TensorType>{{DType::I64, v.shape()}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Shape", .infer = infer_shape});

std::vector<TensorType> infer_size(InferContext& ctx) {
  Tensor v(DType::I64, {});
  v.set_i64(0, numel_of(ctx.shape(0)));
  ctx.set_output_value(0, v);
  return std::vector<TensorType>{{DType::I64, {}}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Size", .infer = infer_size});

}  // namespace
}  // namespace fs
