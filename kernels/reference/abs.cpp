// Reference Abs: y = |x| for every numeric dtype (integers in int64, wrapping: |INT_MIN| = INT_MIN).
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void abs_ref(KernelContext& ctx) {
  DType t = ctx.in(0).dtype();
  if (is_float(t)) {
    ref_elementwise::map_f64(ctx, [](double x) { return std::fabs(x); });
  } else if (ref_elementwise::is_unsigned_int(t)) {
    ref_elementwise::map_i64(ctx, [](int64_t x) { return x; });
  } else {
    ref_elementwise::map_i64(ctx, [](int64_t x) { return x < 0 ? ref_elementwise::wrap_neg(x) : x; });
  }
}

FS_REGISTER_KERNEL(Abs, "reference", (numeric_dtypes()), abs_ref);

}  // namespace
}  // namespace fs
