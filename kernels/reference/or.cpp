// Reference Or: logical or of two bool tensors, with numpy broadcasting.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void or_ref(KernelContext& ctx) {
  ref_elementwise::binary_i64(ctx, [](int64_t a, int64_t b) { return (a != 0) || (b != 0); });
}

FS_REGISTER_KERNEL(Or, "reference", ({DType::Bool}), or_ref);

}  // namespace
}  // namespace fs
