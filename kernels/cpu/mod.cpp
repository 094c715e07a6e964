// Cpu Mod with numpy broadcasting. Floats: C fmod (the dividend's sign). Integers: fmod=1 keeps
// the dividend's sign, fmod=0 the divisor's (Python's %); a zero integer divisor is an error.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct ModFn {
  static constexpr const char* kZeroDivisorError = "integer modulo by zero";
  bool fmod;
  explicit ModFn(const Node& n) : fmod(n.attr_int("fmod", 0) != 0) {}
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(a, b);
    } else if constexpr (std::is_unsigned_v<T>) {
      return b == T(0) ? T(0) : static_cast<T>(a % b);
    } else {
      if (b == T(0) || b == T(-1)) return T(0);  // -1: avoids INT_MIN % -1
      T r = static_cast<T>(a % b);
      if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    }
  }
};

FS_EW_BINARY(Mod, ModFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
