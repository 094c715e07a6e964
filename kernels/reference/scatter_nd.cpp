// Reference ScatterND: output = data, then each index tuple (last indices dimension) selects a
// slice of the output that is replaced by (or reduced with) the matching slice of updates.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void scatter_nd_ref(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  const Tensor& updates = ctx.in(2);
  Tensor& y = ctx.out(0);
  movement_ref::Reduction red = movement_ref::reduction_of(ctx.node);
  movement_ref::copy_elems(y, 0, data, 0, data.numel());
  int64_t q = static_cast<int64_t>(indices.rank()), r = static_cast<int64_t>(data.rank());
  int64_t k = indices.dim(q - 1), tuples = 1, slice = 1;
  for (int64_t d = 0; d < q - 1; ++d) tuples *= indices.dim(d);
  for (int64_t d = k; d < r; ++d) slice *= data.dim(d);
  std::vector<int64_t> strides = contiguous_strides(data.shape());
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t dst = 0;
    for (int64_t j = 0; j < k; ++j)
      dst += movement_ref::checked_index(ctx.node, indices.get_i64(t * k + j), data.dim(j), "ScatterND") * strides[j];
    for (int64_t s = 0; s < slice; ++s) movement_ref::scatter_into(y, dst + s, updates, t * slice + s, red);
  }
}

FS_REGISTER_KERNEL(ScatterND, "reference", (all_dtypes()), scatter_nd_ref);

}  // namespace
}  // namespace fs
