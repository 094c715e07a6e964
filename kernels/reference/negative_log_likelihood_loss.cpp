// Reference NegativeLogLikelihoodLoss: loss = -weight[t] * input[n, t, d1..dk] per target element,
// with ignore_index and none/sum/mean (weighted mean) reduction.
#include "kernels/reference/loss_util.h"

namespace fs {
namespace {

void negative_log_likelihood_loss(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  loss_ref::weighted_nll(
      ctx, x.shape(), [&](int64_t i) { return x.get_f64(i); }, ctx.out(0));
}

FS_REGISTER_KERNEL(NegativeLogLikelihoodLoss, "reference", (float_dtypes()), negative_log_likelihood_loss);

}  // namespace
}  // namespace fs
