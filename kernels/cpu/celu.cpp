// Cpu Celu: y = max(0, x) + min(0, alpha * (e^(x / alpha) - 1)) (alpha default 1); NaN stays NaN.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct CeluFn {
  double alpha;
  explicit CeluFn(const Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  template <typename T>
  T operator()(T x) const {
    T a = static_cast<T>(alpha), e = a * std::expm1(x / a);
    return x != x ? x : std::max(T(0), x) + std::min(T(0), e);
  }
};

FS_EW_UNARY(Celu, CeluFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
