// Cpu flipscope.FusedMulAdd (fp32): Y = A * B + C with numpy broadcasting, as one fused
// multiply-add per element (vfmadd on AVX2 / AVX-512, fmaf otherwise): the product is not rounded
// before the addition, which is the point of the op (the fuse-mul-add pass changes numerics by
// exactly this one rounding).
#include <cmath>

#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

void fused_mul_add(KernelContext& ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1), &c = ctx.in(2);
  Tensor& y = ctx.out(0);
  if (y.numel() == 0) return;
  ew::BroadcastPlan<3> p = ew::plan_broadcast<3>(y.shape(), {&a.shape(), &b.shape(), &c.shape()});
  const std::array<int64_t, 3> s = p.strides.back();
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  const float* pc = c.data<float>();
  float* py = y.data<float>();
  ew::parallel_simd(y.numel(), ew::kGrain, ctx.num_threads, [&](int64_t lo, int64_t hi) FS_EW_INLINE {
    ew::for_segments(p, lo, hi, [&](int64_t yo, const std::array<int64_t, 3>& o, int64_t n) FS_EW_INLINE {
      const float* __restrict as = pa + o[0];
      const float* __restrict bs = pb + o[1];
      const float* __restrict cs = pc + o[2];
      float* __restrict ys = py + yo;
      if (s[0] == 1 && s[1] == 1 && s[2] == 1) {
        for (int64_t i = 0; i < n; ++i) ys[i] = std::fma(as[i], bs[i], cs[i]);
      } else if (s[0] == 1 && s[1] == 0 && s[2] == 0) {  // per-channel scale and shift
        const float bv = *bs, cv = *cs;
        for (int64_t i = 0; i < n; ++i) ys[i] = std::fma(as[i], bv, cv);
      } else {
        for (int64_t i = 0; i < n; ++i) ys[i] = std::fma(as[i * s[0]], bs[i * s[1]], cs[i * s[2]]);
      }
    });
  });
}

FS_REGISTER_KERNEL_DEF("flipscope.FusedMulAdd", "cpu", std::vector<DType>{DType::F32}, fused_mul_add);

}  // namespace
}  // namespace fs::cpu
