// Reference Shape: the input's dimensions [start, end) as a 1-D int64 tensor.
#include "engine/ops/elementwise_util.h"
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void shape(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  auto [start, end] = elementwise_schema::shape_range(ctx.node, static_cast<int64_t>(x.rank()));
  for (int64_t i = start; i < end; ++i) ctx.out(0).set_i64(i - start, x.dim(static_cast<size_t>(i)));
}

FS_REGISTER_KERNEL(Shape, "reference", (all_dtypes()), shape);

}  // namespace
}  // namespace fs
