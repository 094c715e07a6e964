// Cpu Erf: y = erf(x) (erff for float32); integer inputs are evaluated in double and the result
// truncated toward zero.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct ErfFn {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::erf(x);
    } else {
      return static_cast<T>(std::erf(static_cast<double>(x)));  // in [-1, 1]: truncation is exact
    }
  }
};

FS_EW_UNARY(Erf, ErfFn, ew::kNumeric, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
