// Reference DepthToSpace: moves channel blocks into b x b spatial blocks (DCR: depth-column-row
// channel order, the default; CRD: column-row-depth).
#include "kernels/reference/movement_util.h"

namespace fs {
namespace {

void depth_to_space_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t b = ctx.node.attr_int("blocksize");
  bool crd = ctx.node.attr_string("mode", "DCR") == "CRD";
  int64_t n_ = y.dim(0), c_ = y.dim(1), h_ = x.dim(2), w_ = x.dim(3);
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t c = 0; c < c_; ++c)
      for (int64_t h = 0; h < h_; ++h)
        for (int64_t bh = 0; bh < b; ++bh)
          for (int64_t w = 0; w < w_; ++w)
            for (int64_t bw = 0; bw < b; ++bw) {
              int64_t ic = crd ? c * b * b + bh * b + bw : (bh * b + bw) * c_ + c;
              int64_t src = ((n * x.dim(1) + ic) * h_ + h) * w_ + w;
              int64_t dst = ((n * c_ + c) * (h_ * b) + h * b + bh) * (w_ * b) + w * b + bw;
              movement_ref::copy_elem(y, dst, x, src);
            }
}

FS_REGISTER_KERNEL(DepthToSpace, "reference", (all_dtypes()), depth_to_space_ref);

}  // namespace
}  // namespace fs
