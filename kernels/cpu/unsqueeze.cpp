// Cpu Unsqueeze: the elements are unchanged in row-major order, so the output is one (parallel) memcpy.
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void unsqueeze_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  if (x.nbytes() != y.nbytes()) ctx.node.fail_node("internal: output size differs from the input's");
  ew::parallel_memcpy(y.raw(), x.raw(), x.nbytes(), ctx.num_threads);
}

FS_REGISTER_KERNEL(Unsqueeze, "cpu", (all_dtypes()), unsqueeze_kernel);

}  // namespace
}  // namespace fs::cpu
