// Reference Mish: y = x * tanh(softplus(x)) = x * tanh(ln(1 + e^x)).
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void mish(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) {
    double sp = x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    return x * std::tanh(sp);
  });
}

FS_REGISTER_KERNEL(Mish, "reference", (float_dtypes()), mish);

}  // namespace
}  // namespace fs
