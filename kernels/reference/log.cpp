// Reference Log: y = ln(x) (-inf at 0, NaN below), computed in double and rounded once to the output dtype.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void log(KernelContext& ctx) {
  ref_elementwise::map_f64(ctx, [](double x) { return std::log(x); });
}

FS_REGISTER_KERNEL(Log, "reference", (float_dtypes()), log);

}  // namespace
}  // namespace fs
