// Reference Hardmax: 1 at the first maximum of each slice along the axis (or of each flattened row
// with legacy_coerce_2d=1), 0 elsewhere.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void hardmax(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  nn_ref::SoftmaxLayout l = nn_ref::softmax_layout(ctx.node, x.shape());
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      const int64_t base = o * l.dim * l.inner + i;
      int64_t arg = 0;
      for (int64_t k = 1; k < l.dim; ++k)
        if (x.get_f64(base + k * l.inner) > x.get_f64(base + arg * l.inner)) arg = k;
      for (int64_t k = 0; k < l.dim; ++k) y.set_f64(base + k * l.inner, k == arg ? 1.0 : 0.0);
    }
}

FS_REGISTER_KERNEL(Hardmax, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), hardmax);

}  // namespace
}  // namespace fs
