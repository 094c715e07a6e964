// Cpu Cast: converts every element to the dtype of attribute 'to' (the output's dtype; rounding rules
// in ew_cast_util.h); 'saturate' only concerns float8 types and is ignored.
#include "kernels/cpu/ew_cast_util.h"

namespace fs::cpu {
namespace {

void cast(KernelContext& ctx) { ew::cast_tensor(ctx.in(0), ctx.out(0), ctx.num_threads); }

FS_REGISTER_KERNEL(Cast, "cpu", (all_dtypes()), cast);

}  // namespace
}  // namespace fs::cpu
