// Cpu Sub: z = a - b with numpy broadcasting (integers wrap).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct SubFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return a - b;
    } else {
      return static_cast<T>(static_cast<ew::Unsigned<T>>(a) - static_cast<ew::Unsigned<T>>(b));
    }
  }
};

FS_EW_BINARY(Sub, SubFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
