// Reference flipscope.NhwcConv: Y = act(Conv(X, W) + B + Z) with X, Z, Y channels-last (NHWC) and W
// in ONNX OIHW order; one naive loop per output element, accumulated in double, rounded once.
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void nhwc_conv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Node& node = ctx.node;
  const fused::Activation act = fused::parse_activation(node);
  const int64_t n_ = x.dim(0), h = x.dim(1), wd = x.dim(2), c = x.dim(3), m = w.dim(0);
  const int64_t group = node.attr_int("group", 1), cg = c / group, mg = m / group;
  const nn::Window win = nn::forward_window(node, {n_, c, h, wd}, nn::conv_kernel_shape(node, w.shape()), false);
  const int64_t oh = win.out[0], ow = win.out[1], kh = win.kernel[0], kw = win.kernel[1];
  nn_ref::check_output_shape(ctx, 0, {n_, oh, ow, m});
  const std::vector<double> xv = nn_ref::to_f64(x), wv = nn_ref::to_f64(w);
  const std::vector<double> bias = ctx.has_input(2) ? nn_ref::to_f64(ctx.in(2)) : std::vector<double>(m, 0.0);
  const Tensor* z = ctx.has_input(3) ? &ctx.in(3) : nullptr;
  Tensor& y = ctx.out(0);
  int64_t o = 0;  // flat NHWC output index
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t mo = 0; mo < m; ++mo, ++o) {
          const int64_t gi = mo / mg;
          double acc = bias[mo];
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t iy = oy * win.strides[0] - win.pads_begin[0] + ky * win.dilations[0];
            if (iy < 0 || iy >= h) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t ix = ox * win.strides[1] - win.pads_begin[1] + kx * win.dilations[1];
              if (ix < 0 || ix >= wd) continue;
              for (int64_t ci = 0; ci < cg; ++ci)
                acc += xv[((n * h + iy) * wd + ix) * c + gi * cg + ci] * wv[((mo * cg + ci) * kh + ky) * kw + kx];
            }
          }
          if (z) acc += z->get_f64(o);
          y.set_f64(o, ref_fused::activate(acc, act));
        }
}

FS_REGISTER_KERNEL_DEF("flipscope.NhwcConv", "reference",
                       std::vector<DType>{DType::F32, DType::F64, DType::F16, DType::BF16}, nhwc_conv);

}  // namespace
}  // namespace fs
