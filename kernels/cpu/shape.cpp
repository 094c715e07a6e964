// Cpu Shape: the input's dimensions [start, end) as a 1-D int64 tensor.
#include "engine/ops/elementwise_util.h"
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void shape(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  auto [start, end] = elementwise_schema::shape_range(ctx.node, static_cast<int64_t>(x.rank()));
  int64_t* y = ctx.out(0).data<int64_t>();
  for (int64_t i = start; i < end; ++i) y[i - start] = x.dim(static_cast<size_t>(i));
}

FS_REGISTER_KERNEL(Shape, "cpu", (all_dtypes()), shape);

}  // namespace
}  // namespace fs::cpu
