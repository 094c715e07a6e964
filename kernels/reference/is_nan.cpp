// Reference IsNaN: bool output, true where x is NaN.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void is_nan(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.numel(); ++i) y.set_i64(i, std::isnan(x.get_f64(i)));
}

FS_REGISTER_KERNEL(IsNaN, "reference", (float_dtypes()), is_nan);

}  // namespace
}  // namespace fs
