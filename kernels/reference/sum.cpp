// Reference Sum: elementwise sum of 1..N float inputs with numpy broadcasting, accumulated in
// double and rounded once.
#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void sum(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  ref_elementwise::for_each_broadcast(y.shape(), ctx.inputs, [&](int64_t i, const std::vector<int64_t>& o) {
    double s = 0;
    for (size_t j = 0; j < o.size(); ++j) s += ctx.in(j).get_f64(o[j]);
    ref_elementwise::store(y, i, s);
  });
}

FS_REGISTER_KERNEL(Sum, "reference", (float_dtypes()), sum);

}  // namespace
}  // namespace fs
