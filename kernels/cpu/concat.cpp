// Cpu Concat (any dtype): for each outer index, the inputs' blocks along the axis one after
// another, each a memcpy.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void concat(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  size_t axis = static_cast<size_t>(ew::norm_axis(ctx.node.attr_int("axis"), y.rank()));
  int64_t outer = ew::numel_of(y.shape(), 0, axis), inner = ew::numel_of(y.shape(), axis + 1);
  size_t es = dtype_size(y.dtype());
  int64_t k = static_cast<int64_t>(ctx.inputs.size());
  std::vector<int64_t> block(static_cast<size_t>(k)), start(static_cast<size_t>(k));  // in elements
  int64_t row = 0;
  for (int64_t i = 0; i < k; ++i) {
    block[i] = ctx.in(i).dim(axis) * inner;
    start[i] = row;
    row += block[i];
  }
  char* dst = static_cast<char*>(y.raw());
  bool many = outer * k >= 4 * ctx.num_threads;
  ew::for_blocks(outer, k, ctx.num_threads, many, [&](int64_t o, int64_t i, int threads) {
    const char* src = static_cast<const char*>(ctx.in(i).raw()) + o * block[i] * es;
    ew::parallel_memcpy(dst + (o * row + start[i]) * es, src, block[i] * es, threads);
  });
}

FS_REGISTER_KERNEL(Concat, "cpu", (all_dtypes()), concat);

}  // namespace
}  // namespace fs::cpu
