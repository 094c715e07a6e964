// Cpu Clip: y = min(max(x, lo), hi) with optional scalar inputs lo and hi (absent = no bound, of
// any float dtype for float x). When lo > hi every element becomes hi; NaN stays NaN.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct ClipFn {
  T lo, hi;
  T operator()(T x) const {
    T v = x < lo ? lo : x;
    return v > hi ? hi : v;
  }
};

template <typename T>
T bound(const KernelContext& ctx, size_t i, T absent) {
  if (!ctx.has_input(i) || ctx.in(i).numel() == 0) return absent;
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(ctx.in(i).get_f64(0));
  } else {
    return static_cast<T>(ctx.in(i).get_i64(0));
  }
}

void clip(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, clip);
  const Tensor& x = ctx.in(0);
  ew::visit(ew::kNumeric, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using L = std::numeric_limits<T>;
    T lo = bound<T>(ctx, 1, L::has_infinity ? -L::infinity() : L::lowest());
    T hi = bound<T>(ctx, 2, L::has_infinity ? L::infinity() : L::max());
    ew::map(x.data<T>(), ctx.out(0).data<T>(), x.numel(), ctx.num_threads, ClipFn<T>{lo, hi});
  });
}

FS_REGISTER_KERNEL(Clip, "cpu", (ew::dtypes(ew::kNumeric, true)), clip);

}  // namespace
}  // namespace fs::cpu
