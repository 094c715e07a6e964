// Cpu Transpose (any dtype): a strided copy when the innermost dimension stays innermost, else a
// cache-blocked batched 2-D transpose (NCHW <-> NHWC and the like); perm defaults to reversed.
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void transpose(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> perm = ctx.node.attr_ints("perm");
  if (!ctx.node.has_attr("perm"))
    for (size_t i = x.rank(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  ew::permute(x, x.shape(), perm, ctx.out(0), ctx.num_threads);
}

FS_REGISTER_KERNEL(Transpose, "cpu", (all_dtypes()), transpose);

}  // namespace
}  // namespace fs::cpu
