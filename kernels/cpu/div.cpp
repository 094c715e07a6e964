// Cpu Div: z = a / b with numpy broadcasting; integer division truncates toward zero (INT_MIN / -1
// wraps) and a zero integer divisor is an error (floats give inf / NaN).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct DivFn {
  static constexpr const char* kZeroDivisorError = "integer division by zero";
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_signed_v<T> && std::is_integral_v<T>) {
      return b == T(-1) ? ew::neg_wrap(a) : b == T(0) ? T(0) : static_cast<T>(a / b);
    } else if constexpr (std::is_integral_v<T>) {
      return b == T(0) ? T(0) : static_cast<T>(a / b);
    } else {
      return a / b;
    }
  }
};

FS_EW_BINARY(Div, DivFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
