// Reference Cos: y = cos(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void cos(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::cos(x); });
}

FS_REGISTER_KERNEL(Cos, "reference", (float_dtypes()), cos);

}  // namespace
}  // namespace fs
