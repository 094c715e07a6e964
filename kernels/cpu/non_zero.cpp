// Cpu NonZero: the coordinates of the non-zero elements (NaN counts as non-zero) in row-major order,
// as a [rank, count] int64 tensor (a scalar counts as 1-D with coordinate 0).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

template <typename T>
bool nonzero(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return !(v == T(0));
  } else {
    return v != T(0);
  }
}

void non_zero(KernelContext& ctx) {
  if (ew::is_half(ctx.in(0).dtype())) return ew::via_f32(ctx, non_zero);
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t count = y.dim(1), found = 0;
  size_t r = x.rank();
  int64_t* out = y.data<int64_t>();
  ew::visit(ew::kAll, x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = x.data<T>();
    std::vector<int64_t> idx(r, 0);
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (nonzero(p[i])) {
        if (found >= count) ctx.node.fail_node("internal: more non-zeros than the inferred output holds");
        for (size_t d = 0; d < r; ++d) out[static_cast<int64_t>(d) * count + found] = idx[d];
        ++found;
      }
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < x.dim(d)) break;
        idx[d] = 0;
      }
    }
  });
  if (found != count) ctx.node.fail_node("internal: fewer non-zeros than the inferred output holds");
}

FS_REGISTER_KERNEL(NonZero, "cpu", (all_dtypes()), non_zero);

}  // namespace
}  // namespace fs::cpu
