// Cpu Gather (any dtype): out[outer, j, inner] = data[outer, indices[j], inner] (negative indices
// count from the end; out-of-range ones are an error); inner runs are memcpy'd.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

template <typename E>
void gather_typed(const E* src, const std::vector<int64_t>& idx, E* dst, int64_t outer, int64_t dim, int64_t inner,
                  int threads) {
  int64_t n = static_cast<int64_t>(idx.size());
  if (inner == 1) {  // element gather
    ew::parallel_simd(outer * n, ew::kGrain, threads, [&](int64_t b, int64_t e) FS_EW_INLINE {
      for (int64_t i = b; i < e; ++i) dst[i] = src[(i / n) * dim + idx[static_cast<size_t>(i % n)]];
    });
    return;
  }
  ew::parallel_for(outer * n, std::max<int64_t>(1, ew::kGrain / inner), threads, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      std::memcpy(dst + i * inner, src + ((i / n) * dim + idx[static_cast<size_t>(i % n)]) * inner,
                  static_cast<size_t>(inner) * sizeof(E));
  });
}

void gather(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", 0), data.rank()));
  int64_t dim = data.dim(axis);
  std::vector<int64_t> idx = ew::checked_indices(ctx.node, ctx.in(1), dim, "Gather");
  if (y.numel() == 0) return;
  int64_t outer = ew::numel_of(data.shape(), 0, axis), inner = ew::numel_of(data.shape(), axis + 1);
  ew::visit_bits(data.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    gather_typed(static_cast<const E*>(data.raw()), idx, static_cast<E*>(y.raw()), outer, dim, inner, ctx.num_threads);
  });
}

FS_REGISTER_KERNEL(Gather, "cpu", (all_dtypes()), gather);

}  // namespace
}  // namespace fs::cpu
