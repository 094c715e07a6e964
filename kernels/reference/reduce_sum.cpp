// Reference ReduceSum: sum over the reduced axes, in double (floating) or wrapping int64 (integer).
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void reduce_sum(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  reduce_ref::ReduceLayout l = reduce_ref::node_layout(ctx);
  for (size_t o = 0; o < l.base.size(); ++o) {
    int64_t b = l.base[o];
    if (is_float(x.dtype())) {
      double s = 0;
      for (int64_t off : l.offsets) s += x.get_f64(b + off);
      y.set_f64(static_cast<int64_t>(o), s);
    } else {
      int64_t s = 0;
      for (int64_t off : l.offsets) s = reduce_ref::wrap_add(s, x.get_i64(b + off));
      y.set_i64(static_cast<int64_t>(o), s);
    }
  }
}

FS_REGISTER_KERNEL(ReduceSum, "reference", (numeric_dtypes()), reduce_sum);

}  // namespace
}  // namespace fs
