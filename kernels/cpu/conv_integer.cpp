// Cpu ConvInteger: (x - x_zero_point) conv (w - w_zero_point) (per tensor, or per output channel for
// w) through im2col and an exact double GEMM; padding contributes zero; the int32 output wraps.
#include "kernels/cpu/ew_qgemm_util.h"

namespace fs::cpu {
namespace {

void conv_integer(KernelContext& ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(1);
  Tensor& y = ctx.out(0);
  ew::QConvGeom g = ew::qconv_geom(ctx.node, x.shape(), w.shape());
  std::vector<double> xv = ew::as_doubles(x);
  if (ctx.has_input(2)) {
    double zp = ctx.in(2).get_f64(0);
    for (double& v : xv) v -= zp;
  }
  std::vector<double> wv = ew::weights_minus_zero_point(w, ctx.has_input(3) ? &ctx.in(3) : nullptr, g.m);
  std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
  if (y.numel() > 0) ew::qconv_acc(g, xv, wv, acc.data(), ctx.num_threads);
  int32_t* p = y.data<int32_t>();
  for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<int32_t>(static_cast<int64_t>(acc[i]));
}

FS_REGISTER_KERNEL(ConvInteger, "cpu", ({DType::U8, DType::I8}), conv_integer);

}  // namespace
}  // namespace fs::cpu
