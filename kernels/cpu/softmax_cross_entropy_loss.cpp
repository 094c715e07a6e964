// Cpu SoftmaxCrossEntropyLoss: log-softmax over the class axis (axis 1) in double, then the weighted
// negative log-likelihood; the optional second output is the log-softmax itself.
#include "kernels/cpu/ew_loss_util.h"

namespace fs::cpu {
namespace {

void sce_loss(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, sce_loss);
  const Tensor& x = ctx.in(0);
  int64_t batch = x.dim(0), classes = x.dim(1), d_size = ew::numel_of(x.shape(), 2);
  ew::visit(ew::kFloats, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    std::vector<double> logp(static_cast<size_t>(x.numel()));
    ew::parallel_for(batch * d_size, std::max<int64_t>(1, ew::kGrainHeavy / std::max<int64_t>(1, classes)),
                     ctx.num_threads, [&](int64_t b, int64_t e) {
                       for (int64_t it = b; it < e; ++it) {
                         int64_t base = (it / d_size) * classes * d_size + it % d_size;
                         double mx = -std::numeric_limits<double>::infinity(), sum = 0;
                         for (int64_t c = 0; c < classes; ++c)
                           mx = std::max(mx, static_cast<double>(px[base + c * d_size]));
                         for (int64_t c = 0; c < classes; ++c) sum += std::exp(px[base + c * d_size] - mx);
                         double lse = std::log(sum);
                         for (int64_t c = 0; c < classes; ++c)
                           logp[base + c * d_size] = static_cast<double>(px[base + c * d_size]) - mx - lse;
                       }
                     });
    if (ctx.num_outputs() > 1 && ctx.outputs[1]) {
      T* lp = ctx.out(1).data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) lp[i] = static_cast<T>(logp[i]);
    }
    ew::weighted_nll(ctx, x.shape(), logp.data(), ctx.out(0).data<T>());
  });
}

FS_REGISTER_KERNEL(SoftmaxCrossEntropyLoss, "cpu", (ew::dtypes(ew::kFloats, true)), sce_loss);

}  // namespace
}  // namespace fs::cpu
