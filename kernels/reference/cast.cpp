// Reference Cast: converts every element to the dtype of attribute 'to' (see cast_element for
// the rounding rules); 'saturate' only concerns float8 types and is ignored.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void cast(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.numel(); ++i) ref_elementwise::cast_element(x, i, y, i);
}

FS_REGISTER_KERNEL(Cast, "reference", (all_dtypes()), cast);

}  // namespace
}  // namespace fs
