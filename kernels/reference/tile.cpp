// Reference Tile: output[i] = input[i mod input shape], copied byte for byte.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void tile_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  if (y.numel() == 0) return;
  std::vector<int64_t> idx(r, 0), src(r, 0);
  int64_t o = 0;
  do {
    for (size_t d = 0; d < r; ++d) src[d] = idx[d] % x.dim(d);
    movement_ref::copy_elem(y, o++, x, movement_ref::offset_of(src, strides));
  } while (movement_ref::next_index(idx, y.shape()));
}

FS_REGISTER_KERNEL(Tile, "reference", (all_dtypes()), tile_ref);

}  // namespace
}  // namespace fs
