// Reference Where: z = condition ? x : y with three-way numpy broadcasting (elements copied
// bit-exactly, any dtype).
#include <cstring>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void where(KernelContext& ctx) {
  const Tensor &c = ctx.in(0), &x = ctx.in(1), &y = ctx.in(2);
  Tensor& z = ctx.out(0);
  size_t es = dtype_size(z.dtype());
  const char* xs = static_cast<const char*>(x.raw());
  const char* ys = static_cast<const char*>(y.raw());
  char* zs = static_cast<char*>(z.raw());
  ref_elementwise::for_each_broadcast(z.shape(), {&c, &x, &y}, [&](int64_t i, const std::vector<int64_t>& o) {
    const char* src = c.get_i64(o[0]) ? xs + o[1] * es : ys + o[2] * es;
    std::memcpy(zs + i * es, src, es);
  });
}

FS_REGISTER_KERNEL(Where, "reference", ({DType::Bool}), where);

}  // namespace
}  // namespace fs
