// Schema of flipscope.FastReduce, emitted by the fast-math-reassociate pass:
//   FastReduce(X) -> the sum (mean = 0) or mean (mean = 1) of float32 X over `axes` (a non-empty,
//   increasing run of consecutive axes), keepdims 0 | 1. The math is ReduceSum / ReduceMean /
//   GlobalAveragePool's; the cpu kernel accumulates in float32 in a reassociated order (docs/optimizer.md).
#include "engine/op_schema.h"
#include "engine/ops/nn_util.h"

namespace fs {
namespace {

std::vector<TensorType> infer_fast_reduce(InferContext& ctx) {
  nn::require_dtype(ctx, 0, "X", {DType::F32});
  const Node& n = ctx.node();
  const Shape& x = ctx.shape(0);
  const int64_t r = static_cast<int64_t>(x.size());
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (axes.empty()) ctx.fail_attr("axes", "must list at least one axis");
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < -r || axes[i] >= r)
      ctx.fail_attr("axes", "axis " + std::to_string(axes[i]) + " is out of range for rank " + std::to_string(r));
    if (axes[i] < 0) axes[i] += r;
    if (i > 0 && axes[i] != axes[i - 1] + 1) ctx.fail_attr("axes", "must be consecutive and increasing");
  }
  const int64_t mean = n.attr_int("mean", 0), keep = n.attr_int("keepdims", 1);
  if (mean != 0 && mean != 1) ctx.fail_attr("mean", "expected 0 or 1, got " + std::to_string(mean));
  if (keep != 0 && keep != 1) ctx.fail_attr("keepdims", "expected 0 or 1, got " + std::to_string(keep));
  Shape out;
  for (int64_t d = 0; d < r; ++d) {
    const bool reduced = d >= axes.front() && d <= axes.back();
    if (!reduced)
      out.push_back(x[static_cast<size_t>(d)]);
    else if (keep)
      out.push_back(1);
  }
  return {{DType::F32, out}};
}

FS_REGISTER_OP(OpSchema{.op_type = "flipscope.FastReduce", .infer = infer_fast_reduce});

}  // namespace
}  // namespace fs
