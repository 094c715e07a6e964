// Cpu ReduceMean: sum / count (floating: an empty set gives NaN) or, for integers, the wrapping
// 64-bit sum divided with truncation (an empty set gives 0).
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct MeanR : ew::SumR<T> {
  using A = typename ew::SumR<T>::A;
  T finish(A a, int64_t n) const {
    if constexpr (std::is_floating_point_v<T>) {
      return a / static_cast<T>(n);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      return n == 0 ? T(0) : static_cast<T>(a / static_cast<uint64_t>(n));
    } else {
      return n == 0 ? T(0) : static_cast<T>(static_cast<int64_t>(a) / n);
    }
  }
};

FS_EW_REDUCE(ReduceMean, MeanR, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
