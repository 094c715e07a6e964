// Reference Atan: y = atan(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void atan(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::atan(x); });
}

FS_REGISTER_KERNEL(Atan, "reference", (float_dtypes()), atan);

}  // namespace
}  // namespace fs
