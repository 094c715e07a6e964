// Reference Dropout, inference only: output = input, optional mask all true. A training_mode
// input that is true at run time is an error (training is not supported).
#include <cstring>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void dropout(KernelContext& ctx) {
  if (ctx.has_input(2) && ctx.in(2).get_i64(0) != 0)
    fail(ErrorKind::Unsupported, ctx.node.label() + ": training mode is not supported");
  const Tensor& x = ctx.in(0);
  if (x.nbytes()) std::memcpy(ctx.out(0).raw(), x.raw(), x.nbytes());
  if (ctx.num_outputs() > 1 && ctx.outputs[1]) {
    Tensor& mask = ctx.out(1);
    for (int64_t i = 0; i < mask.numel(); ++i) mask.set_i64(i, 1);
  }
}

FS_REGISTER_KERNEL(Dropout, "reference", (float_dtypes()), dropout);

}  // namespace
}  // namespace fs
