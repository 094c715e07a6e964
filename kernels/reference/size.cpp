// Reference Size: the input's element count as an int64 scalar.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void size(KernelContext& ctx) { ctx.out(0).set_i64(0, ctx.in(0).numel()); }

FS_REGISTER_KERNEL(Size, "reference", (all_dtypes()), size);

}  // namespace
}  // namespace fs
