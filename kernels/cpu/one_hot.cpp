// Cpu OneHot: out[..., d, ...] (d on `axis`) = values[1] where indices[...] == d (negative indices
// count from depth), values[0] elsewhere, including for out-of-range indices.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void one_hot(KernelContext& ctx) {
  const Tensor& indices = ctx.in(0);
  const Tensor& values = ctx.in(2);
  Tensor& y = ctx.out(0);
  size_t r = y.rank(), axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", -1), r));
  int64_t depth = y.dim(axis), outer = ew::numel_of(y.shape(), 0, axis), inner = ew::numel_of(y.shape(), axis + 1);
  std::vector<int64_t> idx = indices.to_i64_vector();  // float indices truncate, as a cast to int64
  ew::visit_bits(y.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* v = static_cast<const E*>(values.raw());
    E* p = static_cast<E*>(y.raw());
    std::fill(p, p + y.numel(), v[0]);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t d = idx[static_cast<size_t>(o * inner + i)];
        if (d < 0) d += depth;
        if (d >= 0 && d < depth) p[(o * depth + d) * inner + i] = v[1];
      }
  });
}

FS_REGISTER_KERNEL(OneHot, "cpu", (numeric_dtypes()), one_hot);

}  // namespace
}  // namespace fs::cpu
