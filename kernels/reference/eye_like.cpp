// Reference EyeLike: a 2-D tensor of the input's shape with ones on diagonal k (column - row = k)
// and zeros elsewhere, in the dtype attribute's type (default: the input's).
#include "engine/kernel_registry.h"

namespace fs {
namespace {

void eye_like_ref(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  int64_t k = ctx.node.attr_int("k", 0);
  int64_t rows = y.dim(0), cols = y.dim(1);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) y.set_i64(i * cols + j, j - i == k ? 1 : 0);
}

FS_REGISTER_KERNEL(EyeLike, "reference", (all_dtypes()), eye_like_ref);

}  // namespace
}  // namespace fs
