// Reference Erf: y = erf(x) in double; integer inputs are converted and the result truncated.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void erf_ref(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::erf(x); });
}

FS_REGISTER_KERNEL(Erf, "reference", (numeric_dtypes()), erf_ref);

}  // namespace
}  // namespace fs
