// Reference Tan: y = tan(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void tan(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::tan(x); });
}

FS_REGISTER_KERNEL(Tan, "reference", (float_dtypes()), tan);

}  // namespace
}  // namespace fs
