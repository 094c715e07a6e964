// Reference flipscope.NhwcGlobalAveragePool: the mean over H and W of every (n, c) of a channels-last
// (NHWC) tensor, in double; Y is [N, 1, 1, C].
#include <cmath>

#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void nhwc_global_average_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t n_ = x.dim(0), vol = x.dim(1) * x.dim(2), c = x.dim(3);
  nn_ref::check_output_shape(ctx, 0, {n_, 1, 1, c});
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0;
      for (int64_t i = 0; i < vol; ++i) sum += x.get_f64((n * vol + i) * c + ch);
      y.set_f64(n * c + ch, vol > 0 ? sum / static_cast<double>(vol) : std::nan(""));
    }
}

FS_REGISTER_KERNEL_DEF("flipscope.NhwcGlobalAveragePool", "reference",
                       std::vector<DType>{DType::F32, DType::F64, DType::F16, DType::BF16}, nhwc_global_average_pool);

}  // namespace
}  // namespace fs
