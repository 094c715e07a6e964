// Cpu MeanVarianceNormalization: y = (x - mean) / (sqrt(variance) + 1e-9) over `axes` (default
// [0, 2, 3]), the ONNX function's formula: ReduceMean, the centred values, ReduceMean of their
// squares, then one broadcast division.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct SquareFn {
  T operator()(T v) const { return v * v; }
};
template <typename T>
struct SubFn {
  T operator()(T a, T b) const { return a - b; }
};
template <typename T>
struct NormalizeFn {
  T operator()(T d, T var) const { return d / (std::sqrt(var) + static_cast<T>(1e-9)); }
};
template <typename T>
struct MeanR : ew::SumR<T> {
  T finish(T a, int64_t n) const { return a / static_cast<T>(n); }
};

template <typename T>
void mvn_typed(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  std::vector<bool> mask(x.rank(), false);
  for (int64_t a : ctx.node.attr_ints("axes", {0, 2, 3})) mask[static_cast<size_t>(ew::norm_axis(a, x.rank()))] = true;
  Shape stats = x.shape();
  for (size_t d = 0; d < stats.size(); ++d)
    if (mask[d]) stats[d] = 1;
  int th = ctx.num_threads;
  Tensor mean(x.dtype(), stats), var(x.dtype(), stats), sq(x.dtype(), x.shape());
  ew::reduce<T>(x, mask, mean, th, MeanR<T>{});
  ew::binary<T, T, T>(x, mean, y, th, SubFn<T>{});  // y holds the centred values
  ew::map(y.data<T>(), sq.data<T>(), y.numel(), th, SquareFn<T>{});
  ew::reduce<T>(sq, mask, var, th, MeanR<T>{});
  ew::binary<T, T, T>(y, var, y, th, NormalizeFn<T>{});
}

void mean_variance_normalization(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, mean_variance_normalization);
  if (ctx.out(0).numel() == 0) return;
  ew::visit(ew::kFloats, ctx.in(0).dtype(), [&](auto tag) { mvn_typed<typename decltype(tag)::type>(ctx); });
}

FS_REGISTER_KERNEL(MeanVarianceNormalization, "cpu", (ew::dtypes(ew::kFloats, true)), mean_variance_normalization);

}  // namespace
}  // namespace fs::cpu
