// Reference Cosh: y = cosh(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void cosh(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::cosh(x); });
}

FS_REGISTER_KERNEL(Cosh, "reference", (float_dtypes()), cosh);

}  // namespace
}  // namespace fs
