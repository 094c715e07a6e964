// Reference DequantizeLinear: y = (x - x_zero_point) * x_scale in double, per tensor or per axis.
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void dequantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& scale = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t axis = ctx.node.attr_int("axis", 1);
  if (axis < 0) axis += static_cast<int64_t>(x.rank());
  nn_ref::AxisParam p = nn_ref::axis_param(x.shape(), axis, &scale);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t q = p.index(i);
    int64_t zp = ctx.has_input(2) ? ctx.in(2).get_i64(q) : 0;
    y.set_f64(i, static_cast<double>(x.get_i64(i) - zp) * scale.get_f64(q));
  }
}

FS_REGISTER_KERNEL(DequantizeLinear, "reference", ({DType::U8, DType::I8, DType::I32}), dequantize_linear);

}  // namespace
}  // namespace fs
