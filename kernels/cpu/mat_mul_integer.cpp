// Cpu MatMulInteger: (A - a_zero_point) x (B - b_zero_point) with numpy batching, exact through
// double GEMM; zero points per tensor, per row of A / per column of B, or N-D broadcast. The int32
// output wraps like a 32-bit accumulator.
#include "kernels/cpu/ew_qgemm_util.h"

namespace fs::cpu {
namespace {

void mat_mul_integer(KernelContext& ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor& y = ctx.out(0);
  ew::QMatMulGeom g = ew::qmatmul_geom(a.shape(), b.shape());
  std::vector<double> av =
      ew::minus_zero_point(ctx, a, g.a, ctx.has_input(2) ? &ctx.in(2) : nullptr, "a_zero_point", true);
  std::vector<double> bv =
      ew::minus_zero_point(ctx, b, g.b, ctx.has_input(3) ? &ctx.in(3) : nullptr, "b_zero_point", false);
  std::vector<double> acc(static_cast<size_t>(y.numel()));
  if (g.k == 0)
    std::fill(acc.begin(), acc.end(), 0.0);
  else
    ew::batched_dgemm(g, av.data(), bv.data(), acc.data(), ctx.num_threads);
  int32_t* p = y.data<int32_t>();
  for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<int32_t>(static_cast<int64_t>(acc[i]));
}

FS_REGISTER_KERNEL(MatMulInteger, "cpu", ({DType::U8, DType::I8}), mat_mul_integer);

}  // namespace
}  // namespace fs::cpu
