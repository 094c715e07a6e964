// Schemas of the activation functions (LeakyRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid, HardSwish,
// Tanh, Softplus, Softsign, ThresholdedRelu, Shrink, Mish, PRelu, Clip); Relu has its own file.
#include "engine/ops/elementwise_util.h"

namespace fs {
namespace {

using namespace elementwise_schema;

// One input of an allowed dtype, same dtype and shape out. `float_attrs` are read (kind-checked).
OpSchema activation(const char* op, std::vector<DType> allowed, std::vector<std::string> float_attrs = {}) {
  return OpSchema{.op_type = op, .infer = [allowed, float_attrs](InferContext& ctx) {
                    require_dtype(ctx, 0, allowed);
                    for (const auto& a : float_attrs) ctx.node().attr_float(a, 0.0f);
                    return std::vector<TensorType>{ctx.input(0)};
                  }};
}

FS_REGISTER_OP(activation("LeakyRelu", float_types(), {"alpha"}));
FS_REGISTER_OP(activation("Elu", float_types(), {"alpha"}));
FS_REGISTER_OP(activation("Selu", float_types(), {"alpha", "gamma"}));
FS_REGISTER_OP(activation("Sigmoid", float_types()));
FS_REGISTER_OP(activation("HardSigmoid", float_types(), {"alpha", "beta"}));
FS_REGISTER_OP(activation("HardSwish", float_types()));
FS_REGISTER_OP(activation("Tanh", float_types()));
FS_REGISTER_OP(activation("Softplus", float_types()));
FS_REGISTER_OP(activation("Softsign", float_types()));
FS_REGISTER_OP(activation("ThresholdedRelu", float_types(), {"alpha"}));
FS_REGISTER_OP(activation("Shrink", numeric_types(), {"lambd", "bias"}));
FS_REGISTER_OP(activation("Mish", float_types()));

std::vector<TensorType> infer_celu(InferContext& ctx) {
  require_dtype(ctx, 0, float_types());
  if (ctx.node().attr_float("alpha", 1.0f) == 0.0f) ctx.fail_attr("alpha", "must not be 0");
  return std::vector<TensorType>{ctx.input(0)};
}
FS_REGISTER_OP(OpSchema{.op_type = "Celu", .infer = infer_celu});

// PRelu: the slope broadcasts unidirectionally to the input's shape.
std::vector<TensorType> infer_prelu(InferContext& ctx) {
  require_dtype(ctx, 0, join(float_types(), {DType::I32, DType::I64, DType::U32, DType::U64}));
  require_same_dtype(ctx, 0, 1);
  const Shape& x = ctx.shape(0);
  bool ok = ctx.shape(1).size() <= x.size();
  for (size_t i = 0; ok && i < ctx.shape(1).size(); ++i) {
    int64_t d = ctx.shape(1)[ctx.shape(1).size() - 1 - i];
    ok = d == 1 || d == x[x.size() - 1 - i];
  }
  if (!ok)
    ctx.fail("slope shape " + shape_str(ctx.shape(1)) + " cannot be broadcast to the input shape " + shape_str(x));
  return std::vector<TensorType>{ctx.input(0)};
}
FS_REGISTER_OP(OpSchema{.op_type = "PRelu", .min_inputs = 2, .max_inputs = 2, .infer = infer_prelu});

// Clip: optional scalar min (input 1) and max (input 2) of the input's dtype. A float input also
// accepts bounds of another float dtype: the importer turns Clip < 11's float attributes into
// float32 inputs whatever the input's dtype.
std::vector<TensorType> infer_clip(InferContext& ctx) {
  require_dtype(ctx, 0, numeric_types());
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    if (!(is_float(ctx.dtype(0)) && is_float(ctx.dtype(i)))) require_same_dtype(ctx, 0, i);
    if (numel_of(ctx.shape(i)) != 1)
      ctx.fail(std::string(i == 1 ? "min" : "max") + " (input " + std::to_string(i) + ") must be a scalar, got shape " +
               shape_str(ctx.shape(i)));
  }
  return std::vector<TensorType>{ctx.input(0)};
}
FS_REGISTER_OP(OpSchema{.op_type = "Clip", .min_inputs = 1, .max_inputs = 3, .infer = infer_clip});

}  // namespace
}  // namespace fs
