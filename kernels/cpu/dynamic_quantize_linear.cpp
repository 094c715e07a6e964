// Cpu DynamicQuantizeLinear (uint8): scale = (max(0, max x) - min(0, min x)) / 255 (1 / 255 for an
// all-zero range), zero point = saturate(round(-min / scale)), y = saturate(round(x / scale) + zero
// point); rounding half to even, NaN inputs skipped by the range and quantized to 0, all in float32
// as the spec defines it.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

float saturate_u8(float v) { return v != v ? 0.0f : std::clamp(std::nearbyint(v), 0.0f, 255.0f); }

void dynamic_quantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const float* xs = x.data<float>();
  int64_t n = x.numel();
  constexpr int64_t kBlock = 1 << 16;  // fixed blocks: the same range for any thread count
  int64_t nb = (n + kBlock - 1) / kBlock;
  std::vector<float> blo(static_cast<size_t>(nb), 0.0f), bhi(static_cast<size_t>(nb), 0.0f);
  ew::parallel_simd(nb, 1, ctx.num_threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
    for (int64_t k = b; k < e; ++k) {
      float lo = 0.0f, hi = 0.0f;
      for (int64_t i = k * kBlock; i < std::min(n, (k + 1) * kBlock); ++i) {
        float v = xs[i];
        lo = v < lo ? v : lo;  // NaN compares false: skipped
        hi = v > hi ? v : hi;
      }
      blo[k] = lo;
      bhi[k] = hi;
    }
  });
  float lo = 0.0f, hi = 0.0f;
  for (int64_t k = 0; k < nb; ++k) {
    lo = std::min(lo, blo[k]);
    hi = std::max(hi, bhi[k]);
  }
  float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;
  float zero_point = saturate_u8(0.0f - lo / scale);
  uint8_t* y = ctx.out(0).data<uint8_t>();
  ew::parallel_simd(n, ew::kGrain, ctx.num_threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
    for (int64_t i = b; i < e; ++i)
      y[i] = static_cast<uint8_t>(saturate_u8(std::nearbyint(xs[i] / scale) + zero_point));
  });
  ctx.out(1).data<float>()[0] = scale;
  ctx.out(2).data<uint8_t>()[0] = static_cast<uint8_t>(zero_point);
}

FS_REGISTER_KERNEL(DynamicQuantizeLinear, "cpu", ({DType::F32}), dynamic_quantize_linear);

}  // namespace
}  // namespace fs::cpu
