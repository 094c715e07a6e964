// Reference SpaceToDepth: moves each b x b spatial block into channels (channel = block offset *
// C + c), the inverse of DepthToSpace in DCR mode.
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void space_to_depth_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t b = ctx.node.attr_int("blocksize");
  int64_t n_ = x.dim(0), c_ = x.dim(1), h_ = y.dim(2), w_ = y.dim(3);
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t c = 0; c < c_; ++c)
      for (int64_t h = 0; h < h_; ++h)
        for (int64_t bh = 0; bh < b; ++bh)
          for (int64_t w = 0; w < w_; ++w)
            for (int64_t bw = 0; bw < b; ++bw) {
              int64_t src = ((n * c_ + c) * (h_ * b) + h * b + bh) * (w_ * b) + w * b + bw;
              int64_t oc = (bh * b + bw) * c_ + c;
              int64_t dst = ((n * y.dim(1) + oc) * h_ + h) * w_ + w;
              movement_ref::copy_elem(y, dst, x, src);
            }
}

FS_REGISTER_KERNEL(SpaceToDepth, "reference", (all_dtypes()), space_to_depth_ref);

}  // namespace
}  // namespace fs
