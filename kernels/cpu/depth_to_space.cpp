// Cpu DepthToSpace (any dtype): a 6-D permutation of the input viewed as [N, b, b, C, H, W] (DCR,
// the default) or [N, C, b, b, H, W] (CRD) into [N, C, H, b, W, b].
#include "kernels/cpu/ew_movement_util.h"

namespace fs::cpu {
namespace {

void depth_to_space(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t b = ctx.node.attr_int("blocksize");
  bool crd = ctx.node.attr_string("mode", "DCR") == "CRD";
  int64_t n = x.dim(0), c = x.dim(1) / (b * b), h = x.dim(2), w = x.dim(3);
  Shape view = crd ? Shape{n, c, b, b, h, w} : Shape{n, b, b, c, h, w};
  std::vector<int64_t> perm = crd ? std::vector<int64_t>{0, 1, 4, 2, 5, 3} : std::vector<int64_t>{0, 3, 4, 1, 5, 2};
  ew::permute(x, view, perm, ctx.out(0), ctx.num_threads);
}

FS_REGISTER_KERNEL(DepthToSpace, "cpu", (all_dtypes()), depth_to_space);

}  // namespace
}  // namespace fs::cpu
