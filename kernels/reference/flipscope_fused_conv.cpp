// Reference flipscope.FusedConv: Y = act(Conv(X, W) + B + Z), composed exactly like the reference
// Conv followed by Add and the activation, all in double; each output is rounded to its dtype once,
// at the end (so it may differ from the unfused chain, which rounds after every op, by a few ulps).
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void fused_conv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Node& node = ctx.node;
  const fused::Activation act = fused::parse_activation(node);
  nn::Window win = nn::forward_window(node, x.shape(), nn::conv_kernel_shape(node, w.shape()), false);
  nn_ref::ConvDims g = nn_ref::conv_dims(win, x.dim(0), x.dim(1), w.dim(0), node.attr_int("group", 1));
  Shape ys{g.n, g.m};
  ys.insert(ys.end(), win.out.begin(), win.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);

  std::vector<double> xv = nn_ref::to_f64(x), wv = nn_ref::to_f64(w);
  std::vector<double> acc(static_cast<size_t>(ctx.out(0).numel()));
  nn_ref::conv_forward(g, xv.data(), wv.data(), acc.data());
  std::vector<double> bias(static_cast<size_t>(g.m), 0.0);
  if (ctx.has_input(2)) bias = nn_ref::to_f64(ctx.in(2));
  const Tensor* z = ctx.has_input(3) ? &ctx.in(3) : nullptr;
  Tensor& y = ctx.out(0);
  const int64_t vol = g.out_vol();
  for (int64_t i = 0; i < y.numel(); ++i) {
    double v = acc[i] + bias[(i / vol) % g.m];
    if (z) v += z->get_f64(i);
    y.set_f64(i, ref_fused::activate(v, act));
  }
}

FS_REGISTER_KERNEL_DEF("flipscope.FusedConv", "reference",
                       std::vector<DType>{DType::F32, DType::F64, DType::F16, DType::BF16}, fused_conv);

}  // namespace
}  // namespace fs
