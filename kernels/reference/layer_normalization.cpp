// Reference LayerNormalization: over the dims from `axis` on, y = (x - mean) * inv_std_dev * Scale
// + B (Scale and B broadcast to those dims), in double; optional Mean and InvStdDev outputs.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void layer_normalization(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const double eps = ctx.node.attr_float("epsilon", 1e-5f);
  int64_t axis = ctx.node.attr_int("axis", -1);
  if (axis < 0) axis += static_cast<int64_t>(x.rank());
  Shape normalized(x.shape().begin() + axis, x.shape().end());
  const int64_t vol = nn::product(normalized);
  const int64_t outer = vol > 0 ? x.numel() / vol : 0;
  std::vector<double> scale = nn_ref::to_f64(ctx.in(1)), bias;
  std::vector<int64_t> scale_map = nn_ref::broadcast_index_map(ctx.in(1).shape(), normalized), bias_map;
  if (ctx.has_input(2)) {
    bias = nn_ref::to_f64(ctx.in(2));
    bias_map = nn_ref::broadcast_index_map(ctx.in(2).shape(), normalized);
  }
  Tensor* mean_out = ctx.num_outputs() > 1 ? ctx.outputs[1] : nullptr;
  Tensor* inv_out = ctx.num_outputs() > 2 ? ctx.outputs[2] : nullptr;
  std::vector<double> v(static_cast<size_t>(vol));
  for (int64_t o = 0; o < outer; ++o) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < vol; ++i) mean += v[i] = x.get_f64(o * vol + i);
    mean /= static_cast<double>(vol);
    for (int64_t i = 0; i < vol; ++i) var += (v[i] - mean) * (v[i] - mean);
    var /= static_cast<double>(vol);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < vol; ++i) {
      double r = (v[i] - mean) * inv * scale[scale_map[i]];
      if (!bias.empty()) r += bias[bias_map[i]];
      y.set_f64(o * vol + i, r);
    }
    if (mean_out) mean_out->set_f64(o, mean);
    if (inv_out) inv_out->set_f64(o, inv);
  }
}

FS_REGISTER_KERNEL(LayerNormalization, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}),
                   layer_normalization);

}  // namespace
}  // namespace fs
