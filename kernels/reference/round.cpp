// Reference Round: to the nearest integer, halves to even (0.5 -> 0, 1.5 -> 2, -2.5 -> -2).
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

double round_half_even(double x) {
  if (!std::isfinite(x)) return x;
  double r = std::floor(x), frac = x - r;
  if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) != 0.0)) r += 1.0;
  return std::copysign(r, x);  // keeps the sign of -0.4 -> -0
}

void round_ref(KernelContext& ctx) { ref_elementwise::map_f64(ctx, round_half_even); }

FS_REGISTER_KERNEL(Round, "reference", (float_dtypes()), round_ref);

}  // namespace
}  // namespace fs
