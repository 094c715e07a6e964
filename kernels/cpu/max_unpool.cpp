// Cpu MaxUnpool: scatters X into zeros at the flat indices I, which index a tensor of the shape
// (in - 1) * stride + kernel - pads per spatial axis; with an output_shape input that tensor sits at
// the start of each axis of the larger output. Out-of-range indices are an error.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

void max_unpool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  size_t sp = x.rank() - 2;
  std::vector<int64_t> kernel = ctx.node.attr_ints("kernel_shape");
  std::vector<int64_t> strides = ctx.node.attr_ints("strides", std::vector<int64_t>(sp, 1));
  std::vector<int64_t> pads = ctx.node.attr_ints("pads", std::vector<int64_t>(2 * sp, 0));
  Shape unpooled = x.shape();
  for (size_t i = 0; i < sp; ++i)
    if (x.dim(2 + i) != 0) unpooled[2 + i] = (x.dim(2 + i) - 1) * strides[i] + kernel[i] - pads[i] - pads[sp + i];
  int64_t total = ew::numel_of(unpooled);
  std::vector<int64_t> idx = ctx.in(1).to_i64_vector(), ys = contiguous_strides(y.shape());
  std::memset(y.raw(), 0, y.nbytes());
  size_t es = dtype_size(x.dtype());
  for (size_t i = 0; i < idx.size(); ++i) {
    int64_t flat = idx[i];
    if (flat < 0 || flat >= total)
      ctx.node.fail_node("index " + std::to_string(flat) + " (element " + std::to_string(i) +
                         " of input 'I') is out of range for the unpooled shape " + shape_str(unpooled));
    int64_t off = 0;
    for (size_t d = unpooled.size(); d-- > 0;) {
      off += (flat % unpooled[d]) * ys[d];
      flat /= unpooled[d];
    }
    std::memcpy(static_cast<char*>(y.raw()) + off * es, static_cast<const char*>(x.raw()) + i * es, es);
  }
}

FS_REGISTER_KERNEL(MaxUnpool, "cpu", (float_dtypes()), max_unpool);

}  // namespace
}  // namespace fs::cpu
