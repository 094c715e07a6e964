// Reference Softplus: y = ln(1 + e^x), evaluated without overflow for large x.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

double softplus_f64(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

void softplus(KernelContext& ctx) { ref_elementwise::map_f64(ctx, softplus_f64); }

FS_REGISTER_KERNEL(Softplus, "reference", (float_dtypes()), softplus);

}  // namespace
}  // namespace fs
