// Cpu NegativeLogLikelihoodLoss: loss = -weight[t] * input[n, t, d1..dk] per target element, with
// ignore_index and none / sum / mean (weighted mean) reduction.
#include "kernels/cpu/ew_loss_util.h"

namespace fs::cpu {
namespace {

void nll_loss(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, nll_loss);
  const Tensor& x = ctx.in(0);
  ew::visit(ew::kFloats, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<double> logp(x.data<T>(), x.data<T>() + x.numel());
    ew::weighted_nll(ctx, x.shape(), logp.data(), ctx.out(0).data<T>());
  });
}

FS_REGISTER_KERNEL(NegativeLogLikelihoodLoss, "cpu", (ew::dtypes(ew::kFloats, true)), nll_loss);

}  // namespace
}  // namespace fs::cpu
