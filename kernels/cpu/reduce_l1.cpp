// Cpu ReduceL1: sum of absolute values, in the input's float type or wrapping 64-bit integers.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct L1R : ew::SumR<T> {
  using A = typename ew::SumR<T>::A;
  A map(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(x);
    } else if constexpr (std::is_signed_v<T>) {
      return x < 0 ? uint64_t{0} - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
    } else {
      return static_cast<A>(x);
    }
  }
};

FS_EW_REDUCE(ReduceL1, L1R, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
