// Reference Acosh: y = acosh(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void acosh(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::acosh(x); });
}

FS_REGISTER_KERNEL(Acosh, "reference", (float_dtypes()), acosh);

}  // namespace
}  // namespace fs
