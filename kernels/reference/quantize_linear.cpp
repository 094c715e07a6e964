// Reference QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point), per tensor
// or per axis; uint8 output unless the zero point says int8. The quotient is rounded to float32
// (float64 for double inputs) before rounding to an integer: the spec defines x / y_scale in the
// input's float type, and a quotient of 25.49999975 in double is exactly 25.5 in float32 (a tie
// that must round to 26, as ONNX's reference and ONNX Runtime do).
#include "kernels/reference/nn_util.h"

namespace fs {
namespace {

void quantize_linear(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& scale = ctx.in(1);
  Tensor& y = ctx.out(0);
  int64_t axis = ctx.node.attr_int("axis", 1);
  if (axis < 0) axis += static_cast<int64_t>(x.rank());
  nn_ref::AxisParam p = nn_ref::axis_param(x.shape(), axis, &scale);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t q = p.index(i);
    int64_t zp = ctx.has_input(2) ? ctx.in(2).get_i64(q) : 0;
    double quotient = x.get_f64(i) / scale.get_f64(q);
    if (x.dtype() != DType::F64) quotient = static_cast<float>(quotient);  // one correct float32 rounding
    y.set_i64(i, nn_ref::quantize(quotient, zp, y.dtype()));
  }
}

FS_REGISTER_KERNEL(QuantizeLinear, "reference", ({DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32}),
                   quantize_linear);

}  // namespace
}  // namespace fs
