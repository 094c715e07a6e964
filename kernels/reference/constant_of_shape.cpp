// Reference ConstantOfShape: fills the output (shape given by the int64 input) with the one
// element of attribute 'value' (float32 0 by default), bit-exactly.
#include <cstring>

#include "engine/ops/elementwise_util.h"
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void constant_of_shape(KernelContext& ctx) {
  Tensor v = elementwise_schema::constant_of_shape_value(ctx.node);
  Tensor& y = ctx.out(0);
  size_t es = dtype_size(y.dtype());
  char* dst = static_cast<char*>(y.raw());
  for (int64_t i = 0; i < y.numel(); ++i) std::memcpy(dst + i * es, v.raw(), es);
}

FS_REGISTER_KERNEL(ConstantOfShape, "reference", ({DType::I64}), constant_of_shape);

}  // namespace
}  // namespace fs
