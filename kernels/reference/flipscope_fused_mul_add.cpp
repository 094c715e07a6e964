// Reference flipscope.FusedMulAdd: Y = A * B + C with numpy broadcasting, computed in double and
// rounded once (the exact product of two floats fits a double, so for float32 this is a true FMA
// up to the sum's double rounding).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void fused_mul_add(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  const Tensor &a = ctx.in(0), &b = ctx.in(1), &c = ctx.in(2);
  std::vector<int64_t> am = nn_ref::broadcast_index_map(a.shape(), y.shape());
  std::vector<int64_t> bm = nn_ref::broadcast_index_map(b.shape(), y.shape());
  std::vector<int64_t> cm = nn_ref::broadcast_index_map(c.shape(), y.shape());
  for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, a.get_f64(am[i]) * b.get_f64(bm[i]) + c.get_f64(cm[i]));
}

FS_REGISTER_KERNEL_DEF("flipscope.FusedMulAdd", "reference",
                       std::vector<DType>{DType::F32, DType::F64, DType::F16, DType::BF16}, fused_mul_add);

}  // namespace
}  // namespace fs
