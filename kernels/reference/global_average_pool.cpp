// Reference GlobalAveragePool: mean over all spatial dims of each (n, c) plane, in double.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void global_average_pool(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t vol = planes == 0 ? 0 : x.numel() / planes;
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0;
    for (int64_t i = 0; i < vol; ++i) sum += x.get_f64(p * vol + i);
    y.set_f64(p, vol > 0 ? sum / static_cast<double>(vol) : std::nan(""));
  }
}

FS_REGISTER_KERNEL(GlobalAveragePool, "reference", ({DType::F32, DType::F64, DType::F16, DType::BF16}),
                   global_average_pool);

}  // namespace
}  // namespace fs
