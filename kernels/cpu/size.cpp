// Cpu Size: the input's element count as an int64 scalar.
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void size(KernelContext& ctx) { ctx.out(0).data<int64_t>()[0] = ctx.in(0).numel(); }

FS_REGISTER_KERNEL(Size, "cpu", (all_dtypes()), size);

}  // namespace
}  // namespace fs::cpu
