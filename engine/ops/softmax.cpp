// Schemas for Softmax, LogSoftmax and Hardmax: opset-13 semantics (one axis, default -1), or with
// the importer's int attribute legacy_coerce_2d=1 the opset < 13 ones (flatten to 2-D at `axis`,
// default 1, and normalize each row).
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

std::vector<TensorType> infer_softmax(InferContext& ctx) {
  nn::require_float(ctx, 0, "input");
  int64_t legacy = ctx.node().attr_int("legacy_coerce_2d", 0);
  if (legacy != 0 && legacy != 1) ctx.fail_attr("legacy_coerce_2d", "must be 0 or 1, got " + std::to_string(legacy));
  int64_t r = ctx.rank(0);
  int64_t axis = ctx.node().attr_int("axis", legacy ? 1 : -1);
  // Legacy: axis may equal the rank for rank-0/1 style flattening ([N] with axis 1 -> [N, 1]).
  if (legacy && (axis == r || (r == 0 && axis == 0))) return {ctx.input(0)};
  if (r == 0) ctx.fail("input must have rank >= 1");
  ctx.axis(axis, r);
  return {ctx.input(0)};
}

FS_REGISTER_OP(OpSchema{.op_type = "Softmax", .infer = infer_softmax});
FS_REGISTER_OP(OpSchema{.op_type = "LogSoftmax", .infer = infer_softmax});
FS_REGISTER_OP(OpSchema{.op_type = "Hardmax", .infer = infer_softmax});

}  // namespace
}  // namespace fs
