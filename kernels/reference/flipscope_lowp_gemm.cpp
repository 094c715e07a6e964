// Reference flipscope.LowpGemm: A and B rounded to fp16/bf16, then Y = act(alpha * A' B' + beta * C)
// in double (accumulate fp32), or with the documented fp16 accumulation over K (blocks of 32,
// engine/ops/flipscope_lowp.cpp); each output rounded once.
#include "engine/half.h"
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

double stored(double v, bool fp16) {
  return fp16 ? half_to_float(double_to_half(v)) : bf16_to_float(double_to_bf16(v));
}
float to_fp16(float v) { return half_to_float(float_to_half(v)); }

void lowp_gemm(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  const Node& node = ctx.node;
  const fused::Activation act = fused::parse_activation(node);
  const bool fp16 = node.attr_string("dtype", "") == "fp16";
  const bool acc16 = node.attr_string("accumulate", "fp32") == "fp16";
  const bool ta = node.attr_int("transA", 0), tb = node.attr_int("transB", 0);
  const double alpha = node.attr_float("alpha", 1.0f), beta = node.attr_float("beta", 1.0f);
  const int64_t m = y.dim(0), n = y.dim(1), k = ta ? a.dim(0) : a.dim(1);
  std::vector<int64_t> cmap;
  if (ctx.has_input(2)) cmap = nn_ref::broadcast_index_map(ctx.in(2).shape(), y.shape());
  std::vector<double> av(static_cast<size_t>(a.numel())), bv(static_cast<size_t>(b.numel()));
  for (int64_t i = 0; i < a.numel(); ++i) av[i] = stored(a.get_f64(i), fp16);
  for (int64_t i = 0; i < b.numel(); ++i) bv[i] = stored(b.get_f64(i), fp16);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      if (acc16) {
        float total = 0.0f, s = 0.0f;
        for (int64_t kk = 0; kk < k; ++kk) {
          const float prod = static_cast<float>(av[ta ? kk * m + i : i * k + kk]) *
                             static_cast<float>(bv[tb ? j * k + kk : kk * n + j]);  // exact
          s = to_fp16(s + prod);
          if (kk % 32 == 31 || kk == k - 1) {
            total = to_fp16(total + s);
            s = 0.0f;
          }
        }
        acc = total;
      } else {
        for (int64_t kk = 0; kk < k; ++kk) acc += av[ta ? kk * m + i : i * k + kk] * bv[tb ? j * k + kk : kk * n + j];
      }
      double r = alpha * acc;
      if (!cmap.empty()) r += beta * ctx.in(2).get_f64(cmap[i * n + j]);
      y.set_f64(i * n + j, ref_fused::activate(r, act));
    }
}

FS_REGISTER_KERNEL_DEF("flipscope.LowpGemm", "reference", std::vector<DType>{DType::F32}, lowp_gemm);

}  // namespace
}  // namespace fs
