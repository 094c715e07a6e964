// Cpu HardSigmoid: y = clamp(alpha * x + beta, 0, 1) (alpha 0.2, beta 0.5 by default); NaN stays NaN.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct HardSigmoidFn {
  double alpha, beta;
  explicit HardSigmoidFn(const Node& n) : alpha(n.attr_float("alpha", 0.2f)), beta(n.attr_float("beta", 0.5f)) {}
  template <typename T>
  T operator()(T x) const {
    T v = static_cast<T>(alpha) * x + static_cast<T>(beta);
    v = v < T(0) ? T(0) : v;
    return v > T(1) ? T(1) : v;
  }
};

FS_EW_UNARY(HardSigmoid, HardSigmoidFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
