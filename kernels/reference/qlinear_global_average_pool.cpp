// Reference com.microsoft.QLinearGlobalAveragePool: the exact integer sum of (x - x_zero_point) over
// the spatial axes of each (n, c), then mean = x_scale * sum / count requantized to y (round half to
// even, saturate), in double. channels_last = 1 reads X as [N, D1..., C].
#include "kernels/reference/contrib_util.h"

namespace fs {
namespace {

void qlinear_global_average_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const bool channels_last = ctx.node.attr_int("channels_last", 0) != 0;
  const double xs = ref_contrib::scale_at(ctx, 1), ys = ref_contrib::scale_at(ctx, 3);
  const int64_t xzp = ref_contrib::zero_point_at(ctx, 2), yzp = ref_contrib::zero_point_at(ctx, 4);
  const Shape& s = x.shape();
  const int64_t n = s[0], c = channels_last ? s.back() : s[1];
  const int64_t count = n * c == 0 ? 0 : x.numel() / (n * c);  // spatial elements per (n, c)
  for (int64_t ni = 0; ni < n; ++ni)
    for (int64_t ci = 0; ci < c; ++ci) {
      int64_t sum = 0;
      for (int64_t k = 0; k < count; ++k) {
        int64_t at = channels_last ? (ni * count + k) * c + ci : (ni * c + ci) * count + k;
        sum += x.get_i64(at) - xzp;
      }
      // An empty window (a zero-sized spatial axis) averages nothing: the output is the zero point.
      double mean = count ? xs * static_cast<double>(sum) / static_cast<double>(count) : 0.0;
      y.set_i64(ni * c + ci, ref_contrib::requantize(mean / ys, yzp, y.dtype()));
    }
}

FS_REGISTER_KERNEL_DEF("com.microsoft.QLinearGlobalAveragePool", "reference", std::vector<DType>{DType::U8, DType::I8},
                       qlinear_global_average_pool);

}  // namespace
}  // namespace fs
