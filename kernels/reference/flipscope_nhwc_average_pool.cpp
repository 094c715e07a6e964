// Reference flipscope.NhwcAveragePool: AveragePool over the spatial dims of a channels-last (NHWC)
// tensor in double; count_include_pad counts the explicit padding taps (never ceil_mode's overhang).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void nhwc_average_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t n_ = x.dim(0), c = x.dim(3);
  const nn::Window w = nn_ref::pool_window(ctx.node, {n_, c, x.dim(1), x.dim(2)});
  nn_ref::check_output_shape(ctx, 0, {n_, w.out[0], w.out[1], c});
  const bool count_pad = ctx.node.attr_int("count_include_pad", 0) == 1;
  const nn_ref::PoolTaps t = nn_ref::pool_taps(w);
  const int64_t in_vol = w.in[0] * w.in[1], out_vol = w.out[0] * w.out[1];
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t o = 0; o < out_vol; ++o)
      for (int64_t ch = 0; ch < c; ++ch) {
        double sum = 0;
        for (int64_t j = t.begin[o]; j < t.begin[o + 1]; ++j) sum += x.get_f64((n * in_vol + t.offset[j]) * c + ch);
        const int64_t count = count_pad ? t.padded_count[o] : t.begin[o + 1] - t.begin[o];
        y.set_f64((n * out_vol + o) * c + ch, count > 0 ? sum / static_cast<double>(count) : 0.0);
      }
}

FS_REGISTER_KERNEL_DEF("flipscope.NhwcAveragePool", "reference",
                       std::vector<DType>{DType::F32, DType::F64, DType::F16, DType::BF16}, nhwc_average_pool);

}  // namespace
}  // namespace fs
