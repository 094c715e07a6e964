// Reference Sign: -1, 0 or 1 by the sign of x (NaN stays NaN).
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void sign(KernelContext& ctx) {
  DType t = ctx.in(0).dtype();
  if (is_float(t)) {
    ref_elementwise::map_f64(ctx, [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x; });
  } else if (ref_elementwise::is_unsigned_int(t)) {
    ref_elementwise::map_i64(ctx, [](int64_t x) -> int64_t { return x != 0; });
  } else {
    ref_elementwise::map_i64(ctx, [](int64_t x) -> int64_t { return (x > 0) - (x < 0); });
  }
}

FS_REGISTER_KERNEL(Sign, "reference", (numeric_dtypes()), sign);

}  // namespace
}  // namespace fs
