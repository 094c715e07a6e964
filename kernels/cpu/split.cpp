// Cpu Split (any dtype): each output takes its consecutive block along the axis (sizes from the
// split input, else equal parts, the last smaller), one memcpy per outer index.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void split(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis", 0), x.rank()));
  int64_t outer = ew::numel_of(x.shape(), 0, axis), inner = ew::numel_of(x.shape(), axis + 1);
  size_t es = dtype_size(x.dtype());
  int64_t k = static_cast<int64_t>(ctx.num_outputs()), row = x.dim(axis) * inner;
  std::vector<int64_t> sizes;
  if (ctx.has_input(1) && ctx.in(1).numel() > 0) {
    sizes = ctx.in(1).to_i64_vector();
  } else {
    int64_t dim = x.dim(axis), chunk = (dim + k - 1) / k;
    sizes.assign(static_cast<size_t>(k), chunk);
    sizes.back() = dim - chunk * (k - 1);
  }
  std::vector<int64_t> block(static_cast<size_t>(k), 0), start(static_cast<size_t>(k), 0);
  int64_t at = 0;
  for (int64_t i = 0; i < k; ++i) {
    if (ctx.outputs[i] && ctx.out(i).dim(axis) != sizes[i])
      ctx.node.fail_node("internal: split size differs from the inferred output");
    block[i] = sizes[i] * inner;
    start[i] = at;
    at += block[i];
  }
  const char* src = static_cast<const char*>(x.raw());
  bool many = outer * k >= 4 * ctx.num_threads;
  ew::for_blocks(outer, k, ctx.num_threads, many, [&](int64_t o, int64_t i, int threads) {
    if (!ctx.outputs[i]) return;
    char* dst = static_cast<char*>(ctx.out(i).raw()) + o * block[i] * es;
    ew::parallel_memcpy(dst, src + (o * row + start[i]) * es, block[i] * es, threads);
  });
}

FS_REGISTER_KERNEL(Split, "cpu", (all_dtypes()), split);

}  // namespace
}  // namespace fs::cpu
