// Reference Atanh: y = atanh(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void atanh(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::atanh(x); });
}

FS_REGISTER_KERNEL(Atanh, "reference", (float_dtypes()), atanh);

}  // namespace
}  // namespace fs
