// Reference GatherElements: out[i] = data[i with its axis coordinate replaced by indices[i]].
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void gather_elements_ref(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  Tensor& y = ctx.out(0);
  size_t r = data.rank();
  int64_t axis = ctx.node.attr_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(r);
  std::vector<int64_t> strides = contiguous_strides(data.shape());
  if (indices.numel() == 0) return;
  std::vector<int64_t> idx(r, 0), src(r, 0);
  int64_t i = 0;
  do {
    src = idx;
    src[axis] = movement_ref::checked_index(ctx.node, indices.get_i64(i), data.dim(axis), "GatherElements");
    movement_ref::copy_elem(y, i, data, movement_ref::offset_of(src, strides));
    ++i;
  } while (movement_ref::next_index(idx, indices.shape()));
}

FS_REGISTER_KERNEL(GatherElements, "reference", (all_dtypes()), gather_elements_ref);

}  // namespace
}  // namespace fs
