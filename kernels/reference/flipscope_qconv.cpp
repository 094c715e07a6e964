// Reference flipscope.QConv: acc = Conv(X - x_zero_point, W) in int64 (out-of-range taps add
// nothing, i.e. padding with the zero point), then act(acc * (x_scale * w_scale[m]) + B[m] + Z) in
// double, rounded to float32 once.
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void qconv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(3);
  const Node& node = ctx.node;
  const fused::Activation act = fused::parse_activation(node);
  nn::Window win = nn::forward_window(node, x.shape(), nn::conv_kernel_shape(node, w.shape()), false);
  nn_ref::ConvDims g = nn_ref::conv_dims(win, x.dim(0), x.dim(1), w.dim(0), node.attr_int("group", 1));
  Shape ys{g.n, g.m};
  ys.insert(ys.end(), win.out.begin(), win.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);

  const int64_t zp = ctx.in(2).get_i64(0);
  std::vector<int64_t> xv(static_cast<size_t>(x.numel())), wv(static_cast<size_t>(w.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) xv[i] = x.get_i64(i) - zp;
  for (int64_t i = 0; i < w.numel(); ++i) wv[i] = w.get_i64(i);
  Tensor& y = ctx.out(0);
  std::vector<int64_t> acc(static_cast<size_t>(y.numel()));
  nn_ref::conv_forward(g, xv.data(), wv.data(), acc.data());
  const double xs = ctx.in(1).get_f64(0);
  const Tensor& ws = ctx.in(4);
  const Tensor* b = ctx.has_input(5) ? &ctx.in(5) : nullptr;
  const Tensor* z = ctx.has_input(6) ? &ctx.in(6) : nullptr;
  const int64_t vol = g.out_vol();
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int64_t m = (i / vol) % g.m;
    double v = static_cast<double>(acc[i]) * (xs * ws.get_f64(m));
    if (b) v += b->get_f64(m);
    if (z) v += z->get_f64(i);
    y.set_f64(i, ref_fused::activate(v, act));
  }
}

FS_REGISTER_KERNEL_DEF("flipscope.QConv", "reference", std::vector<DType>{DType::U8}, qconv);

}  // namespace
}  // namespace fs
