// Reference LRN: y = x / (bias + alpha / size * sum of x^2 over the channels
// [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta, in double.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void lrn(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t size = ctx.node.attr_int("size");
  const double alpha = ctx.node.attr_float("alpha", 1e-4f), beta = ctx.node.attr_float("beta", 0.75f);
  const double bias = ctx.node.attr_float("bias", 1.0f);
  const int64_t n = x.dim(0), c = x.dim(1);
  const int64_t inner = n * c > 0 ? x.numel() / (n * c) : 0;
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  std::vector<double> xv = nn_ref::to_f64(x);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < inner; ++i) {
        double sq = 0;
        for (int64_t k = std::max<int64_t>(0, ch - before); k <= std::min(c - 1, ch + after); ++k) {
          double v = xv[(b * c + k) * inner + i];
          sq += v * v;
        }
        int64_t idx = (b * c + ch) * inner + i;
        y.set_f64(idx, xv[idx] / std::pow(bias + alpha / static_cast<double>(size) * sq, beta));
      }
}

FS_REGISTER_KERNEL(LRN, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), lrn);

}  // namespace
}  // namespace fs
