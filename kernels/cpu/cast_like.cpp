// Cpu CastLike: Cast of input 0 to the dtype of input 1 (whose values are not used).
#include "kernels/cpu/ew_cast_util.h"

namespace fs::cpu {
namespace {

void cast_like(KernelContext& ctx) { ew::cast_tensor(ctx.in(0), ctx.out(0), ctx.num_threads); }

FS_REGISTER_KERNEL(CastLike, "cpu", (all_dtypes()), cast_like);

}  // namespace
}  // namespace fs::cpu
