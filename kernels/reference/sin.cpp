// Reference Sin: y = sin(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void sin(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::sin(x); });
}

FS_REGISTER_KERNEL(Sin, "reference", (float_dtypes()), sin);

}  // namespace
}  // namespace fs
