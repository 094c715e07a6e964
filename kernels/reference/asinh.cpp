// Reference Asinh: y = asinh(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void asinh(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::asinh(x); });
}

FS_REGISTER_KERNEL(Asinh, "reference", (float_dtypes()), asinh);

}  // namespace
}  // namespace fs
