// Reference Sigmoid: y = 1 / (1 + e^-x), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void sigmoid(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

FS_REGISTER_KERNEL(Sigmoid, "reference", (float_dtypes()), sigmoid);

}  // namespace
}  // namespace fs
