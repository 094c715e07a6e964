// Reference Constant: writes the node's value attribute (value, value_float(s), value_int(s)).
#include <cstring>

#include "engine/ops/elementwise_util.h"
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void constant(KernelContext& ctx) {
  Tensor v = elementwise_schema::constant_attr_value(ctx.node);
  if (v.nbytes()) std::memcpy(ctx.out(0).raw(), v.raw(), v.nbytes());
}

FS_REGISTER_KERNEL(Constant, "reference", (all_dtypes()), constant);

}  // namespace
}  // namespace fs
