// Reference Conv (1-D/2-D/3-D, groups, dilations, strides, pads / auto_pad, optional bias): the
// oracle of every optimized convolution. Accumulates in double; the bias is added in double and
// each output is rounded once.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void conv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Node& node = ctx.node;
  nn::Window win = nn::forward_window(node, x.shape(), nn::conv_kernel_shape(node, w.shape()), false);
  int64_t group = node.attr_int("group", 1);
  nn_ref::ConvDims g = nn_ref::conv_dims(win, x.dim(0), x.dim(1), w.dim(0), group);
  Shape ys{g.n, g.m};
  ys.insert(ys.end(), win.out.begin(), win.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);

  std::vector<double> xv = nn_ref::to_f64(x), wv = nn_ref::to_f64(w);
  std::vector<double> acc(static_cast<size_t>(ctx.out(0).numel()));
  nn_ref::conv_forward(g, xv.data(), wv.data(), acc.data());
  std::vector<double> bias(static_cast<size_t>(g.m), 0.0);
  if (ctx.has_input(2)) bias = nn_ref::to_f64(ctx.in(2));
  Tensor& y = ctx.out(0);
  const int64_t vol = g.out_vol();
  for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, acc[i] + bias[(i / vol) % g.m]);
}

FS_REGISTER_KERNEL(Conv, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), conv);

}  // namespace
}  // namespace fs
