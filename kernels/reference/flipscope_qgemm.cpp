// Reference flipscope.QGemm: acc[r, n] = sum_k (A[r, k] - a_zero_point) * W[n, k] in int64, then
// act(acc * (a_scale * w_scale[n]) + B[n]) in double, rounded to float32 once. A's leading
// dimensions are rows.
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void qgemm(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& w = ctx.in(3);
  const fused::Activation act = fused::parse_activation(ctx.node);
  const int64_t k = w.dim(1), n = w.dim(0);
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < a.shape().size(); ++d) rows *= a.shape()[d];
  Shape ys = a.shape();
  ys.back() = n;
  nn_ref::check_output_shape(ctx, 0, ys);
  const int64_t zp = ctx.in(2).get_i64(0);
  const double as = ctx.in(1).get_f64(0);
  const Tensor& ws = ctx.in(4);
  const Tensor* b = ctx.has_input(5) ? &ctx.in(5) : nullptr;
  Tensor& y = ctx.out(0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = 0;
      for (int64_t i = 0; i < k; ++i) acc += (a.get_i64(r * k + i) - zp) * w.get_i64(j * k + i);
      double v = static_cast<double>(acc) * (as * ws.get_f64(j));
      if (b) v += b->get_f64(j);
      y.set_f64(r * n + j, ref_fused::activate(v, act));
    }
}

FS_REGISTER_KERNEL_DEF("flipscope.QGemm", "reference", std::vector<DType>{DType::U8}, qgemm);

}  // namespace
}  // namespace fs
