// Cpu ReduceSumSquare: sum of squares, in the input's float type or wrapping 64-bit integers.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct SumSquareR : ew::SumR<T> {
  using A = typename ew::SumR<T>::A;
  A map(T x) const {
    A v = static_cast<A>(x);
    return v * v;
  }
};

FS_EW_REDUCE(ReduceSumSquare, SumSquareR, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
