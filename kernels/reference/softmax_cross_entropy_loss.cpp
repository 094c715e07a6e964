// Reference SoftmaxCrossEntropyLoss: log-softmax over the class axis (axis 1), then the weighted
// negative log-likelihood; the optional second output is the log-softmax itself.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/reference/loss_util.h"

namespace fs {
namespace {

void softmax_cross_entropy_loss(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t n_batch = x.dim(0), classes = x.dim(1), d_size = 1;
  for (size_t i = 2; i < x.rank(); ++i) d_size *= x.dim(i);
  // log p[n, c, d] = x[n, c, d] - max_c - log(sum_c exp(x[n, c, d] - max_c)), all in double.
  std::vector<double> logp(static_cast<size_t>(x.numel()));
  for (int64_t n = 0; n < n_batch; ++n) {
    for (int64_t d = 0; d < d_size; ++d) {
      auto at = [&](int64_t c) { return (n * classes + c) * d_size + d; };
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, x.get_f64(at(c)));
      double sum = 0.0;
      for (int64_t c = 0; c < classes; ++c) sum += std::exp(x.get_f64(at(c)) - mx);
      double lse = std::log(sum);
      for (int64_t c = 0; c < classes; ++c) logp[static_cast<size_t>(at(c))] = x.get_f64(at(c)) - mx - lse;
    }
  }
  if (ctx.num_outputs() > 1 && ctx.outputs[1])
    for (int64_t i = 0; i < x.numel(); ++i) ctx.out(1).set_f64(i, logp[static_cast<size_t>(i)]);
  loss_ref::weighted_nll(
      ctx, x.shape(), [&](int64_t i) { return logp[static_cast<size_t>(i)]; }, ctx.out(0));
}

FS_REGISTER_KERNEL(SoftmaxCrossEntropyLoss, "reference", (float_dtypes()), softmax_cross_entropy_loss);

}  // namespace
}  // namespace fs
