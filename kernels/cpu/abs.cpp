// Cpu Abs: y = |x| for floats and integers (signed integers wrap: |INT_MIN| = INT_MIN).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct AbsFn {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(x);
    } else if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < 0 ? ew::neg_wrap(x) : x;
    }
  }
};

FS_EW_UNARY(Abs, AbsFn, ew::kNumeric, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
