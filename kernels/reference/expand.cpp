// Reference Expand: numpy-style broadcast of the input to the output shape, copied byte for byte.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void expand_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = y.rank(), off = r - x.rank();
  std::vector<int64_t> in_strides = contiguous_strides(x.shape());
  std::vector<int64_t> strides(r, 0);  // input stride per output dimension; 0 where broadcast
  for (size_t d = off; d < r; ++d) strides[d] = x.dim(d - off) == 1 ? 0 : in_strides[d - off];
  if (y.numel() == 0) return;
  std::vector<int64_t> idx(r, 0);
  int64_t o = 0;
  do {
    movement_ref::copy_elem(y, o++, x, movement_ref::offset_of(idx, strides));
  } while (movement_ref::next_index(idx, y.shape()));
}

FS_REGISTER_KERNEL(Expand, "reference", (all_dtypes()), expand_ref);

}  // namespace
}  // namespace fs
