// Reference Split: each output takes its consecutive block along the axis (sizes come from the
// outputs' inferred shapes).
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void split_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = ctx.node.attr_int("axis", 0);
  if (axis < 0) axis += r;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < r; ++d) inner *= x.dim(d);
  int64_t in_block = x.dim(axis) * inner;
  int64_t start = 0;  // offset along the axis, in elements of one axis step
  for (size_t k = 0; k < ctx.num_outputs(); ++k) {
    if (!ctx.outputs[k]) continue;
    Tensor& y = ctx.out(k);
    int64_t block = y.dim(axis) * inner;
    for (int64_t i = 0; i < outer; ++i) movement_ref::copy_elems(y, i * block, x, i * in_block + start, block);
    start += block;
  }
}

FS_REGISTER_KERNEL(Split, "reference", (all_dtypes()), split_ref);

}  // namespace
}  // namespace fs
