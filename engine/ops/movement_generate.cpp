// Schemas for ops that generate tensors from scalars or a shape: Range, EyeLike.
#include <cmath>

#include "engine/limits.h"
#include "engine/ops/movement_util.h"

namespace fs {
namespace {

using movement::no_flops;

std::vector<TensorType> infer_range(InferContext& ctx) {
  movement::check_dtype(ctx, 0, {DType::F32, DType::F64, DType::I16, DType::I32, DType::I64}, "start");
  const char* names[] = {"start", "limit", "delta"};
  for (size_t i = 0; i < 3; ++i) {
    movement::check_single(ctx, i, names[i]);
    if (ctx.dtype(i) != ctx.dtype(0))
      ctx.fail("input '" + std::string(names[i]) + "' has dtype " + std::string(dtype_name(ctx.dtype(i))) +
               ", start has " + std::string(dtype_name(ctx.dtype(0))));
  }
  const Tensor &start = ctx.value(0), &limit = ctx.value(1), &delta = ctx.value(2);
  int64_t n;
  if (is_float(ctx.dtype(0))) {
    double s = start.get_f64(0), l = limit.get_f64(0), d = delta.get_f64(0);
    if (d == 0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d))
      ctx.fail("cannot make a range from start " + std::to_string(s) + " to limit " + std::to_string(l) +
               " with delta " + std::to_string(d));
    double count = std::ceil((l - s) / d);
    if (count > 9e18) ctx.fail("the range has too many elements (" + std::to_string(count) + ")");
    n = count > 0 ? static_cast<int64_t>(count) : 0;
  } else {
    __int128 s = start.get_i64(0), l = limit.get_i64(0), d = delta.get_i64(0);
    if (d == 0) ctx.fail("delta cannot be 0");
    __int128 diff = l - s;
    __int128 count = 0;
    if (d > 0 && diff > 0) count = (diff + d - 1) / d;
    if (d < 0 && diff < 0) count = (-diff + -d - 1) / -d;
    if (count > INT64_MAX) ctx.fail("the range has too many elements");
    n = static_cast<int64_t>(count);
  }
  return {{ctx.dtype(0), {n}}};
}

std::vector<TensorType> infer_eye_like(InferContext& ctx) {
  if (ctx.rank(0) != 2) ctx.fail("input must be 2-D, got shape " + shape_str(ctx.shape(0)));
  DType out = ctx.dtype(0);
  if (ctx.node().has_attr("dtype")) {
    int64_t code = ctx.node().attr_int("dtype");
    out = dtype_from_onnx(static_cast<int>(code));
    if (out == DType::Undefined) ctx.fail_attr("dtype", "unsupported ONNX element type " + std::to_string(code));
  }
  ctx.node().attr_int("k", 0);  // kind check
  return {{out, ctx.shape(0)}};
}

FS_REGISTER_OP(OpSchema{.op_type = "Range", .min_inputs = 3, .max_inputs = 3, .infer = infer_range, .flops = no_flops});
FS_REGISTER_OP(OpSchema{.op_type = "EyeLike", .infer = infer_eye_like, .flops = no_flops});

}  // namespace
}  // namespace fs
