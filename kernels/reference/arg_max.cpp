// Reference ArgMax: index (int64) of the first maximum along `axis` (the last with
// select_last_index); NaN counts as the maximum, as in numpy.
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void arg_max(KernelContext& ctx) { reduce_ref::arg_reduce(ctx, /*want_max=*/true); }

FS_REGISTER_KERNEL(ArgMax, "reference", (numeric_dtypes()), arg_max);

}  // namespace
}  // namespace fs
