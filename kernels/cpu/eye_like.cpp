// Cpu EyeLike: a 2-D tensor of the input's shape with ones on diagonal k (column - row = k) and zeros
// elsewhere, in the dtype attribute's type (default: the input's).
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void eye_like(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  int64_t k = ctx.node.attr_int("k", 0), rows = y.dim(0), cols = y.dim(1);
  Tensor one(y.dtype(), {});
  one.set_i64(0, 1);
  size_t es = dtype_size(y.dtype());
  char* p = static_cast<char*>(y.raw());
  std::memset(p, 0, y.nbytes());
  for (int64_t i = 0; i < rows; ++i)
    if (i + k >= 0 && i + k < cols) std::memcpy(p + (i * cols + i + k) * es, one.raw(), es);
}

FS_REGISTER_KERNEL(EyeLike, "cpu", (all_dtypes()), eye_like);

}  // namespace
}  // namespace fs::cpu
