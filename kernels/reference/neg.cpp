// Reference Neg: y = -x (signed integers wrap: -INT_MIN = INT_MIN).
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void neg(KernelContext& ctx) {
  if (is_float(ctx.in(0).dtype())) {
    ref_elementwise::map_f64(ctx, [](double x) { return -x; });
  } else {
    ref_elementwise::map_i64(ctx, [](int64_t x) { return ref_elementwise::wrap_neg(x); });
  }
}

FS_REGISTER_KERNEL(Neg, "reference", (ref_elementwise::signed_dtypes()), neg);

}  // namespace
}  // namespace fs
