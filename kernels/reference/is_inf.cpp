// Reference IsInf: bool output, true at +inf (detect_positive) and -inf (detect_negative).
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void is_inf(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  bool neg = ctx.node.attr_int("detect_negative", 1) != 0, pos = ctx.node.attr_int("detect_positive", 1) != 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = x.get_f64(i);
    y.set_i64(i, std::isinf(v) && (v > 0 ? pos : neg));
  }
}

FS_REGISTER_KERNEL(IsInf, "reference", (float_dtypes()), is_inf);

}  // namespace
}  // namespace fs
