// Reference LeakyRelu: y = x for x >= 0, alpha * x otherwise (alpha default 0.01).
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void leaky_relu(KernelContext& ctx) {
  double alpha = ctx.node.attr_float("alpha", 0.01f);
  ref_elementwise::map_f64(ctx, [alpha](double x) { return x < 0 ? alpha * x : x; });
}

FS_REGISTER_KERNEL(LeakyRelu, "reference", (float_dtypes()), leaky_relu);

}  // namespace
}  // namespace fs
