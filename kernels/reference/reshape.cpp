// Reference Reshape: the elements are unchanged in row-major order, so the output is a byte copy.
#include <cstring>

#include "engine/kernel_registry.h"

namespace fs {
namespace {

void reshape_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  if (x.nbytes() != y.nbytes()) ctx.node.fail_node("internal: output size differs from the input's");
  if (x.nbytes()) std::memcpy(y.raw(), x.raw(), x.nbytes());
}

FS_REGISTER_KERNEL(Reshape, "reference", (all_dtypes()), reshape_ref);

}  // namespace
}  // namespace fs
