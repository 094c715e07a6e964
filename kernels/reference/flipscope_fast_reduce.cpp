// Reference flipscope.FastReduce: the exact sum / mean over a run of consecutive axes, in double,
// rounded once (the math of ReduceSum / ReduceMean; the cpu kernel's reassociation is what a study
// of fast-math-reassociate measures against this).
#include <limits>

#include "engine/kernel_registry.h"

namespace fs {
namespace {

void fast_reduce(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& y = ctx.out(0);
  const int64_t r = static_cast<int64_t>(x.rank());
  std::vector<int64_t> axes = ctx.node.attr_ints("axes");
  int64_t first = axes.front() < 0 ? axes.front() + r : axes.front();
  int64_t last = axes.back() < 0 ? axes.back() + r : axes.back();
  int64_t outer = 1, red = 1, inner = 1;
  for (int64_t d = 0; d < r; ++d) {
    int64_t n = x.dim(static_cast<size_t>(d));
    if (d < first)
      outer *= n;
    else if (d <= last)
      red *= n;
    else
      inner *= n;
  }
  const bool mean = ctx.node.attr_int("mean", 0) != 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t k = 0; k < red; ++k) sum += x.get_f64((o * red + k) * inner + i);
      double v = sum;
      if (mean) v = red ? sum / static_cast<double>(red) : std::numeric_limits<double>::quiet_NaN();
      y.set_f64(o * inner + i, v);
    }
}

FS_REGISTER_KERNEL_DEF("flipscope.FastReduce", "reference", std::vector<DType>{DType::F32}, fast_reduce);

}  // namespace
}  // namespace fs
