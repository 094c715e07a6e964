// Reference Gemm: Y = alpha * A' * B' + beta * C (A', B' optionally transposed, C broadcast to
// [M, N]); floats accumulate in double, integers exactly in int64 (then scaled by alpha / beta).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void gemm(KernelContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  Tensor& y = ctx.out(0);
  const bool ta = ctx.node.attr_int("transA", 0), tb = ctx.node.attr_int("transB", 0);
  const double alpha = ctx.node.attr_float("alpha", 1.0f), beta = ctx.node.attr_float("beta", 1.0f);
  const int64_t m = y.dim(0), n = y.dim(1), k = ta ? a.dim(0) : a.dim(1);
  // Element (i, kk) of A' and (kk, j) of B' as flat indices of A and B.
  auto ai = [&](int64_t i, int64_t kk) { return ta ? kk * m + i : i * k + kk; };
  auto bi = [&](int64_t kk, int64_t j) { return tb ? j * k + kk : kk * n + j; };
  std::vector<int64_t> cmap;
  if (ctx.has_input(2)) cmap = nn_ref::broadcast_index_map(ctx.in(2).shape(), y.shape());
  if (is_float(a.dtype())) {
    std::vector<double> av = nn_ref::to_f64(a), bv = nn_ref::to_f64(b);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t kk = 0; kk < k; ++kk) acc += av[ai(i, kk)] * bv[bi(kk, j)];
        double r = alpha * acc;
        if (!cmap.empty()) r += beta * ctx.in(2).get_f64(cmap[i * n + j]);
        y.set_f64(i * n + j, r);
      }
    return;
  }
  std::vector<int64_t> av = nn_ref::to_i64(a), bv = nn_ref::to_i64(b);
  const bool int_scales = alpha == std::trunc(alpha) && beta == std::trunc(beta);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      uint64_t acc = 0;  // wraps modulo 2^64 like the int64 hardware would, without UB
      for (int64_t kk = 0; kk < k; ++kk)
        acc += static_cast<uint64_t>(av[ai(i, kk)]) * static_cast<uint64_t>(bv[bi(kk, j)]);
      int64_t c = cmap.empty() ? 0 : ctx.in(2).get_i64(cmap[i * n + j]);
      if (int_scales) {
        uint64_t r = static_cast<uint64_t>(static_cast<int64_t>(alpha)) * acc +
                     static_cast<uint64_t>(static_cast<int64_t>(beta)) * static_cast<uint64_t>(c);
        y.set_i64(i * n + j, static_cast<int64_t>(r));
      } else {
        y.set_f64(i * n + j, alpha * static_cast<double>(static_cast<int64_t>(acc)) + beta * static_cast<double>(c));
      }
    }
}

FS_REGISTER_KERNEL(Gemm, "reference",
                   ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I64, DType::U32, DType::U64}),
                   gemm);

}  // namespace
}  // namespace fs
