// Cpu ConstantOfShape: fills the output (shape given by the int64 input) with the one element of
// attribute 'value' (float32 0 by default), bit-exactly.
#include "engine/ops/elementwise_util.h"
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void constant_of_shape(KernelContext& ctx) {
  Tensor v = elementwise_schema::constant_of_shape_value(ctx.node);
  Tensor& y = ctx.out(0);
  ew::visit_bits(y.dtype(), [&](auto tag) {
    using E = typename decltype(tag)::type;
    E value;
    std::memcpy(&value, v.raw(), sizeof(E));
    E* p = static_cast<E*>(y.raw());
    ew::parallel_simd(y.numel(), ew::kGrain, ctx.num_threads, [p, value](int64_t b, int64_t e) FS_EW_INLINE {
      for (int64_t i = b; i < e; ++i) p[i] = value;
    });
  });
}

FS_REGISTER_KERNEL(ConstantOfShape, "cpu", ({DType::I64}), constant_of_shape);

}  // namespace
}  // namespace fs::cpu
