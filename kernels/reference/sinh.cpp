// Reference Sinh: y = sinh(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void sinh(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::sinh(x); });
}

FS_REGISTER_KERNEL(Sinh, "reference", (float_dtypes()), sinh);

}  // namespace
}  // namespace fs
