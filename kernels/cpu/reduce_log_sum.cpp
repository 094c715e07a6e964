// Cpu ReduceLogSum: log of the sum (an empty set gives -inf). Integers: the log of the wrapping
// 64-bit sum, truncated toward zero (-inf saturates to the dtype's lowest value).
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct LogSumR : ew::SumR<T> {
  using A = typename ew::SumR<T>::A;
  T finish(A a, int64_t) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::log(a);
    } else {
      return ew::f64_to_int_saturating<T>(std::log(ew::int_acc_to_f64<T>(a)));
    }
  }
};

FS_EW_REDUCE(ReduceLogSum, LogSumR, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
