// Reference QLinearConv: exact int64 accumulation of (x - x_zp) * (w - w_zp) plus the int32 bias,
// requantized the way ONNX Runtime and the ONNX quantization tools define it: one float32 multiplier
// per output channel, m = float(x_scale * w_scale / y_scale) computed in float32, then
// y = saturate(round_half_even(float(acc) * m) + y_zp) in float32. The spec leaves the requantization
// arithmetic open; exact (double) requantization differs from every producer of QLinearConv models
// by one unit on ties, which then propagates through the network (mobilenet int8, ../shared/models).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void qlinear_conv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(3);
  const Node& node = ctx.node;
  nn::Window win = nn::forward_window(node, x.shape(), nn::conv_kernel_shape(node, w.shape()), false);
  int64_t group = node.attr_int("group", 1);
  nn_ref::ConvDims g = nn_ref::conv_dims(win, x.dim(0), x.dim(1), w.dim(0), group);
  Shape ys{g.n, g.m};
  ys.insert(ys.end(), win.out.begin(), win.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);

  auto per_channel = [&](size_t i, int64_t m, double def) {
    if (!ctx.has_input(i)) return def;
    const Tensor& t = ctx.in(i);
    return t.get_f64(t.numel() == 1 ? 0 : m);
  };
  std::vector<int64_t> xv = nn_ref::to_i64(x), wv = nn_ref::to_i64(w);
  int64_t xzp = ctx.has_input(2) ? ctx.in(2).get_i64(0) : 0;
  for (int64_t& v : xv) v -= xzp;
  const int64_t per_m = static_cast<int64_t>(wv.size()) / g.m;
  for (size_t i = 0; i < wv.size(); ++i)
    wv[i] -= static_cast<int64_t>(per_channel(5, static_cast<int64_t>(i) / per_m, 0.0));

  Tensor& y = ctx.out(0);
  std::vector<int64_t> acc(static_cast<size_t>(y.numel()));
  nn_ref::conv_forward(g, xv.data(), wv.data(), acc.data());
  const double x_scale = ctx.in(1).get_f64(0), y_scale = ctx.in(6).get_f64(0);
  const int64_t yzp = ctx.has_input(7) ? ctx.in(7).get_i64(0) : 0;
  const int64_t vol = g.out_vol();
  for (int64_t i = 0; i < y.numel(); ++i) {
    int64_t m = (i / vol) % g.m;
    int64_t total = acc[i] + (ctx.has_input(8) ? ctx.in(8).get_i64(m) : 0);
    const float multiplier =
        static_cast<float>(x_scale) * static_cast<float>(per_channel(4, m, 1.0)) / static_cast<float>(y_scale);
    const float real = static_cast<float>(total) * multiplier;
    y.set_i64(i, nn_ref::quantize(static_cast<double>(real), yzp, y.dtype()));
  }
}

FS_REGISTER_KERNEL(QLinearConv, "reference", ({DType::U8, DType::I8}), qlinear_conv);

}  // namespace
}  // namespace fs
