// Reference Gather: out[outer, j, inner] = data[outer, indices[j], inner] (negative indices count
// from the end), slices copied byte for byte.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void gather_ref(KernelContext& ctx) {
  const Tensor& data = ctx.in(0);
  const Tensor& indices = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t r = static_cast<int64_t>(data.rank());
  int64_t axis = ctx.node.attr_int("axis", 0);
  if (axis < 0) axis += r;
  int64_t outer = 1, inner = 1, dim = data.dim(axis), n = indices.numel();
  for (int64_t d = 0; d < axis; ++d) outer *= data.dim(d);
  for (int64_t d = axis + 1; d < r; ++d) inner *= data.dim(d);
  for (int64_t j = 0; j < n; ++j) {
    int64_t k = movement_ref::checked_index(ctx.node, indices.get_i64(j), dim, "Gather");
    for (int64_t o = 0; o < outer; ++o)
      movement_ref::copy_elems(y, (o * n + j) * inner, data, (o * dim + k) * inner, inner);
  }
}

FS_REGISTER_KERNEL(Gather, "reference", (all_dtypes()), gather_ref);

}  // namespace
}  // namespace fs
