// Cpu Elu: y = x for x >= 0, alpha * (e^x - 1) otherwise (alpha default 1).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct EluFn {
  double alpha;
  explicit EluFn(const Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? static_cast<T>(alpha) * std::expm1(x) : x;
  }
};

FS_EW_UNARY(Elu, EluFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
