// Reference Asin: y = asin(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void asin(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::asin(x); });
}

FS_REGISTER_KERNEL(Asin, "reference", (float_dtypes()), asin);

}  // namespace
}  // namespace fs
