// Reference AveragePool: mean over each window in double; the divisor counts the padding taps when
// count_include_pad=1 (never the taps beyond the explicit padding that ceil_mode adds).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void average_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  nn::Window w = nn_ref::pool_window(ctx.node, x.shape());
  Shape ys{x.dim(0), x.dim(1)};
  ys.insert(ys.end(), w.out.begin(), w.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);
  const bool count_pad = ctx.node.attr_int("count_include_pad", 0) == 1;
  nn_ref::PoolTaps t = nn_ref::pool_taps(w);
  std::vector<double> xv = nn_ref::to_f64(x);
  const int64_t planes = x.dim(0) * x.dim(1), in_vol = nn::product(w.in), out_vol = nn::product(w.out);
  for (int64_t p = 0; p < planes; ++p) {
    const double* xp = xv.data() + p * in_vol;
    for (int64_t o = 0; o < out_vol; ++o) {
      double sum = 0;
      for (int64_t j = t.begin[o]; j < t.begin[o + 1]; ++j) sum += xp[t.offset[j]];
      int64_t count = count_pad ? t.padded_count[o] : t.begin[o + 1] - t.begin[o];
      y.set_f64(p * out_vol + o, count > 0 ? sum / static_cast<double>(count) : 0.0);
    }
  }
}

FS_REGISTER_KERNEL(AveragePool, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), average_pool);

}  // namespace
}  // namespace fs
