// Reference MaxUnpool: scatters X into zeros at the flat indices I, which index a tensor of the
// shape inferred from kernel_shape/strides/pads ((in - 1) * stride + kernel - pads); with an
// output_shape input that tensor sits at the start of each axis of the larger output.
#include <vector>

#include "engine/kernel_registry.h"

namespace fs {
namespace {

void max_unpool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  Tensor& y = ctx.out(0);
  size_t sp = x.rank() - 2;
  std::vector<int64_t> kernel = ctx.node.attr_ints("kernel_shape");
  std::vector<int64_t> strides = ctx.node.attr_ints("strides", std::vector<int64_t>(sp, 1));
  std::vector<int64_t> pads = ctx.node.attr_ints("pads", std::vector<int64_t>(2 * sp, 0));
  Shape inferred = x.shape();
  for (size_t i = 0; i < sp; ++i)
    if (x.dim(2 + i) != 0) inferred[2 + i] = (x.dim(2 + i) - 1) * strides[i] + kernel[i] - pads[i] - pads[sp + i];
  int64_t inferred_numel = 1;
  for (int64_t d : inferred) inferred_numel *= d;
  std::vector<int64_t> out_strides = contiguous_strides(y.shape());

  for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, 0.0);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t flat = idx.get_i64(i);
    if (flat < 0 || flat >= inferred_numel)
      ctx.node.fail_node("index " + std::to_string(flat) + " (element " + std::to_string(i) +
                         " of input 'I') is out of range for the unpooled shape " + shape_str(inferred));
    // Coordinates in the inferred shape, re-laid out in the (possibly larger) output shape.
    int64_t off = 0, rest = flat;
    for (size_t d = inferred.size(); d-- > 0;) {
      off += (rest % inferred[d]) * out_strides[d];
      rest /= inferred[d];
    }
    y.set_f64(off, x.get_f64(i));
  }
}

FS_REGISTER_KERNEL(MaxUnpool, "reference", (float_dtypes()), max_unpool);

}  // namespace
}  // namespace fs
