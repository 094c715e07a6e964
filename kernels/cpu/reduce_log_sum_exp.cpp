// Cpu ReduceLogSumExp: m + log(sum(exp(x - m))) with m the maximum, so it cannot overflow: a
// ReduceMax, the shifted exponentials through the broadcasting binary kernel, a ReduceSum. NaN
// propagates; an infinite maximum (or an empty set: -inf) is the result. Integer outputs truncate.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct ShiftedExpFn {
  T operator()(T x, T m) const { return std::exp(x - m); }
};

template <typename F>
void log_sum_exp(KernelContext& ctx, const std::vector<bool>& mask) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  Shape kept = x.shape();  // the maxima with keepdims, to broadcast against x
  for (size_t d = 0; d < kept.size(); ++d)
    if (mask[d]) kept[d] = 1;
  Tensor m(x.dtype(), kept), e(x.dtype(), x.shape()), s(x.dtype(), kept);
  ew::reduce<F>(x, mask, m, ctx.num_threads, ew::MaxR<F>{});
  ew::binary<F, F, F>(x, m, e, ctx.num_threads, ShiftedExpFn<F>{}, ew::kGrainHeavy);
  ew::reduce<F>(e, mask, s, ctx.num_threads, ew::SumR<F>{});
  const F *pm = m.data<F>(), *ps = s.data<F>();
  ew::visit(ew::kNumeric, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* py = y.data<T>();
    for (int64_t o = 0; o < y.numel(); ++o) {
      F v = std::isinf(pm[o]) || pm[o] != pm[o] ? pm[o] : pm[o] + std::log(ps[o]);
      if constexpr (std::is_floating_point_v<T>) {
        py[o] = static_cast<T>(v);
      } else {
        py[o] = ew::f64_to_int_saturating<T>(static_cast<double>(v));
      }
    }
  });
}

void reduce_log_sum_exp(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, reduce_log_sum_exp);
  const Tensor& x = ctx.in(0);
  std::vector<bool> mask = ew::reduced_axes(ctx);
  if (x.dtype() == DType::F32) return log_sum_exp<float>(ctx, mask);
  if (x.dtype() == DType::F64 || !is_float(x.dtype())) {
    Tensor xd(DType::F64, x.shape());  // integers: in double, as the reference
    ew::visit(ew::kNumeric, x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* p = x.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) xd.data<double>()[i] = static_cast<double>(p[i]);
    });
    KernelContext c{ctx.node, ctx.inputs, ctx.outputs, ctx.num_threads};
    c.inputs[0] = &xd;
    log_sum_exp<double>(c, mask);
  }
}

FS_REGISTER_KERNEL(ReduceLogSumExp, "cpu", (ew::dtypes(ew::kNumeric, true)), reduce_log_sum_exp);

}  // namespace
}  // namespace fs::cpu
