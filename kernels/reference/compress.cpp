// Reference Compress: keeps the slices along `axis` (or the elements of the flattened input, without
// an axis) whose condition entry is true; entries past the condition's length are dropped.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void compress_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& cond = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t outer = 1, n = x.numel(), inner = 1;
  if (ctx.node.has_attr("axis")) {
    int64_t r = static_cast<int64_t>(x.rank()), axis = ctx.node.attr_int("axis");
    if (axis < 0) axis += r;
    n = x.dim(axis);
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int64_t d = axis + 1; d < r; ++d) inner *= x.dim(d);
  }
  int64_t len = std::min(n, cond.numel()), o = 0;
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t j = 0; j < len; ++j)
      if (cond.get_i64(j) != 0) {
        movement_ref::copy_elems(y, o, x, (i * n + j) * inner, inner);
        o += inner;
      }
  if (o != y.numel()) ctx.node.fail_node("internal: compressed size differs from the inferred output");
}

FS_REGISTER_KERNEL(Compress, "reference", (all_dtypes()), compress_ref);

}  // namespace
}  // namespace fs
