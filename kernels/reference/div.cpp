// Reference Div: z = a / b with numpy broadcasting; integer division truncates toward zero and
// division by zero is an error (floats give inf/NaN).
#include <limits>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void div(KernelContext& ctx) {
  const Node& n = ctx.node;
  ref_elementwise::binary_by_class(
      ctx, [](double a, double b) { return a / b; },
      [&n](int64_t a, int64_t b) {
        if (b == 0) n.fail_node("integer division by zero");
        if (b == -1) return ref_elementwise::wrap_neg(a);  // INT64_MIN / -1 wraps
        return a / b;
      },
      [&n](uint64_t a, uint64_t b) {
        if (b == 0) n.fail_node("integer division by zero");
        return a / b;
      });
}

FS_REGISTER_KERNEL(Div, "reference", (numeric_dtypes()), div);

}  // namespace
}  // namespace fs
