// Reference InstanceNormalization: per (n, c) plane, y = (x - mean) / sqrt(var + epsilon) * scale[c]
// + B[c], with the population mean and variance computed in double.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void instance_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const double eps = ctx.node.attr_float("epsilon", 1e-5f);
  std::vector<double> scale = nn_ref::to_f64(ctx.in(1)), bias = nn_ref::to_f64(ctx.in(2));
  const int64_t c = x.dim(1), planes = x.dim(0) * c;
  const int64_t vol = planes > 0 ? x.numel() / planes : 0;
  std::vector<double> v(static_cast<size_t>(vol));
  for (int64_t p = 0; p < planes; ++p) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < vol; ++i) mean += v[i] = x.get_f64(p * vol + i);
    mean /= static_cast<double>(vol);
    for (int64_t i = 0; i < vol; ++i) var += (v[i] - mean) * (v[i] - mean);
    var /= static_cast<double>(vol);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < vol; ++i) y.set_f64(p * vol + i, (v[i] - mean) * inv * scale[p % c] + bias[p % c]);
  }
}

FS_REGISTER_KERNEL(InstanceNormalization, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}),
                   instance_normalization);

}  // namespace
}  // namespace fs
