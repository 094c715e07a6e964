// Reference GlobalMaxPool: maximum over all spatial dims of each (n, c) plane.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void global_max_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t vol = planes == 0 ? 0 : x.numel() / planes;
  for (int64_t p = 0; p < planes; ++p) {
    double best = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < vol; ++i) {
      double v = x.get_f64(p * vol + i);
      if (i == 0 || v > best || (std::isnan(v) && !std::isnan(best))) best = v;  // NaN propagates
    }
    y.set_f64(p, best);
  }
}

FS_REGISTER_KERNEL(GlobalMaxPool, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}), global_max_pool);

}  // namespace
}  // namespace fs
