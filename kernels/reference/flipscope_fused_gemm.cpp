// Reference flipscope.FusedGemm: Y = act(alpha * A' * B' + beta * C) in double (C broadcast to
// [M, N]), each output rounded once.
#include "kernels/reference/flipscope_util.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void fused_gemm(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  const fused::Activation act = fused::parse_activation(ctx.node);
  const bool ta = ctx.node.attr_int("transA", 0), tb = ctx.node.attr_int("transB", 0);
  const double alpha = ctx.node.attr_float("alpha", 1.0f), beta = ctx.node.attr_float("beta", 1.0f);
  const int64_t m = y.dim(0), n = y.dim(1), k = ta ? a.dim(0) : a.dim(1);
  std::vector<int64_t> cmap;
  if (ctx.has_input(2)) cmap = nn_ref::broadcast_index_map(ctx.in(2).shape(), y.shape());
  std::vector<double> av = nn_ref::to_f64(a), bv = nn_ref::to_f64(b);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t kk = 0; kk < k; ++kk) acc += av[ta ? kk * m + i : i * k + kk] * bv[tb ? j * k + kk : kk * n + j];
      double r = alpha * acc;
      if (!cmap.empty()) r += beta * ctx.in(2).get_f64(cmap[i * n + j]);
      y.set_f64(i * n + j, ref_fused::activate(r, act));
    }
}

FS_REGISTER_KERNEL_DEF("flipscope.FusedGemm", "reference",
                       std::vector<DType>{DType::F32, DType::F64, DType::F16, DType::BF16}, fused_gemm);

}  // namespace
}  // namespace fs
