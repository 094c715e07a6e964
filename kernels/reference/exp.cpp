// Reference Exp: y = e^x, computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void exp(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::exp(x); });
}

FS_REGISTER_KERNEL(Exp, "reference", (float_dtypes()), exp);

}  // namespace
}  // namespace fs
