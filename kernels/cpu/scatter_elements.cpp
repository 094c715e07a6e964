// Cpu ScatterElements (any dtype): output = data, then output[i with its axis coordinate replaced
// by indices[i]] = (or reduced with) updates[i], in index order.
#include "kernels/cpu/ew_movement_util.h"
#include "kernels/cpu/ew_scatter_util.h"

namespace fs::cpu {
namespace {

void scatter_elements(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  size_t r = data.rank(), axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", 0), r));
  std::vector<int64_t> idx = ew::checked_indices(ctx.node, indices, data.dim(axis), "ScatterElements");
  // Destination offsets: the coordinates of each index element in data's strides, axis replaced.
  std::vector<int64_t> ds = contiguous_strides(data.shape()), dst(idx.size());
  std::vector<int64_t> c(r, 0);
  for (size_t i = 0; i < idx.size(); ++i) {
    int64_t off = 0;
    for (size_t d = 0; d < r; ++d) off += (d == axis ? idx[i] : c[d]) * ds[d];
    dst[i] = off;
    for (size_t d = r; d-- > 0;) {
      if (++c[d] < indices.dim(d)) break;
      c[d] = 0;
    }
  }
  ew::scatter(ctx, static_cast<int64_t>(idx.size()), 1, [&](int64_t u) { return dst[static_cast<size_t>(u)]; });
}

FS_REGISTER_KERNEL(ScatterElements, "cpu", (all_dtypes()), scatter_elements);

}  // namespace
}  // namespace fs::cpu
