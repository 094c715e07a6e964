// Reference Concat: for each outer index, the inputs' blocks along the axis one after another.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void concat_ref(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  int64_t r = static_cast<int64_t>(y.rank());
  int64_t axis = ctx.node.attr_int("axis");
  if (axis < 0) axis += r;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= y.dim(d);
  for (int64_t d = axis + 1; d < r; ++d) inner *= y.dim(d);
  int64_t o = 0;
  for (int64_t i = 0; i < outer; ++i) {
    for (size_t k = 0; k < ctx.inputs.size(); ++k) {
      const Tensor& x = ctx.in(k);
      int64_t block = x.dim(axis) * inner;
      movement_ref::copy_elems(y, o, x, i * block, block);
      o += block;
    }
  }
}

FS_REGISTER_KERNEL(Concat, "reference", (all_dtypes()), concat_ref);

}  // namespace
}  // namespace fs
