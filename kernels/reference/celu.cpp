// Reference Celu: y = max(0, x) + min(0, alpha * (e^(x / alpha) - 1)) (alpha default 1, nonzero).
#include <algorithm>
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void celu(KernelContext& ctx) {
  double alpha = ctx.node.attr_float("alpha", 1.0f);
  ref_elementwise::map_f64(ctx, [alpha](double x) {
    if (std::isnan(x)) return x;
    return std::max(0.0, x) + std::min(0.0, alpha * std::expm1(x / alpha));
  });
}

FS_REGISTER_KERNEL(Celu, "reference", (float_dtypes()), celu);

}  // namespace
}  // namespace fs
