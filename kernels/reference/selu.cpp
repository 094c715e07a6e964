// Reference Selu: y = gamma * x for x > 0, gamma * alpha * (e^x - 1) otherwise.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void selu(KernelContext& ctx) {
  double alpha = ctx.node.attr_float("alpha", 1.67326319217681884765625f);
  double gamma = ctx.node.attr_float("gamma", 1.05070102214813232421875f);
  ref_elementwise::map_f64(ctx, [=](double x) { return x > 0 ? gamma * x : gamma * alpha * std::expm1(x); });
}

FS_REGISTER_KERNEL(Selu, "reference", (float_dtypes()), selu);

}  // namespace
}  // namespace fs
