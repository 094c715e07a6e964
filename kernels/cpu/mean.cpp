// Cpu Mean: elementwise mean of 1..N float inputs with numpy broadcasting: the Sum, then divided
// by N.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

void mean(KernelContext& ctx) {
  if (ew::is_half(ctx.out(0).dtype())) return ew::via_f32(ctx, mean);
  ew::variadic_kernel<ew::AddFn>(ctx, ew::kFloats);
  Tensor& y = ctx.out(0);
  ew::visit(ew::kFloats, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T n = static_cast<T>(ctx.inputs.size());
    T* p = y.data<T>();
    ew::parallel_simd(y.numel(), ew::kGrain, ctx.num_threads, [p, n](int64_t b, int64_t e) FS_EW_INLINE {
      for (int64_t i = b; i < e; ++i) p[i] = p[i] / n;
    });
  });
}

FS_REGISTER_KERNEL(Mean, "cpu", (ew::dtypes(ew::kFloats, true)), mean);

}  // namespace
}  // namespace fs::cpu
