// Reference Ceil: y = ceil(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void ceil(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::ceil(x); });
}

FS_REGISTER_KERNEL(Ceil, "reference", (float_dtypes()), ceil);

}  // namespace
}  // namespace fs
