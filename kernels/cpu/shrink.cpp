// Cpu Shrink: y = x + bias for x < -lambd, x - bias for x > lambd, 0 otherwise. Integers compare
// in double; with an integral bias they add/subtract exactly (wrapping), else as a cast would.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct ShrinkFn {
  double lambd, bias;
  explicit ShrinkFn(const Node& n) : lambd(n.attr_float("lambd", 0.5f)), bias(n.attr_float("bias", 0.0f)) {}
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) {
      T l = static_cast<T>(lambd), b = static_cast<T>(bias);
      return x < -l ? x + b : x > l ? x - b : T(0);
    } else {
      double v = static_cast<double>(x);
      int sign = v < -lambd ? -1 : v > lambd ? 1 : 0;
      if (sign == 0) return T(0);
      if (bias == std::trunc(bias) && std::fabs(bias) < 9e18) {
        auto b = static_cast<ew::Unsigned<T>>(static_cast<int64_t>(bias));
        auto u = static_cast<ew::Unsigned<T>>(x);
        return static_cast<T>(sign < 0 ? u + b : u - b);
      }
      return ew::double_to_int<T>(sign < 0 ? v + bias : v - bias);
    }
  }
};

FS_EW_UNARY(Shrink, ShrinkFn, ew::kNumeric, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
