// Reference MatMulInteger: (A - a_zero_point) x (B - b_zero_point) with exact int64 accumulation;
// zero points per tensor, per row of A / per column of B, or N-D broadcast. Output int32 (wraps).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

// The operand's values minus its zero point (broadcast per tensor / row / column).
std::vector<int64_t> minus_zero_point(const KernelContext& ctx, size_t operand, size_t zp_index, bool is_a) {
  const Tensor& x = ctx.in(operand);
  std::vector<int64_t> v = nn_ref::to_i64(x);
  if (!ctx.has_input(zp_index)) return v;
  const Tensor& zp = ctx.in(zp_index);
  Shape xs = x.rank() == 1 ? (is_a ? Shape{1, x.dim(0)} : Shape{x.dim(0), 1}) : x.shape();
  Shape ps = nn::matmul_param_shape(ctx.node, is_a ? "a_zero_point" : "b_zero_point", zp.shape(), xs, is_a);
  std::vector<int64_t> map = nn_ref::broadcast_index_map(ps, xs);
  for (size_t i = 0; i < v.size(); ++i) v[i] -= zp.get_i64(map[i]);
  return v;
}

void mat_mul_integer(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  nn_ref::MatMulGeom g = nn_ref::matmul_geom(ctx.in(0).shape(), ctx.in(1).shape());
  std::vector<int64_t> av = minus_zero_point(ctx, 0, 2, true), bv = minus_zero_point(ctx, 1, 3, false);
  std::vector<int64_t> yv(static_cast<size_t>(y.numel()));
  nn_ref::matmul(g, av.data(), bv.data(), yv.data());
  for (int64_t i = 0; i < y.numel(); ++i) y.set_i64(i, yv[i]);
}

FS_REGISTER_KERNEL(MatMulInteger, "reference", ({DType::U8, DType::I8}), mat_mul_integer);

}  // namespace
}  // namespace fs
