// Reference Split: each output takes its consecutive block along the axis (sizes from the split
// input, else equal parts).
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
  int64_t dim = x.dim(axis), n = static_cast<int64_t>(ctx.num_outputs());
  // Sizes along the axis: the split input, else equal parts (opset 18: ceil-sized, last smaller).
  std::vector<int64_t> sizes;
  if (ctx.has_input(1) && ctx.in(1).numel() > 0) {
    sizes = ctx.in(1).to_i64_vector();
  } else {
    int64_t chunk = dim % n == 0 ? dim / n : dim / n + 1;
    sizes.assign(static_cast<size_t>(n), chunk);
    sizes.back() = dim - chunk * (n - 1);
  }
  int64_t start = 0;  // offset along the axis
  for (size_t k = 0; k < ctx.num_outputs(); ++k) {
    if (ctx.outputs[k]) {
      Tensor& y = ctx.out(k);
      if (y.dim(axis) != sizes[k]) ctx.node.fail_node("internal: split size differs from the inferred output");
      for (int64_t i = 0; i < outer; ++i)
        movement_ref::copy_elems(y, i * sizes[k] * inner, x, (i * dim + start) * inner, sizes[k] * inner);
    }
    start += sizes[k];
  }
}

FS_REGISTER_KERNEL(Split, "reference", (all_dtypes()), split_ref);

}  // namespace
}  // namespace fs
