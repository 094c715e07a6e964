// Reference Sqrt: y = sqrt(x) (NaN for x < 0), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void sqrt(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::sqrt(x); });
}

FS_REGISTER_KERNEL(Sqrt, "reference", (float_dtypes()), sqrt);

}  // namespace
}  // namespace fs
