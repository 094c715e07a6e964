// Reference flipscope.RoundTo: each float32 rounded to the nearest fp16 or bf16 value (ties to
// even, overflow to inf, NaN kept as a quiet NaN of the same sign) and widened back to float32;
// how the precision passes emulate fp16 / bf16 storage. Uses engine/half.h's portable conversions.
#include "engine/half.h"
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void round_to(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const bool bf16 = ctx.node.attr_string("dtype", "") == "bf16";
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i)
    yp[i] = bf16 ? bf16_to_float(float_to_bf16(xp[i])) : half_to_float(float_to_half(xp[i]));
}

FS_REGISTER_KERNEL_DEF("flipscope.RoundTo", "reference", std::vector<DType>{DType::F32}, round_to);

}  // namespace
}  // namespace fs
