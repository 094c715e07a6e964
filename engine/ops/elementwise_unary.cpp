// Schemas of the unary math ops (Abs ... Atanh, Erf, Sign), the float predicates IsNaN/IsInf and
// logical Not: one input, output of the same shape (and dtype, except the predicates' bool).
#include "engine/ops/elementwise_util.h"

namespace fs {
namespace {

using namespace elementwise_schema;

// One input of an allowed dtype; the output has the input's dtype and shape.
OpSchema same_type_unary(const char* op, std::vector<DType> allowed) {
  return OpSchema{.op_type = op, .infer = [allowed](InferContext& ctx) {
                    require_dtype(ctx, 0, allowed);
                    return std::vector<TensorType>{ctx.input(0)};
                  }};
}

FS_REGISTER_OP(same_type_unary("Abs", numeric_types()));
FS_REGISTER_OP(same_type_unary("Neg", signed_types()));
FS_REGISTER_OP(same_type_unary("Sign", numeric_types()));
FS_REGISTER_OP(same_type_unary("Erf", numeric_types()));
FS_REGISTER_OP(same_type_unary("Ceil", float_types()));
FS_REGISTER_OP(same_type_unary("Floor", float_types()));
FS_REGISTER_OP(same_type_unary("Round", float_types()));
FS_REGISTER_OP(same_type_unary("Sqrt", float_types()));
FS_REGISTER_OP(same_type_unary("Reciprocal", float_types()));
FS_REGISTER_OP(same_type_unary("Exp", float_types()));
FS_REGISTER_OP(same_type_unary("Log", float_types()));
FS_REGISTER_OP(same_type_unary("Sin", float_types()));
FS_REGISTER_OP(same_type_unary("Cos", float_types()));
FS_REGISTER_OP(same_type_unary("Tan", float_types()));
FS_REGISTER_OP(same_type_unary("Asin", float_types()));
FS_REGISTER_OP(same_type_unary("Acos", float_types()));
FS_REGISTER_OP(same_type_unary("Atan", float_types()));
FS_REGISTER_OP(same_type_unary("Sinh", float_types()));
FS_REGISTER_OP(same_type_unary("Cosh", float_types()));
FS_REGISTER_OP(same_type_unary("Asinh", float_types()));
FS_REGISTER_OP(same_type_unary("Acosh", float_types()));
FS_REGISTER_OP(same_type_unary("Atanh", float_types()));
FS_REGISTER_OP(same_type_unary("Not", bool_type()));

std::vector<TensorType> infer_is_nan(InferContext& ctx) {
  require_dtype(ctx, 0, float_types());
  return std::vector<TensorType>{{DType::Bool, ctx.shape(0)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "IsNaN", .infer = infer_is_nan});

std::vector<TensorType> infer_is_inf(InferContext& ctx) {
  require_dtype(ctx, 0, float_types());
  bool_attr(ctx, "detect_negative", 1);
  bool_attr(ctx, "detect_positive", 1);
  return std::vector<TensorType>{{DType::Bool, ctx.shape(0)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "IsInf", .infer = infer_is_inf});

}  // namespace
}  // namespace fs
