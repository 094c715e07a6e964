// Reference BitShift: z = a << b or a >> b (attribute direction) on unsigned integers, with numpy
// broadcasting; bits shifted past the element width are lost.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void bit_shift(KernelContext& ctx) {
  bool left = ctx.node.attr_string("direction", "") == "LEFT";
  ref_elementwise::binary_u64(ctx, [left](uint64_t a, uint64_t s) -> uint64_t {
    if (s >= 64) return 0;
    return left ? a << s : a >> s;
  });
}

FS_REGISTER_KERNEL(BitShift, "reference", (ref_elementwise::unsigned_int_dtypes()), bit_shift);

}  // namespace
}  // namespace fs
