// Reference Transpose: output[i0..in] = input[index permuted by perm], copied byte for byte.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void transpose_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t r = x.rank();
  std::vector<int64_t> perm = ctx.node.attr_ints("perm");
  if (!ctx.node.has_attr("perm"))
    for (size_t i = r; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> in_strides = contiguous_strides(x.shape());
  std::vector<int64_t> strides(r);  // input stride of each output dimension
  for (size_t d = 0; d < r; ++d) strides[d] = in_strides[perm[d]];
  if (y.numel() == 0) return;
  std::vector<int64_t> idx(r, 0);
  int64_t o = 0;
  do {
    movement_ref::copy_elem(y, o++, x, movement_ref::offset_of(idx, strides));
  } while (movement_ref::next_index(idx, y.shape()));
}

FS_REGISTER_KERNEL(Transpose, "reference", (all_dtypes()), transpose_ref);

}  // namespace
}  // namespace fs
