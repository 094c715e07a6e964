// Reference Floor: y = floor(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void floor(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::floor(x); });
}

FS_REGISTER_KERNEL(Floor, "reference", (float_dtypes()), floor);

}  // namespace
}  // namespace fs
