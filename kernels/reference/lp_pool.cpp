// Reference LpPool: (sum over each window of |x|^p)^(1/p) in double (padding contributes zero).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void lp_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  nn::Window w = nn_ref::pool_window(ctx.node, x.shape());
  Shape ys{x.dim(0), x.dim(1)};
  ys.insert(ys.end(), w.out.begin(), w.out.end());
  nn_ref::check_output_shape(ctx, 0, ys);
  const double p_norm = static_cast<double>(ctx.node.attr_int("p", 2));
  nn_ref::PoolTaps t = nn_ref::pool_taps(w);
  std::vector<double> xv = nn_ref::to_f64(x);
  const int64_t planes = x.dim(0) * x.dim(1), in_vol = nn::product(w.in), out_vol = nn::product(w.out);
  for (int64_t p = 0; p < planes; ++p) {
    const double* xp = xv.data() + p * in_vol;
    for (int64_t o = 0; o < out_vol; ++o) {
      double sum = 0;
      for (int64_t j = t.begin[o]; j < t.begin[o + 1]; ++j) sum += std::pow(std::abs(xp[t.offset[j]]), p_norm);
      y.set_f64(p * out_vol + o, std::pow(sum, 1.0 / p_norm));
    }
  }
}

FS_REGISTER_KERNEL(LpPool, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), lp_pool);

}  // namespace
}  // namespace fs
