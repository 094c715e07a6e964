// Cpu PRelu: y = x for x >= 0, slope * x otherwise; slope broadcasts to x's shape (integers wrap).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct PReluFn {
  template <typename T>
  T operator()(T x, T slope) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < T(0) ? ew::MulFn{}(slope, x) : x;
    }
  }
};

FS_EW_BINARY(PRelu, PReluFn, (ew::Types<float, double, int32_t, int64_t, uint32_t, uint64_t>{}), true);

}  // namespace
}  // namespace fs::cpu
