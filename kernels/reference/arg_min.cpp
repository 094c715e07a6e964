// Reference ArgMin: index (int64) of the first minimum along `axis` (the last with
// select_last_index); NaN counts as the minimum, as in numpy.
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void arg_min(KernelContext& ctx) { reduce_ref::arg_reduce(ctx, /*want_max=*/false); }

FS_REGISTER_KERNEL(ArgMin, "reference", (numeric_dtypes()), arg_min);

}  // namespace
}  // namespace fs
