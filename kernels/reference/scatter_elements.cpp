// Reference ScatterElements: output = data, then output[i with its axis coordinate replaced by
// indices[i]] = (or reduced with) updates[i], in index order.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void scatter_elements_ref(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  const Tensor& updates = ctx.in(2);
  Tensor& y = ctx.out(0);
  size_t r = data.rank();
  int64_t axis = ctx.node.attr_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(r);
  movement_ref::Reduction red = movement_ref::reduction_of(ctx.node);
  movement_ref::copy_elems(y, 0, data, 0, data.numel());
  std::vector<int64_t> strides = contiguous_strides(data.shape());
  if (indices.numel() == 0) return;
  std::vector<int64_t> idx(r, 0), dst(r, 0);
  int64_t i = 0;
  do {
    dst = idx;
    dst[axis] = movement_ref::checked_index(ctx.node, indices.get_i64(i), data.dim(axis), "ScatterElements");
    movement_ref::scatter_into(y, movement_ref::offset_of(dst, strides), updates, i, red);
    ++i;
  } while (movement_ref::next_index(idx, indices.shape()));
}

FS_REGISTER_KERNEL(ScatterElements, "reference", (all_dtypes()), scatter_elements_ref);

}  // namespace
}  // namespace fs
