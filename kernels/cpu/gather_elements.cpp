// Cpu GatherElements (any dtype): out[i] = data[i with its axis coordinate replaced by indices[i]].
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void gather_elements(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  Tensor& y = ctx.out(0);
  size_t r = data.rank(), axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", 0), r));
  std::vector<int64_t> idx = ew::checked_indices(ctx.node, indices, data.dim(axis), "GatherElements");
  if (y.numel() == 0) return;
  // Over the indices' shape, data offsets without the axis coordinate; the index adds it.
  std::vector<int64_t> ds = contiguous_strides(data.shape());
  int64_t axis_stride = ds[axis];
  ew::StridedView v;
  v.dims = indices.shape();
  v.strides = ds;
  v.strides[axis] = 0;
  int64_t inner = v.dims.back(), s = v.strides.back();
  ew::visit_bits(data.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* src = static_cast<const E*>(data.raw());
    E* dst = static_cast<E*>(y.raw());
    ew::parallel_for(y.numel() / inner, std::max<int64_t>(1, ew::kGrain / inner), ctx.num_threads,
                     [&](int64_t b, int64_t e) {
                       ew::for_view_rows(v, b, e, [&](int64_t row, int64_t base) {
                         const int64_t* ix = idx.data() + row * inner;
                         E* d = dst + row * inner;
                         for (int64_t t = 0; t < inner; ++t) d[t] = src[base + t * s + ix[t] * axis_stride];
                       });
                     });
  });
}

FS_REGISTER_KERNEL(GatherElements, "cpu", (all_dtypes()), gather_elements);

}  // namespace
}  // namespace fs::cpu
