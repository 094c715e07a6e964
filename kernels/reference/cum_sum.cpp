// Reference CumSum: running sums along the axis (exclusive: excluding the current element;
// reverse: from the end), accumulated in double for floats and in wrapping int64 for integers.
#include "engine/kernel_registry.h"

namespace fs {
namespace {

void cum_sum_ref(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = ctx.in(1).get_i64(0);
  if (axis < -r || axis >= r)
    ctx.node.fail_node("input 'axis' is " + std::to_string(axis) + ", out of range for input " + shape_str(x.shape()));
  if (axis < 0) axis += r;
  bool exclusive = ctx.node.attr_int("exclusive", 0) != 0, reverse = ctx.node.attr_int("reverse", 0) != 0;
  int64_t outer = 1, inner = 1, n = x.dim(axis);
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < r; ++d) inner *= x.dim(d);
  bool fp = is_float(x.dtype());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double fsum = 0;
      uint64_t isum = 0;
      for (int64_t s = 0; s < n; ++s) {
        int64_t t = reverse ? n - 1 - s : s;
        int64_t e = (o * n + t) * inner + i;
        if (!exclusive) {
          fp ? (void)(fsum += x.get_f64(e)) : (void)(isum += static_cast<uint64_t>(x.get_i64(e)));
        }
        if (fp) {
          y.set_f64(e, fsum);
        } else {
          y.set_i64(e, static_cast<int64_t>(isum));
        }
        if (exclusive) {
          fp ? (void)(fsum += x.get_f64(e)) : (void)(isum += static_cast<uint64_t>(x.get_i64(e)));
        }
      }
    }
}

FS_REGISTER_KERNEL(CumSum, "reference", (numeric_dtypes()), cum_sum_ref);

}  // namespace
}  // namespace fs
