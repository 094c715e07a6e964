// Reference PRelu: y = x for x >= 0, slope * x otherwise; slope broadcasts to x's shape.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void prelu(KernelContext& ctx) {
  const Tensor &x = ctx.in(0), &slope = ctx.in(1);
  Tensor& y = ctx.out(0);
  DType t = x.dtype();
  ref_elementwise::for_each_broadcast(y.shape(), {&x, &slope}, [&](int64_t i, const std::vector<int64_t>& o) {
    if (is_float(t)) {
      double v = x.get_f64(o[0]);
      ref_elementwise::store(y, i, v < 0 ? slope.get_f64(o[1]) * v : v);
    } else if (ref_elementwise::is_unsigned_int(t)) {
      y.set_i64(i, x.get_i64(o[0]));  // never negative
    } else {
      int64_t v = x.get_i64(o[0]);
      y.set_i64(i, v < 0 ? ref_elementwise::wrap_mul(slope.get_i64(o[1]), v) : v);
    }
  });
}

FS_REGISTER_KERNEL(PRelu, "reference",
                   ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I64, DType::U32, DType::U64}),
                   prelu);

}  // namespace
}  // namespace fs
