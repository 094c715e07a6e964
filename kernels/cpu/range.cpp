// Cpu Range: out[i] = start + i * delta, in double (rounded once) for floats and exactly (wrapping)
// in 64-bit integers.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

void range(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  ew::visit(ew::Types<float, double, int16_t, int32_t, int64_t>{}, y.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = y.data<T>();
    if constexpr (std::is_floating_point_v<T>) {
      double s = ctx.in(0).get_f64(0), d = ctx.in(2).get_f64(0);
      for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<T>(s + static_cast<double>(i) * d);
    } else {
      uint64_t s = static_cast<uint64_t>(ctx.in(0).get_i64(0)), d = static_cast<uint64_t>(ctx.in(2).get_i64(0));
      for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<T>(s + static_cast<uint64_t>(i) * d);
    }
  });
}

FS_REGISTER_KERNEL(Range, "cpu", ({DType::F32, DType::F64, DType::I16, DType::I32, DType::I64}), range);

}  // namespace
}  // namespace fs::cpu
