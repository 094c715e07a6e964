// Cpu Constant: writes the node's value attribute (value, value_float(s), value_int(s)).
#include "engine/ops/elementwise_util.h"
#include "kernels/cpu/ew_util.h"

namespace fs::cpu {
namespace {

void constant(KernelContext& ctx) {
  Tensor v = elementwise_schema::constant_attr_value(ctx.node);
  if (v.nbytes()) std::memcpy(ctx.out(0).raw(), v.raw(), v.nbytes());
}

FS_REGISTER_KERNEL(Constant, "cpu", (all_dtypes()), constant);

}  // namespace
}  // namespace fs::cpu
