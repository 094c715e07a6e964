// Reference Softsign: y = x / (1 + |x|), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void softsign(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return x / (1.0 + std::fabs(x)); });
}

FS_REGISTER_KERNEL(Softsign, "reference", (float_dtypes()), softsign);

}  // namespace
}  // namespace fs
