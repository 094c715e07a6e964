// Schemas of the broadcasting binary and variadic ops: arithmetic (Add, Sub, Mul, Div, Pow, Mod),
// Max/Min/Sum/Mean, BitShift, logic (And, Or, Xor), comparisons (bool out) and Where.
#include "engine/ops/elementwise_util.h"

namespace fs {
namespace {

using namespace elementwise_schema;

// Inputs of one allowed dtype, broadcast numpy-style; output dtype `out` (Undefined = the inputs').
OpSchema broadcasting(const char* op, std::vector<DType> allowed, DType out = DType::Undefined, int min_inputs = 2,
                      int max_inputs = 2) {
  return OpSchema{
      .op_type = op, .min_inputs = min_inputs, .max_inputs = max_inputs, .infer = [allowed, out](InferContext& ctx) {
        require_dtype(ctx, 0, allowed);
        std::vector<Shape> shapes;
        for (size_t i = 0; i < ctx.num_inputs(); ++i) {
          require_same_dtype(ctx, 0, i);
          shapes.push_back(ctx.shape(i));
        }
        DType t = out == DType::Undefined ? ctx.dtype(0) : out;
        return std::vector<TensorType>{{t, broadcast_shapes(ctx, shapes)}};
      }};
}

FS_REGISTER_OP(broadcasting("Add", numeric_types()));
FS_REGISTER_OP(broadcasting("Sub", numeric_types()));
FS_REGISTER_OP(broadcasting("Mul", numeric_types()));
FS_REGISTER_OP(broadcasting("Div", numeric_types()));
FS_REGISTER_OP(broadcasting("Max", numeric_types(), DType::Undefined, 1, kVariadic));
FS_REGISTER_OP(broadcasting("Min", numeric_types(), DType::Undefined, 1, kVariadic));
FS_REGISTER_OP(broadcasting("Sum", float_types(), DType::Undefined, 1, kVariadic));
FS_REGISTER_OP(broadcasting("Mean", float_types(), DType::Undefined, 1, kVariadic));
FS_REGISTER_OP(broadcasting("And", bool_type(), DType::Bool));
FS_REGISTER_OP(broadcasting("Or", bool_type(), DType::Bool));
FS_REGISTER_OP(broadcasting("Xor", bool_type(), DType::Bool));
FS_REGISTER_OP(broadcasting("Equal", all_types(), DType::Bool));
FS_REGISTER_OP(broadcasting("Greater", numeric_types(), DType::Bool));
FS_REGISTER_OP(broadcasting("GreaterOrEqual", numeric_types(), DType::Bool));
FS_REGISTER_OP(broadcasting("Less", numeric_types(), DType::Bool));
FS_REGISTER_OP(broadcasting("LessOrEqual", numeric_types(), DType::Bool));

Shape broadcast2(const InferContext& ctx) { return broadcast_shapes(ctx, {ctx.shape(0), ctx.shape(1)}); }

// Pow: base and exponent may have different dtypes; the output has the base's.
std::vector<TensorType> infer_pow(InferContext& ctx) {
  require_dtype(ctx, 0, join(float_types(), {DType::I32, DType::I64}));
  require_dtype(ctx, 1, numeric_types());
  return {{ctx.dtype(0), broadcast2(ctx)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Pow", .min_inputs = 2, .max_inputs = 2, .infer = infer_pow});

// Mod: fmod=0 (integer mod, sign of the divisor) is only defined for integers.
std::vector<TensorType> infer_mod(InferContext& ctx) {
  require_dtype(ctx, 0, numeric_types());
  require_same_dtype(ctx, 0, 1);
  bool fmod = bool_attr(ctx, "fmod", 0);
  if (!fmod && is_float(ctx.dtype(0)))
    ctx.fail_attr("fmod", "must be 1 for floating-point inputs (" + std::string(dtype_name(ctx.dtype(0))) + ")");
  return {{ctx.dtype(0), broadcast2(ctx)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Mod", .min_inputs = 2, .max_inputs = 2, .infer = infer_mod});

std::vector<TensorType> infer_bit_shift(InferContext& ctx) {
  require_dtype(ctx, 0, unsigned_int_types());
  require_same_dtype(ctx, 0, 1);
  if (!ctx.node().has_attr("direction")) ctx.fail_attr("direction", "required attribute is missing");
  std::string d = ctx.node().attr_string("direction", "");
  if (d != "LEFT" && d != "RIGHT") ctx.fail_attr("direction", "expected LEFT or RIGHT, got '" + d + "'");
  return {{ctx.dtype(0), broadcast2(ctx)}};
}
FS_REGISTER_OP(OpSchema{.op_type = "BitShift", .min_inputs = 2, .max_inputs = 2, .infer = infer_bit_shift});

// Where(condition, X, Y): three-way broadcast; output has X's dtype.
std::vector<TensorType> infer_where(InferContext& ctx) {
  require_dtype(ctx, 0, bool_type());
  require_same_dtype(ctx, 1, 2);
  Shape s = broadcast_shapes(ctx, {ctx.shape(0), ctx.shape(1), ctx.shape(2)});
  return std::vector<TensorType>{{ctx.dtype(1), s}};
}
FS_REGISTER_OP(OpSchema{.op_type = "Where", .min_inputs = 3, .max_inputs = 3, .infer = infer_where});

}  // namespace
}  // namespace fs
