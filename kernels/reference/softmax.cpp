// Reference Softmax: exp(x - max) / sum(exp(x - max)) over the axis (or the flattened row with
// legacy_coerce_2d=1), in double. Also the reference of flipscope.ApproxSoftmax, whose math is
// Softmax's (only its cpu kernel approximates exp and reassociates the sum).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void softmax(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  nn_ref::SoftmaxLayout l = nn_ref::softmax_layout(ctx.node, x.shape());
  std::vector<double> e(static_cast<size_t>(l.dim));
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      const int64_t base = o * l.dim * l.inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < l.dim; ++k) mx = std::max(mx, x.get_f64(base + k * l.inner));
      double sum = 0;
      for (int64_t k = 0; k < l.dim; ++k) sum += e[k] = std::exp(x.get_f64(base + k * l.inner) - mx);
      for (int64_t k = 0; k < l.dim; ++k) y.set_f64(base + k * l.inner, e[k] / sum);
    }
}

FS_REGISTER_KERNEL(Softmax, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), softmax);
FS_REGISTER_KERNEL_DEF("flipscope.ApproxSoftmax", "reference", std::vector<DType>{DType::F32}, softmax);

}  // namespace
}  // namespace fs
