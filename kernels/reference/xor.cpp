// Reference Xor: logical xor of two bool tensors, with numpy broadcasting.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void xor_ref(KernelContext& ctx) {
  ref_elementwise::binary_i64(ctx, [](int64_t a, int64_t b) { return (a != 0) != (b != 0); });
}

FS_REGISTER_KERNEL(Xor, "reference", ({DType::Bool}), xor_ref);

}  // namespace
}  // namespace fs
