// Reference ReduceMax: NaN propagates; an empty set gives -inf (floating) or the dtype's lowest
// value (integer, bool).
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

void reduce_max(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  DType t = x.dtype();
  reduce_ref::ReduceLayout l = reduce_ref::node_layout(ctx);
  for (size_t o = 0; o < l.base.size(); ++o) {
    int64_t b = l.base[o];
    if (is_float(t)) {
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t off : l.offsets) {
        double v = x.get_f64(b + off);
        if (std::isnan(v) || v > m) m = v;
        if (std::isnan(m)) break;
      }
      y.set_f64(static_cast<int64_t>(o), m);
    } else {
      int64_t m = reduce_ref::int_lowest(t);
      for (int64_t off : l.offsets) {
        int64_t v = x.get_i64(b + off);
        if (reduce_ref::int_less(t, m, v)) m = v;
      }
      y.set_i64(static_cast<int64_t>(o), m);
    }
  }
}

FS_REGISTER_KERNEL(ReduceMax, "reference", (all_dtypes()), reduce_max);

}  // namespace
}  // namespace fs
