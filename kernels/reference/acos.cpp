// Reference Acos: y = acos(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void acos(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::acos(x); });
}

FS_REGISTER_KERNEL(Acos, "reference", (float_dtypes()), acos);

}  // namespace
}  // namespace fs
