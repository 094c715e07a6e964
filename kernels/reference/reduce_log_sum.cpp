// Reference ReduceLogSum: log of the sum (an empty set gives -inf). Floating: in double. Integer:
// the sum is exact int64, its log truncated toward zero (-inf saturates to the dtype's lowest).
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void reduce_log_sum(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  reduce_ref::ReduceLayout l = reduce_ref::node_layout(ctx);
  for (size_t o = 0; o < l.base.size(); ++o) {
    int64_t b = l.base[o];
    if (is_float(x.dtype())) {
      double s = 0;
      for (int64_t off : l.offsets) s += x.get_f64(b + off);
      y.set_f64(static_cast<int64_t>(o), std::log(s));
    } else {
      int64_t s = 0;
      for (int64_t off : l.offsets) s = reduce_ref::wrap_add(s, x.get_i64(b + off));
      reduce_ref::set_int_from_f64(y, static_cast<int64_t>(o), std::log(reduce_ref::int_to_f64(x.dtype(), s)));
    }
  }
}

FS_REGISTER_KERNEL(ReduceLogSum, "reference", (numeric_dtypes()), reduce_log_sum);

}  // namespace
}  // namespace fs
