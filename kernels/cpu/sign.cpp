// Cpu Sign: -1, 0 or 1 by the sign of x (NaN stays NaN), for floats and integers.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct SignFn {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return x > T(0) ? T(1) : x < T(0) ? T(-1) : x == T(0) ? T(0) : x;
    } else {
      return static_cast<T>((x > T(0)) - (x < T(0)));
    }
  }
};

FS_EW_UNARY(Sign, SignFn, ew::kNumeric, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
