// Reference ReduceLogSumExp: log(sum(exp(x))) in double, shifted by the maximum so that it cannot
// overflow. NaN propagates; an empty set gives -inf. Integer outputs truncate toward zero.
#include "kernels/reference/reduce_util.h"

namespace fs {
namespace {

double log_sum_exp(const Tensor& x, int64_t b, const std::vector<int64_t>& offsets) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t off : offsets) {
    double v = x.get_f64(b + off);
    if (std::isnan(v)) return v;
    m = std::max(m, v);
  }
  if (std::isinf(m)) return m;  // all -inf (or empty): -inf; any +inf: +inf
  double s = 0;
  for (int64_t off : offsets) s += std::exp(x.get_f64(b + off) - m);
  return m + std::log(s);
}

void reduce_log_sum_exp(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  reduce_ref::ReduceLayout l = reduce_ref::node_layout(ctx);
  for (size_t o = 0; o < l.base.size(); ++o) {
    double v = log_sum_exp(x, l.base[o], l.offsets);
    if (is_float(y.dtype()))
      y.set_f64(static_cast<int64_t>(o), v);
    else
      reduce_ref::set_int_from_f64(y, static_cast<int64_t>(o), v);
  }
}

FS_REGISTER_KERNEL(ReduceLogSumExp, "reference", (numeric_dtypes()), reduce_log_sum_exp);

}  // namespace
}  // namespace fs
