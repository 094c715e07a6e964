// Cpu Where: z = condition ? x : y with three-way numpy broadcasting; elements of any dtype are
// copied bit-exactly.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

void where(KernelContext& ctx) {
  const Tensor &c = ctx.in(0), &x = ctx.in(1), &y = ctx.in(2);
  Tensor& z = ctx.out(0);
  if (z.numel() == 0) return;
  ew::BroadcastPlan<3> p = ew::plan_broadcast<3>(z.shape(), {&c.shape(), &x.shape(), &y.shape()});
  std::array<int64_t, 3> s = p.strides.back();
  const uint8_t* pc = c.data<uint8_t>();  // bool as bytes: a bool-typed select does not vectorize
  ew::visit_bits(z.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* px = static_cast<const E*>(x.raw());
    const E* py = static_cast<const E*>(y.raw());
    E* pz = static_cast<E*>(z.raw());
    ew::parallel_simd(z.numel(), ew::kGrain, ctx.num_threads, [&](int64_t lo, int64_t hi) FS_EW_INLINE {
      ew::for_segments(p, lo, hi, [&](int64_t zo, const std::array<int64_t, 3>& o, int64_t n) FS_EW_INLINE {
        const uint8_t* __restrict cs = pc + o[0];
        const E* __restrict xs = px + o[1];
        const E* __restrict ys = py + o[2];
        E* __restrict zs = pz + zo;
        if (s[0] == 1 && s[1] == 1 && s[2] == 1) {
          for (int64_t i = 0; i < n; ++i) {
            E xv = xs[i], yv = ys[i];  // unconditional loads: the select vectorizes
            zs[i] = cs[i] != 0 ? xv : yv;
          }
        } else {
          for (int64_t i = 0; i < n; ++i) zs[i] = cs[i * s[0]] != 0 ? xs[i * s[1]] : ys[i * s[2]];
        }
      });
    });
  });
}

FS_REGISTER_KERNEL(Where, "cpu", ({DType::Bool}), where);

}  // namespace
}  // namespace fs::cpu
