// Reference ReduceMean: sum / count in double (floating; an empty set gives NaN) or in int64 with
// truncating division (integer; an empty set gives 0).
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void reduce_mean(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  reduce_ref::ReduceLayout l = reduce_ref::node_layout(ctx);
  int64_t n = static_cast<int64_t>(l.offsets.size());
  for (size_t o = 0; o < l.base.size(); ++o) {
    int64_t b = l.base[o];
    if (is_float(x.dtype())) {
      double s = 0;
      for (int64_t off : l.offsets) s += x.get_f64(b + off);
      y.set_f64(static_cast<int64_t>(o), s / static_cast<double>(n));  // 0/0 = NaN for an empty set
    } else {
      int64_t s = 0;
      for (int64_t off : l.offsets) s = reduce_ref::wrap_add(s, x.get_i64(b + off));
      y.set_i64(static_cast<int64_t>(o), n == 0 ? 0 : reduce_ref::int_div(x.dtype(), s, n));
    }
  }
}

FS_REGISTER_KERNEL(ReduceMean, "reference", (numeric_dtypes()), reduce_mean);

}  // namespace
}  // namespace fs
