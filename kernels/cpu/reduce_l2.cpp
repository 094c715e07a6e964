// Cpu ReduceL2: sqrt of the sum of squares. Integers: the wrapping 64-bit sum of squares, its square
// root truncated toward zero.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct L2R : ew::SumR<T> {
  using A = typename ew::SumR<T>::A;
  A map(T x) const {
    A v = static_cast<A>(x);
    return v * v;
  }
  T finish(A a, int64_t) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::sqrt(a);
    } else {
      return ew::f64_to_int_saturating<T>(std::sqrt(ew::int_acc_to_f64<T>(a)));
    }
  }
};

FS_EW_REDUCE(ReduceL2, L2R, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
