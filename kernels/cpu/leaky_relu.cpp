// Cpu LeakyRelu: y = x for x >= 0, alpha * x otherwise (alpha default 0.01).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct LeakyReluFn {
  double alpha;
  explicit LeakyReluFn(const Node& n) : alpha(n.attr_float("alpha", 0.01f)) {}
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? static_cast<T>(alpha) * x : x;
  }
};

FS_EW_UNARY(LeakyRelu, LeakyReluFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
