// Reference MeanVarianceNormalization: y = (x - mean) / (sqrt(variance) + 1e-9) over `axes`
// (default [0, 2, 3]), the ONNX function's formula, with the statistics computed in double.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void mean_variance_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t r = static_cast<int64_t>(x.rank());
  std::vector<int64_t> axes = ctx.node.attr_ints("axes", {0, 2, 3});
  Shape reduced = x.shape();  // the statistics' shape: reduced axes set to 1
  for (int64_t a : axes) reduced[static_cast<size_t>(a < 0 ? a + r : a)] = 1;
  std::vector<int64_t> map = nn_ref::broadcast_index_map(reduced, x.shape());
  const int64_t groups = nn::product(reduced);
  std::vector<double> xv = nn_ref::to_f64(x), mean(static_cast<size_t>(groups), 0.0), var(mean), count(mean);
  for (int64_t i = 0; i < x.numel(); ++i) {
    mean[map[i]] += xv[i];
    count[map[i]] += 1;
  }
  for (int64_t g = 0; g < groups; ++g) mean[g] /= count[g];
  for (int64_t i = 0; i < x.numel(); ++i) var[map[i]] += (xv[i] - mean[map[i]]) * (xv[i] - mean[map[i]]);
  for (int64_t g = 0; g < groups; ++g) var[g] = std::sqrt(var[g] / count[g]) + 1e-9;  // now the divisor
  for (int64_t i = 0; i < x.numel(); ++i) y.set_f64(i, (xv[i] - mean[map[i]]) / var[map[i]]);
}

FS_REGISTER_KERNEL(MeanVarianceNormalization, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}),
                   mean_variance_normalization);

}  // namespace
}  // namespace fs
