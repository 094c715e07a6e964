// Cpu ThresholdedRelu: y = x for x > alpha, 0 otherwise (alpha default 1).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct ThresholdedReluFn {
  double alpha;
  explicit ThresholdedReluFn(const Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  template <typename T>
  T operator()(T x) const {
    return x > static_cast<T>(alpha) ? x : T(0);
  }
};

FS_EW_UNARY(ThresholdedRelu, ThresholdedReluFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
