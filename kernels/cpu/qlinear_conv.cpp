// Cpu QLinearConv: the exact accumulation of (x - x_zp) * (w - w_zp) (im2col, double GEMM) plus the
// int32 bias, requantized with one float32 multiplier per output channel as ONNX Runtime does:
// m = float(x_scale) * float(w_scale[m]) / float(y_scale) in float32, y = saturate(
// round_half_even(float(acc + bias) * m) + y_zp); w's scale and zero point per tensor or per channel.
#include "kernels/cpu/ew_qgemm_util.h"

namespace fs::cpu {
namespace {

template <typename Y>
void requantize_conv(const KernelContext& ctx, const ew::QConvGeom& g, const std::vector<double>& acc, Y* y) {
  std::vector<double> ws = ew::as_doubles(ctx.in(4));
  std::vector<double> bias = ctx.has_input(8) ? ew::as_doubles(ctx.in(8)) : std::vector<double>();
  const double x_scale = ctx.in(1).get_f64(0), y_scale = ctx.in(6).get_f64(0);
  const double yzp = ctx.has_input(7) ? ctx.in(7).get_f64(0) : 0.0;
  int64_t total = g.n * g.m * g.out_vol;
  for (int64_t i = 0; i < total; ++i) {
    size_t m = static_cast<size_t>((i / g.out_vol) % g.m);
    double a = acc[static_cast<size_t>(i)] + (bias.empty() ? 0.0 : bias[m]);
    const float mult =
        static_cast<float>(x_scale) * static_cast<float>(ws[ws.size() == 1 ? 0 : m]) / static_cast<float>(y_scale);
    y[i] = ew::requantize<Y>(static_cast<double>(static_cast<float>(a) * mult), yzp);
  }
}

void qlinear_conv(KernelContext& ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(3);
  Tensor& y = ctx.out(0);
  ew::QConvGeom g = ew::qconv_geom(ctx.node, x.shape(), w.shape());
  std::vector<double> xv = ew::as_doubles(x);
  if (ctx.has_input(2)) {
    double zp = ctx.in(2).get_f64(0);
    for (double& v : xv) v -= zp;
  }
  std::vector<double> wv = ew::weights_minus_zero_point(w, ctx.has_input(5) ? &ctx.in(5) : nullptr, g.m);
  std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
  if (y.numel() == 0) return;
  ew::qconv_acc(g, xv, wv, acc.data(), ctx.num_threads);
  if (y.dtype() == DType::U8) {
    requantize_conv(ctx, g, acc, y.data<uint8_t>());
  } else {
    requantize_conv(ctx, g, acc, y.data<int8_t>());
  }
}

FS_REGISTER_KERNEL(QLinearConv, "cpu", ({DType::U8, DType::I8}), qlinear_conv);

}  // namespace
}  // namespace fs::cpu
