// Reference Elu: y = x for x >= 0, alpha * (e^x - 1) otherwise (alpha default 1).
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void elu(KernelContext& ctx) {
  double alpha = ctx.node.attr_float("alpha", 1.0f);
  ref_elementwise::map_f64(ctx, [alpha](double x) { return x < 0 ? alpha * std::expm1(x) : x; });
}

FS_REGISTER_KERNEL(Elu, "reference", (float_dtypes()), elu);

}  // namespace
}  // namespace fs
