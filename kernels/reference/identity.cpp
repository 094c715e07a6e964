// Reference Identity: a bit-exact copy of the input.
#include <cstring>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void identity(KernelContext& ctx) {
  if (ctx.in(0).nbytes()) std::memcpy(ctx.out(0).raw(), ctx.in(0).raw(), ctx.in(0).nbytes());
}

FS_REGISTER_KERNEL(Identity, "reference", (all_dtypes()), identity);

}  // namespace
}  // namespace fs
