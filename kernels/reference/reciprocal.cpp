// Reference Reciprocal: y = 1 / x (inf for x = 0), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void reciprocal(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return 1.0 / x; });
}

FS_REGISTER_KERNEL(Reciprocal, "reference", (float_dtypes()), reciprocal);

}  // namespace
}  // namespace fs
