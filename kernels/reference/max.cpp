// Reference Max: elementwise maximum of 1..N inputs with numpy broadcasting (NaN propagates).
#include <algorithm>
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void max_ref(KernelContext& ctx) {
  Tensor& y = ctx.out(0);
  DType t = y.dtype();
  ref_elementwise::for_each_broadcast(y.shape(), ctx.inputs, [&](int64_t i, const std::vector<int64_t>& o) {
    if (is_float(t)) {
      double m = ctx.in(0).get_f64(o[0]);
      for (size_t j = 1; j < o.size(); ++j) {
        double v = ctx.in(j).get_f64(o[j]);
        if (std::isnan(v) || v > m) m = v;
        if (std::isnan(m)) break;
      }
      ref_elementwise::store(y, i, m);
    } else if (ref_elementwise::is_unsigned_int(t)) {
      uint64_t m = ref_elementwise::get_u64(ctx.in(0), o[0]);
      for (size_t j = 1; j < o.size(); ++j) m = std::max(m, ref_elementwise::get_u64(ctx.in(j), o[j]));
      y.set_i64(i, static_cast<int64_t>(m));
    } else {
      int64_t m = ctx.in(0).get_i64(o[0]);
      for (size_t j = 1; j < o.size(); ++j) m = std::max(m, ctx.in(j).get_i64(o[j]));
      y.set_i64(i, m);
    }
  });
}

FS_REGISTER_KERNEL(Max, "reference", (numeric_dtypes()), max_ref);

}  // namespace
}  // namespace fs
