// Cpu Hardmax: 1 at the first maximum of each slice along the axis (of each flattened row with
// legacy_coerce_2d=1), 0 elsewhere; a NaN never wins unless it comes first.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
void hardmax_typed(const KernelContext& ctx, int64_t outer, int64_t dim, int64_t inner) {
  const T* x = ctx.in(0).data<T>();
  T* y = ctx.out(0).data<T>();
  std::fill(y, y + ctx.out(0).numel(), T(0));
  ew::parallel_for(outer * inner, std::max<int64_t>(1, ew::kGrain / std::max<int64_t>(1, dim)), ctx.num_threads,
                   [&](int64_t b, int64_t e) {
                     for (int64_t it = b; it < e; ++it) {
                       int64_t base = (it / inner) * dim * inner + it % inner, arg = 0;
                       for (int64_t k = 1; k < dim; ++k)
                         if (x[base + k * inner] > x[base + arg * inner]) arg = k;
                       if (dim > 0) y[base + arg * inner] = T(1);
                     }
                   });
}

void hardmax(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, hardmax);
  const Shape& s = ctx.in(0).shape();
  bool legacy = ctx.node.attr_int("legacy_coerce_2d", 0) == 1;
  size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", legacy ? 1 : -1), s.size()));
  int64_t outer = ew::numel_of(s, 0, axis);
  int64_t dim = legacy ? ew::numel_of(s, axis) : s[axis], inner = legacy ? 1 : ew::numel_of(s, axis + 1);
  if (ctx.out(0).numel() == 0) return;
  ew::visit(ew::kFloats, ctx.in(0).dtype(),
            [&](auto tag) { hardmax_typed<typename decltype(tag)::type>(ctx, outer, dim, inner); });
}

FS_REGISTER_KERNEL(Hardmax, "cpu", (ew::dtypes(ew::kFloats, true)), hardmax);

}  // namespace
}  // namespace fs::cpu
