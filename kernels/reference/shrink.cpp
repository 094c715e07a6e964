// Reference Shrink: y = x + bias for x < -lambd, x - bias for x > lambd, 0 otherwise. Integer
// inputs are compared in double; the result is exact in int64 when bias is integral.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void shrink(KernelContext& ctx) {
  double lambd = ctx.node.attr_float("lambd", 0.5f), bias = ctx.node.attr_float("bias", 0.0f);
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  bool int_math = !is_float(x.dtype()) && bias == std::trunc(bias) && std::fabs(bias) < 9e18;
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = x.get_f64(i);
    int sign = v < -lambd ? -1 : v > lambd ? 1 : 0;  // which branch
    if (sign == 0) {
      y.set_i64(i, 0);
    } else if (int_math) {
      int64_t b = static_cast<int64_t>(bias);
      y.set_i64(i, sign < 0 ? ref_elementwise::wrap_add(x.get_i64(i), b) : ref_elementwise::wrap_sub(x.get_i64(i), b));
    } else {
      ref_elementwise::store(y, i, sign < 0 ? v + bias : v - bias);
    }
  }
}

FS_REGISTER_KERNEL(Shrink, "reference", (numeric_dtypes()), shrink);

}  // namespace
}  // namespace fs
