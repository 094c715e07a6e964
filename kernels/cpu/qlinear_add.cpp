// cpu com.microsoft.QLinearAdd: c = saturate(round_half_even((a_s (a - a_zp) + b_s (b - b_zp)) / c_s) + c_zp)
// per element, in double (so the result is the exact rounding the reference computes; the cost is
// memory-bound either way), broadcast segments from ew_broadcast_util.h, OpenMP over the output.
#include <cmath>

#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

template <typename T>
void add_typed(KernelContext& ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(3);
  Tensor& c = ctx.out(0);
  auto zp = [&](size_t i) { return ctx.has_input(i) ? static_cast<double>(ctx.in(i).get_i64(0)) : 0.0; };
  const double as = ctx.in(1).get_f64(0), bs = ctx.in(4).get_f64(0), cs = ctx.in(6).get_f64(0);
  const double azp = zp(2), bzp = zp(5), czp = zp(7);
  const double lo_ = std::is_same_v<T, uint8_t> ? 0.0 : -128.0, hi_ = std::is_same_v<T, uint8_t> ? 255.0 : 127.0;
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* pc = c.data<T>();
  if (a.shape() == c.shape() && b.shape() == c.shape()) {  // no broadcasting: one vectorized loop
    // A division per element: the heavy-op grain, so that 14x14 and 28x28 adds use both threads.
    ew::parallel_simd(c.numel(), ew::kGrainHeavy, ctx.num_threads, [&](int64_t begin, int64_t end) FS_EW_INLINE {
      // Locals: a store through the (char-typed) output may alias anything in memory, so values read
      // through the closure would be reloaded every iteration and the loop would stay scalar.
      const T* __restrict xa = pa;
      const T* __restrict xb = pb;
      T* __restrict out = pc;
      const double sa = as, sb = bs, sc = cs, za = azp, zb = bzp, zc = czp, lo = lo_, hi = hi_;
      for (int64_t i = begin; i < end; ++i) {
        const double v = (sa * (static_cast<double>(xa[i]) - za) + sb * (static_cast<double>(xb[i]) - zb)) / sc;
        // nearbyint without the libm call: adding and subtracting 1.5 * 2^52 rounds |v| < 2^51 to
        // the nearest integer, ties to even; larger |v| saturate anyway.
        double t = v > -1e15 ? v : -1e15;
        t = t < 1e15 ? t : 1e15;
        double r = (v != v ? 0.0 : (t + 6755399441055744.0) - 6755399441055744.0) + zc;
        r = r > lo ? r : lo;
        r = r < hi ? r : hi;
        out[i] = static_cast<T>(static_cast<int32_t>(r));
      }
    });
    return;
  }
  auto plan = ew::plan_broadcast<2>(c.shape(), {&a.shape(), &b.shape()});
  ew::parallel_for(c.numel(), ew::kGrain, ctx.num_threads, [&](int64_t begin, int64_t end) {
    ew::for_segments(plan, begin, end, [&](int64_t o, const std::array<int64_t, 2>& in, int64_t len) {
      const int64_t sa = plan.strides.back()[0], sb = plan.strides.back()[1];
      for (int64_t k = 0; k < len; ++k) {
        double v = (as * (static_cast<double>(pa[in[0] + k * sa]) - azp) +
                    bs * (static_cast<double>(pb[in[1] + k * sb]) - bzp)) /
                   cs;
        double r = (std::isnan(v) ? 0.0 : std::nearbyint(v)) + czp;
        pc[o + k] = static_cast<T>(std::clamp(r, lo_, hi_));
      }
    });
  });
}

void qlinear_add(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DType::U8)
    add_typed<uint8_t>(ctx);
  else
    add_typed<int8_t>(ctx);
}

FS_REGISTER_KERNEL_DEF("com.microsoft.QLinearAdd", "cpu", std::vector<DType>{DType::U8, DType::I8}, qlinear_add);

}  // namespace
}  // namespace fs::cpu
