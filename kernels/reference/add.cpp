// Reference Add: z = a + b (integers wrap), with numpy broadcasting; floats in double, integers in 64 bits.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void add(KernelContext& ctx) {
  ref_elementwise::binary_by_class(
      ctx, [](double a, double b) { return a + b; },
      [](int64_t a, int64_t b) { return ref_elementwise::wrap_add(a, b); },
      [](uint64_t a, uint64_t b) { return a + b; });
}

FS_REGISTER_KERNEL(Add, "reference", (numeric_dtypes()), add);

}  // namespace
}  // namespace fs
