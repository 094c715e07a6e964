// Reference DynamicQuantizeLinear (uint8): scale = (max(0, max x) - min(0, min x)) / 255, zero point
// round(-min / scale) saturated to [0, 255], y = saturate(round(x / scale) + zero point); rounding
// is half to even. The arithmetic is float32, as the spec defines it, so that the quantization
// boundaries match it exactly (a double quotient could round a tie the other way).
#include <algorithm>
#include <cmath>

#include "engine/kernel_registry.h"

namespace fs {
namespace {

// Round half to even (the default floating-point rounding mode), then clamp to [0, 255].
// NaN (from infinite inputs) becomes 0.
float saturate_u8(float v) { return std::isnan(v) ? 0.0f : std::clamp(std::nearbyint(v), 0.0f, 255.0f); }

void dynamic_quantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const float* xs = x.data<float>();
  float lo = 0.0f, hi = 0.0f;  // the range always includes 0; NaNs are skipped
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (std::isnan(xs[i])) continue;
    lo = std::min(lo, xs[i]);
    hi = std::max(hi, xs[i]);
  }
  float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;
  float zero_point = saturate_u8(0.0f - lo / scale);
  Tensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.numel(); ++i) {
    y.set_i64(i, static_cast<int64_t>(saturate_u8(std::nearbyint(xs[i] / scale) + zero_point)));
  }
  ctx.out(1).set_f64(0, scale);
  ctx.out(2).set_i64(0, static_cast<int64_t>(zero_point));
}

FS_REGISTER_KERNEL(DynamicQuantizeLinear, "reference", ({DType::F32}), dynamic_quantize_linear);

}  // namespace
}  // namespace fs
