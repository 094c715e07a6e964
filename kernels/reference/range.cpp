// Reference Range: out[i] = start + i * delta, in double (rounded once) for floats and exactly in
// int64 for integers.
#include "engine/kernel_registry.h"

namespace fs {
namespace {

void range_ref(KernelContext& ctx) {
  const Tensor& start = ctx.in(0);
  const Tensor& delta = ctx.in(2);
  Tensor& y = ctx.out(0);
  if (is_float(y.dtype())) {
    double s = start.get_f64(0), d = delta.get_f64(0);
    for (int64_t i = 0; i < y.numel(); ++i) y.set_f64(i, s + static_cast<double>(i) * d);
  } else {
    int64_t s = start.get_i64(0), d = delta.get_i64(0);
    for (int64_t i = 0; i < y.numel(); ++i) y.set_i64(i, s + i * d);
  }
}

FS_REGISTER_KERNEL(Range, "reference", ({DType::F32, DType::F64, DType::I16, DType::I32, DType::I64}), range_ref);

}  // namespace
}  // namespace fs
