// Cpu SpaceToDepth (any dtype): a 6-D permutation of the input viewed as [N, C, H/b, b, W/b, b]
// into [N, b, b, C, H/b, W/b] (the inverse of DepthToSpace in DCR mode).
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void space_to_depth(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t b = ctx.node.attr_int("blocksize");
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2) / b, w = x.dim(3) / b;
  ew::permute(x, {n, c, h, b, w, b}, {0, 3, 5, 1, 2, 4}, ctx.out(0), ctx.num_threads);
}

FS_REGISTER_KERNEL(SpaceToDepth, "cpu", (all_dtypes()), space_to_depth);

}  // namespace
}  // namespace fs::cpu
