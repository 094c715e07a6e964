// Cpu Identity: a bit-exact copy of the input (any dtype).
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void identity(KernelContext& ctx) {
  ew::parallel_memcpy(ctx.out(0).raw(), ctx.in(0).raw(), ctx.in(0).nbytes(), ctx.num_threads);
}

FS_REGISTER_KERNEL(Identity, "cpu", (all_dtypes()), identity);

}  // namespace
}  // namespace fs::cpu
