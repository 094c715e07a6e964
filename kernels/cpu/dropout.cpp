// Cpu Dropout, inference only: output = input, the optional mask all true. A training_mode input
// that is true at run time is an error (training is not supported).
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void dropout(KernelContext& ctx) {
  if (ctx.has_input(2) && ctx.in(2).numel() > 0 && ctx.in(2).get_i64(0) != 0)
    fail(ErrorKind::Unsupported, ctx.node.label() + ": training mode is not supported");
  const Tensor& x = ctx.in(0);
  ew::parallel_memcpy(ctx.out(0).raw(), x.raw(), x.nbytes(), ctx.num_threads);
  if (ctx.num_outputs() > 1 && ctx.outputs[1]) std::memset(ctx.out(1).raw(), 1, ctx.out(1).nbytes());
}

FS_REGISTER_KERNEL(Dropout, "cpu", (float_dtypes()), dropout);

}  // namespace
}  // namespace fs::cpu
