// Reference HardSigmoid: y = max(0, min(1, alpha * x + beta)) (alpha 0.2, beta 0.5 by default).
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void hard_sigmoid(KernelContext& ctx) {
  double alpha = ctx.node.attr_float("alpha", 0.2f), beta = ctx.node.attr_float("beta", 0.5f);
  ref_elementwise::map_f64(ctx, [=](double x) {
    double v = alpha * x + beta;
    if (std::isnan(v)) return v;
    return v < 0 ? 0.0 : v > 1 ? 1.0 : v;
  });
}

FS_REGISTER_KERNEL(HardSigmoid, "reference", (float_dtypes()), hard_sigmoid);

}  // namespace
}  // namespace fs
