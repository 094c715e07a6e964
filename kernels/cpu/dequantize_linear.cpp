// Cpu DequantizeLinear: y = (x - x_zero_point) * x_scale per tensor or per axis, computed in double
// and rounded once to the scale's float type.
#include "kernels/cpu/ew_quant_util.h"

namespace fs::cpu {
namespace {

template <typename X, typename Y>
void dequantize(const KernelContext& ctx, const ew::QuantLayout& l, Y* y) {
  const X* x = ctx.in(0).data<X>();
  std::vector<double> scale(static_cast<size_t>(l.dim)), zp(static_cast<size_t>(l.dim), 0.0);
  for (int64_t q = 0; q < l.dim; ++q) {
    scale[q] = ctx.in(1).get_f64(q);
    if (ctx.has_input(2)) zp[q] = static_cast<double>(ctx.in(2).get_i64(q));
  }
  ew::for_param_runs(l, ctx.num_threads, [&](int64_t q, int64_t b, int64_t e) {
    double s = scale[q], z = zp[q];
    ew::run_simd(
        [&](int64_t lo, int64_t hi) FS_EW_INLINE {
          for (int64_t i = lo; i < hi; ++i) y[i] = static_cast<Y>((static_cast<double>(x[i]) - z) * s);
        },
        b, e);
  });
}

void dequantize_linear(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  ew::QuantLayout l = ew::quant_layout(ctx);
  ew::visit(ew::Types<uint8_t, int8_t, int32_t>{}, ctx.in(0).dtype(), [&](auto xt) {
    using X = typename decltype(xt)::type;
    if (y.dtype() == DType::F32) return dequantize<X>(ctx, l, y.data<float>());
    if (y.dtype() == DType::F64) return dequantize<X>(ctx, l, y.data<double>());
    Tensor d(DType::F64, y.shape());  // float16 / bfloat16: rounded once from double
    dequantize<X>(ctx, l, d.data<double>());
    uint16_t* p = y.data<uint16_t>();
    bool bf = y.dtype() == DType::BF16;
    for (int64_t i = 0; i < y.numel(); ++i)
      p[i] = bf ? double_to_bf16(d.data<double>()[i]) : double_to_half(d.data<double>()[i]);
  });
}

FS_REGISTER_KERNEL(DequantizeLinear, "cpu", ({DType::U8, DType::I8, DType::I32}), dequantize_linear);

}  // namespace
}  // namespace fs::cpu
