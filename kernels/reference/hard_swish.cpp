// Reference HardSwish: y = x * max(0, min(1, x / 6 + 1/2)), computed in double and rounded once to the output dtype.
#include <algorithm>
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void hard_swish(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)); });
}

FS_REGISTER_KERNEL(HardSwish, "reference", (float_dtypes()), hard_swish);

}  // namespace
}  // namespace fs
