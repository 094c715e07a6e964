// Cpu QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point) per tensor or per
// axis (a NaN quotient gives 0 before saturation). The quotient is computed in double and rounded to
// float32 (double inputs: kept), as the spec defines x / y_scale in the input's float type.
#include "kernels/cpu/ew_quant_util.h"

namespace fs::cpu {
namespace {

template <typename X, typename Y>
void quantize(const KernelContext& ctx, const ew::QuantLayout& l) {
  const X* x = ctx.in(0).data<X>();
  Y* y = ctx.out(0).data<Y>();
  std::vector<double> scale(static_cast<size_t>(l.dim)), zp(static_cast<size_t>(l.dim), 0.0);
  for (int64_t q = 0; q < l.dim; ++q) {
    scale[q] = ctx.in(1).get_f64(q);
    if (ctx.has_input(2)) zp[q] = static_cast<double>(ctx.in(2).get_i64(q));
  }
  constexpr double lo = std::numeric_limits<Y>::lowest(), hi = std::numeric_limits<Y>::max();
  ew::for_param_runs(l, ctx.num_threads, [&](int64_t q, int64_t b, int64_t e) {
    double s = scale[q], z = zp[q];
    ew::run_simd(
        [&](int64_t lo_i, int64_t hi_i) FS_EW_INLINE {
          if constexpr (std::is_same_v<X, float>) {
            // float / float is the correctly rounded quotient, which is what rounding the double
            // quotient to float gives (53 >= 2 * 24 + 2 bits: no double-rounding error), and every
            // later step is exact in float: the same values, in 16 lanes.
            // Locals and restrict pointers: the char-typed stores would otherwise force reloads.
            const float sf = static_cast<float>(s), zf = static_cast<float>(z);
            const float lof = static_cast<float>(lo), hif = static_cast<float>(hi);
            const float* __restrict xs = x;
            Y* __restrict ys = y;
            for (int64_t i = lo_i; i < hi_i; ++i) {
              const float v = xs[i] / sf;
              // nearbyint without the libm call: adding and subtracting 1.5 * 2^23 rounds |v| <
              // 2^22 to the nearest integer, ties to even; larger |v| saturate anyway.
              float t = v > -4.0e6f ? v : -4.0e6f;
              t = t < 4.0e6f ? t : 4.0e6f;
              float r = v != v ? 0.0f : (t + 12582912.0f) - 12582912.0f + zf;
              r = r > lof ? r : lof;
              r = r < hif ? r : hif;
              ys[i] = static_cast<Y>(static_cast<int32_t>(r));
            }
          } else {
            for (int64_t i = lo_i; i < hi_i; ++i) {
              double v = static_cast<double>(x[i]) / s;
              if constexpr (!std::is_same_v<X, double>) v = static_cast<float>(v);
              double r = v != v ? 0.0 : std::nearbyint(v) + z;
              y[i] = static_cast<Y>(std::clamp(r, lo, hi));
            }
          }
        },
        b, e);
  });
}

void quantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  ew::QuantLayout l = ew::quant_layout(ctx);
  Tensor wide;
  if (ew::is_half(x.dtype())) wide = ew::widen(x);
  KernelContext c{ctx.node, ctx.inputs, ctx.outputs, ctx.num_threads};
  if (wide.defined()) c.inputs[0] = &wide;
  ew::visit(ew::Types<float, double, int32_t>{}, c.in(0).dtype(), [&](auto xt) {
    ew::visit(ew::Types<uint8_t, int8_t, uint16_t, int16_t>{}, y.dtype(),
              [&](auto yt) { quantize<typename decltype(xt)::type, typename decltype(yt)::type>(c, l); });
  });
}

FS_REGISTER_KERNEL(QuantizeLinear, "cpu", ({DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32}),
                   quantize_linear);

}  // namespace
}  // namespace fs::cpu
