// Reference ConvInteger: (x - x_zero_point) conv (w - w_zero_point) with exact int64 accumulation;
// the int32 output wraps like ONNX Runtime's 32-bit accumulator. Padding contributes zero.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void conv_integer(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Node& node = ctx.node;
  nn::Window win = nn::forward_window(node, x.shape(), nn::conv_kernel_shape(node, w.shape()), false);
  int64_t group = node.attr_int("group", 1);
  nn_ref::ConvDims g = nn_ref::conv_dims(win, x.dim(0), x.dim(1), w.dim(0), group);
  Shape ys{g.n, g.m};
  ys.insert(ys.end(), win.out.begin(), win.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);

  std::vector<int64_t> xv = nn_ref::to_i64(x), wv = nn_ref::to_i64(w);
  int64_t xzp = ctx.has_input(2) ? ctx.in(2).get_i64(0) : 0;
  for (int64_t& v : xv) v -= xzp;
  if (ctx.has_input(3)) {
    const Tensor& wzp = ctx.in(3);
    const int64_t per_m = static_cast<int64_t>(wv.size()) / g.m;
    for (size_t i = 0; i < wv.size(); ++i) wv[i] -= wzp.get_i64(wzp.numel() == 1 ? 0 : static_cast<int64_t>(i) / per_m);
  }
  Tensor& y = ctx.out(0);
  std::vector<int64_t> acc(static_cast<size_t>(y.numel()));
  nn_ref::conv_forward(g, xv.data(), wv.data(), acc.data());
  for (int64_t i = 0; i < y.numel(); ++i) y.set_i64(i, acc[i]);
}

FS_REGISTER_KERNEL(ConvInteger, "reference", ({DType::U8, DType::I8}), conv_integer);

}  // namespace
}  // namespace fs
