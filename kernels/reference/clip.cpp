// Reference Clip: y = min(max(x, lo), hi) with optional scalar inputs lo and hi (absent = no
// bound). When lo > hi every element becomes hi; NaN stays NaN.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void clip(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  bool has_lo = ctx.has_input(1), has_hi = ctx.has_input(2);
  DType t = x.dtype();
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (is_float(t)) {
      double v = x.get_f64(i);
      if (!std::isnan(v)) {
        if (has_lo && v < ctx.in(1).get_f64(0)) v = ctx.in(1).get_f64(0);
        if (has_hi && v > ctx.in(2).get_f64(0)) v = ctx.in(2).get_f64(0);
      }
      ref_elementwise::store(y, i, v);
    } else if (ref_elementwise::is_unsigned_int(t)) {
      uint64_t v = ref_elementwise::get_u64(x, i);
      if (has_lo && v < ref_elementwise::get_u64(ctx.in(1), 0)) v = ref_elementwise::get_u64(ctx.in(1), 0);
      if (has_hi && v > ref_elementwise::get_u64(ctx.in(2), 0)) v = ref_elementwise::get_u64(ctx.in(2), 0);
      y.set_i64(i, static_cast<int64_t>(v));
    } else {
      int64_t v = x.get_i64(i);
      if (has_lo && v < ctx.in(1).get_i64(0)) v = ctx.in(1).get_i64(0);
      if (has_hi && v > ctx.in(2).get_i64(0)) v = ctx.in(2).get_i64(0);
      y.set_i64(i, v);
    }
  }
}

FS_REGISTER_KERNEL(Clip, "reference", (numeric_dtypes()), clip);

}  // namespace
}  // namespace fs
