// Cpu Pow: z = a ^ b with numpy broadcasting; the output has the base's dtype. Float bases: powf
// for float^float (x * x for a scalar exponent 2), pow in double otherwise. Integer bases: exact
// wrapping power by squaring for integer exponents (negative ones give the truncated 1 / a^|b|;
// 0 to a negative power is an error), pow in double then truncation for float exponents.
#include <atomic>

#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

template <typename T>
T int_pow(T base, uint64_t e) {
  using U = ew::Unsigned<T>;
  U r = 1, b = static_cast<U>(base);
  while (e) {
    if (e & 1) r = static_cast<U>(r * b);
    b = static_cast<U>(b * b);
    e >>= 1;
  }
  return static_cast<T>(r);
}

template <typename T, typename E>
struct PowFn {
  std::atomic<bool>* zero_to_negative;
  T operator()(T a, E b) const {
    if constexpr (std::is_same_v<T, float> && std::is_same_v<E, float>) {
      return std::pow(a, b);
    } else if constexpr (std::is_floating_point_v<T> || std::is_floating_point_v<E>) {
      double v = std::pow(static_cast<double>(a), static_cast<double>(b));
      if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(v);
      } else {
        return ew::double_to_int<T>(v);
      }
    } else if constexpr (std::is_unsigned_v<E>) {
      return int_pow(a, static_cast<uint64_t>(b));
    } else {
      if (b >= 0) return int_pow(a, static_cast<uint64_t>(b));
      if (a == 0) zero_to_negative->store(true, std::memory_order_relaxed);
      if (a == 1) return T(1);
      if (a == -1) return T(b % 2 == 0 ? 1 : -1);
      return T(0);  // |1 / a^|b|| < 1 truncates to 0
    }
  }
};

struct SquareFn {
  float operator()(float a, float) const { return a * a; }
};

void pow_kernel(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype()) || ew::is_half(ctx.in(1).dtype())) return ew::via_f32(ctx, pow_kernel);
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor& z = ctx.out(0);
  if (a.dtype() == DType::F32 && b.dtype() == DType::F32 && b.numel() == 1 && b.data<float>()[0] == 2.0f) {
    ew::binary<float, float, float>(a, b, z, ctx.num_threads, SquareFn{});
    return;
  }
  std::atomic<bool> bad{false};
  ew::visit(ew::Types<float, double, int32_t, int64_t>{}, a.dtype(), [&](auto ta) {
    ew::visit(ew::kNumeric, b.dtype(), [&](auto tb) {
      using T = typename decltype(ta)::type;
      using E = typename decltype(tb)::type;
      ew::binary<T, E, T>(a, b, z, ctx.num_threads, PowFn<T, E>{&bad}, ew::kGrainHeavy);
    });
  });
  if (bad) ctx.node.fail_node("0 cannot be raised to a negative integer power");
}

FS_REGISTER_KERNEL(Pow, "cpu", (ew::dtypes(ew::Types<float, double, int32_t, int64_t>{}, true)), pow_kernel);

}  // namespace
}  // namespace fs::cpu
