// Reference Not: logical negation of a bool tensor.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void not_ref(KernelContext& ctx) {
  ref_elementwise::map_i64(ctx, [](int64_t x) -> int64_t { return x == 0; });
}

FS_REGISTER_KERNEL(Not, "reference", ({DType::Bool}), not_ref);

}  // namespace
}  // namespace fs
