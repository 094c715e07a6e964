// Reference Tanh: y = tanh(x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void tanh(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::tanh(x); });
}

FS_REGISTER_KERNEL(Tanh, "reference", (float_dtypes()), tanh);

}  // namespace
}  // namespace fs
