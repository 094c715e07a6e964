// Reference OneHot: out[..., d, ...] (d on `axis`) = values[1] where indices[...] == d (negative
// indices count from depth), values[0] elsewhere, including for out-of-range indices.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void one_hot_ref(KernelContext& ctx) {
  const Tensor& indices = ctx.in(0);
  const Tensor& values = ctx.in(2);
  Tensor& y = ctx.out(0);
  int64_t r = static_cast<int64_t>(y.rank());
  int64_t axis = ctx.node.attr_int("axis", -1);
  if (axis < 0) axis += r;
  int64_t depth = y.dim(axis), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= y.dim(d);
  for (int64_t d = axis + 1; d < r; ++d) inner *= y.dim(d);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t v = indices.get_i64(o * inner + i);  // float indices truncate, as a cast to int64
      if (v < 0) v += depth;
      for (int64_t d = 0; d < depth; ++d)
        movement_ref::copy_elem(y, (o * depth + d) * inner + i, values, v == d ? 1 : 0);
    }
}

FS_REGISTER_KERNEL(OneHot, "reference", (numeric_dtypes()), one_hot_ref);

}  // namespace
}  // namespace fs
