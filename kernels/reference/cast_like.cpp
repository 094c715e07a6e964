// Reference CastLike: Cast of input 0 to the dtype of input 1 (whose values are not used).
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void cast_like(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.numel(); ++i) ref_elementwise::cast_element(x, i, y, i);
}

FS_REGISTER_KERNEL(CastLike, "reference", (all_dtypes()), cast_like);

}  // namespace
}  // namespace fs
