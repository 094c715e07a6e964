// Reference flipscope.LowpConv: X and W rounded to fp16/bf16, then the FusedConv arithmetic in double
// (accumulate fp32), or the documented fp16 accumulation (engine/ops/flipscope_lowp.cpp) written out
// naively per output element; bias, residual and activation in double, each output rounded once.
#include "engine/half.h"
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

// Value of v after storage in the 16-bit type.
double stored(double v, bool fp16) {
  return fp16 ? half_to_float(double_to_half(v)) : bf16_to_float(double_to_bf16(v));
}
float to_fp16(float v) { return half_to_float(float_to_half(v)); }

std::vector<double> stored_all(const Tensor& t, bool fp16) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = stored(t.get_f64(i), fp16);
  return v;
}

// One output of the fp16-accumulating convolution: output (n, m, od, oh, ow).
double conv_fp16_acc(const nn_ref::ConvDims& g, const std::vector<double>& x, const std::vector<double>& w, int64_t n,
                     int64_t m, int64_t od, int64_t oh, int64_t ow) {
  const int64_t cg = g.c / g.group, mg = g.m / g.group, grp = m / mg;
  float total = 0.0f, s = 0.0f;
  int64_t k = 0;
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw, ++k) {
          const int64_t id = od * g.s[0] - g.pb[0] + kd * g.d[0];
          const int64_t ih = oh * g.s[1] - g.pb[1] + kh * g.d[1];
          const int64_t iw = ow * g.s[2] - g.pb[2] + kw * g.d[2];
          float xv = 0.0f;
          if (id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2])
            xv = static_cast<float>(
                x[((n * g.c + grp * cg + c) * g.in[0] + id) * g.in[1] * g.in[2] + ih * g.in[2] + iw]);
          const float wv = static_cast<float>(w[((m * cg + c) * g.k[0] + kd) * g.k[1] * g.k[2] + kh * g.k[2] + kw]);
          const float prod = xv * wv;  // exact: two 11-bit significands
          s = to_fp16(s + prod);
          if (k % 32 == 31) {
            total = to_fp16(total + s);
            s = 0.0f;
          }
        }
  if (k % 32 != 0) total = to_fp16(total + s);
  return total;
}

void lowp_conv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Node& node = ctx.node;
  const fused::Activation act = fused::parse_activation(node);
  const bool fp16 = node.attr_string("dtype", "") == "fp16";
  const bool acc16 = node.attr_string("accumulate", "fp32") == "fp16";
  nn::Window win = nn::forward_window(node, x.shape(), nn::conv_kernel_shape(node, w.shape()), false);
  nn_ref::ConvDims g = nn_ref::conv_dims(win, x.dim(0), x.dim(1), w.dim(0), node.attr_int("group", 1));
  Shape ys{g.n, g.m};
  ys.insert(ys.end(), win.out.begin(), win.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);

  const std::vector<double> xv = stored_all(x, fp16), wv = stored_all(w, fp16);
  std::vector<double> acc(static_cast<size_t>(ctx.out(0).numel()));
  if (acc16) {
    size_t i = 0;
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t m = 0; m < g.m; ++m)
        for (int64_t od = 0; od < g.out[0]; ++od)
          for (int64_t oh = 0; oh < g.out[1]; ++oh)
            for (int64_t ow = 0; ow < g.out[2]; ++ow) acc[i++] = conv_fp16_acc(g, xv, wv, n, m, od, oh, ow);
  } else {
    nn_ref::conv_forward(g, xv.data(), wv.data(), acc.data());
  }
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

FS_REGISTER_KERNEL_DEF("flipscope.LowpConv", "reference", std::vector<DType>{DType::F32}, lowp_conv);

}  // namespace
}  // namespace fs
