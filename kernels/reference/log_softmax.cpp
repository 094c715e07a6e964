// Reference LogSoftmax: (x - max) - log(sum(exp(x - max))) over the axis (or the flattened row with
// legacy_coerce_2d=1), in double.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void log_softmax(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  nn_ref::SoftmaxLayout l = nn_ref::softmax_layout(ctx.node, x.shape());
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      const int64_t base = o * l.dim * l.inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < l.dim; ++k) mx = std::max(mx, x.get_f64(base + k * l.inner));
      double sum = 0;
      for (int64_t k = 0; k < l.dim; ++k) sum += std::exp(x.get_f64(base + k * l.inner) - mx);
      const double log_sum = std::log(sum);
      for (int64_t k = 0; k < l.dim; ++k) y.set_f64(base + k * l.inner, x.get_f64(base + k * l.inner) - mx - log_sum);
    }
}

FS_REGISTER_KERNEL(LogSoftmax, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), log_softmax);

}  // namespace
}  // namespace fs
