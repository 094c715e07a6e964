// Reference QLinearMatMul: exact int64 accumulation of (a - a_zp) x (b - b_zp), requantized in
// double: y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) + y_zp). Scales and zero
// points are per tensor, per row of a / per column of b, or N-D broadcast.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

struct Operand {
  std::vector<int64_t> v;         // values minus zero point
  std::vector<int64_t> scale_at;  // per element: index into the scale tensor
};

Operand prepare(const KernelContext& ctx, size_t x_i, size_t scale_i, size_t zp_i, bool is_a) {
  const Tensor& x = ctx.in(x_i);
  Shape xs = x.rank() == 1 ? (is_a ? Shape{1, x.dim(0)} : Shape{x.dim(0), 1}) : x.shape();
  Operand o;
  o.v = nn_ref::to_i64(x);
  const char* side = is_a ? "a" : "b";
  o.scale_at = nn_ref::broadcast_index_map(
      nn::matmul_param_shape(ctx.node, std::string(side) + "_scale", ctx.in(scale_i).shape(), xs, is_a), xs);
  if (ctx.has_input(zp_i)) {
    const Tensor& zp = ctx.in(zp_i);
    std::vector<int64_t> map = nn_ref::broadcast_index_map(
        nn::matmul_param_shape(ctx.node, std::string(side) + "_zero_point", zp.shape(), xs, is_a), xs);
    for (size_t i = 0; i < o.v.size(); ++i) o.v[i] -= zp.get_i64(map[i]);
  }
  return o;
}

void qlinear_mat_mul(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  nn_ref::MatMulGeom g = nn_ref::matmul_geom(ctx.in(0).shape(), ctx.in(3).shape());
  Operand a = prepare(ctx, 0, 1, 2, true), b = prepare(ctx, 3, 4, 5, false);
  std::vector<int64_t> acc(static_cast<size_t>(y.numel()));
  nn_ref::matmul(g, a.v.data(), b.v.data(), acc.data());
  const double y_scale = ctx.in(6).get_f64(0);
  const int64_t yzp = ctx.has_input(7) ? ctx.in(7).get_i64(0) : 0;
  const Tensor& as = ctx.in(1);
  const Tensor& bs = ctx.in(4);
  for (int64_t bi = 0; bi < g.batch; ++bi)
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) {
        // The scales of row i of a (its first element) and column j of b (its first element).
        // (With K = 0 the accumulator is 0 and the scales do not matter.)
        double sa = g.k ? as.get_f64(a.scale_at[g.a_off[bi] + i * g.k]) : 0.0;
        double sb = g.k ? bs.get_f64(b.scale_at[g.b_off[bi] + j]) : 0.0;
        int64_t o = (bi * g.m + i) * g.n + j;
        y.set_i64(o, nn_ref::quantize(static_cast<double>(acc[o]) * sa * sb / y_scale, yzp, y.dtype()));
      }
}

FS_REGISTER_KERNEL(QLinearMatMul, "reference", ({DType::U8, DType::I8}), qlinear_mat_mul);

}  // namespace
}  // namespace fs
