// Cpu Expand (any dtype): numpy-style broadcast of the input to the output shape; inner runs are
// memcpy'd or filled.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

void expand(KernelContext& ctx) { ew::broadcast_copy(ctx.in(0), ctx.out(0), ctx.num_threads); }

FS_REGISTER_KERNEL(Expand, "cpu", (all_dtypes()), expand);

}  // namespace
}  // namespace fs::cpu
