// Cpu LpNormalization: x divided by its L1 or L2 norm along `axis` (an all-zero slice stays zero):
// the norms by the reduction engine, then one broadcast division.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct NormR : ew::SumR<T> {
  bool l1 = false;
  T map(T v) const { return l1 ? std::fabs(v) : v * v; }
  T finish(T a, int64_t) const { return l1 ? a : std::sqrt(a); }
};
template <typename T>
struct DivideFn {
  T operator()(T v, T norm) const { return norm == T(0) ? T(0) : v / norm; }
};

template <typename T>
void lp_typed(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", -1), x.rank()));
  std::vector<bool> mask(x.rank(), false);
  mask[axis] = true;
  Shape ns = x.shape();
  ns[axis] = 1;
  Tensor norm(x.dtype(), ns);
  NormR<T> r;
  r.l1 = ctx.node.attr_int("p", 2) == 1;
  ew::reduce<T>(x, mask, norm, ctx.num_threads, r);
  ew::binary<T, T, T>(x, norm, ctx.out(0), ctx.num_threads, DivideFn<T>{});
}

void lp_normalization(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, lp_normalization);
  if (ctx.out(0).numel() == 0) return;
  ew::visit(ew::kFloats, ctx.in(0).dtype(), [&](auto tag) { lp_typed<typename decltype(tag)::type>(ctx); });
}

FS_REGISTER_KERNEL(LpNormalization, "cpu", (ew::dtypes(ew::kFloats, true)), lp_normalization);

}  // namespace
}  // namespace fs::cpu
