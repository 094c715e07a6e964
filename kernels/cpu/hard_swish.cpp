// Cpu HardSwish: y = x * clamp(x / 6 + 1/2, 0, 1); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct HardSwishFn {
  template <typename T>
  T operator()(T x) const {
    T v = x / T(6) + T(0.5);
    v = v < T(0) ? T(0) : v;
    v = v > T(1) ? T(1) : v;
    return x * v;
  }
};

FS_EW_UNARY(HardSwish, HardSwishFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
