// Reference ThresholdedRelu: y = x for x > alpha, 0 otherwise (alpha default 1).
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void thresholded_relu(KernelContext& ctx) {
  double alpha = ctx.node.attr_float("alpha", 1.0f);
  ref_elementwise::map_f64(ctx, [alpha](double x) { return x > alpha ? x : 0.0; });
}

FS_REGISTER_KERNEL(ThresholdedRelu, "reference", (float_dtypes()), thresholded_relu);

}  // namespace
}  // namespace fs
