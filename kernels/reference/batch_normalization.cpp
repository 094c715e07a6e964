// Reference BatchNormalization (inference): y = (x - mean) / sqrt(var + epsilon) * scale + B in
// double. Parameters are per channel, or per element of [C, D1, ...] (opset < 9 spatial=0).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void batch_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const double eps = ctx.node.attr_float("epsilon", 1e-5f);
  std::vector<double> scale = nn_ref::to_f64(ctx.in(1)), bias = nn_ref::to_f64(ctx.in(2));
  std::vector<double> mean = nn_ref::to_f64(ctx.in(3)), var = nn_ref::to_f64(ctx.in(4));
  const int64_t c = x.dim(1);
  const int64_t per_sample = x.numel() / std::max<int64_t>(1, x.dim(0));  // C * D1 * ...
  const int64_t inner = c > 0 ? per_sample / c : 0;
  const bool per_element = static_cast<int64_t>(scale.size()) != c;
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t p = per_element ? i % per_sample : (i / inner) % c;
    y.set_f64(i, (x.get_f64(i) - mean[p]) / std::sqrt(var[p] + eps) * scale[p] + bias[p]);
  }
}

FS_REGISTER_KERNEL(BatchNormalization, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}),
                   batch_normalization);

}  // namespace
}  // namespace fs
