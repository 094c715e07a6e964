// Reference Relu: y = max(x, 0), computed in double (or int64) and rounded once.
#include "engine/kernel_registry.h"

namespace fs {
namespace {

void relu(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  if (is_float(x.dtype())) {
    for (int64_t i = 0; i < x.numel(); ++i) y.set_f64(i, std::max(x.get_f64(i), 0.0));
  } else {
    for (int64_t i = 0; i < x.numel(); ++i) y.set_i64(i, std::max<int64_t>(x.get_i64(i), 0));
  }
}

FS_REGISTER_KERNEL(Relu, "reference",
                   ({DType::F32, DType::F64, DType::F16, DType::BF16, DType::I8, DType::I16, DType::I32, DType::I64}),
                   relu);

}  // namespace
}  // namespace fs
