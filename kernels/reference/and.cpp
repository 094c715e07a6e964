// Reference And: logical and of two bool tensors, with numpy broadcasting.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void and_ref(KernelContext& ctx) {
  ref_elementwise::binary_i64(ctx, [](int64_t a, int64_t b) { return (a != 0) && (b != 0); });
}

FS_REGISTER_KERNEL(And, "reference", ({DType::Bool}), and_ref);

}  // namespace
}  // namespace fs
