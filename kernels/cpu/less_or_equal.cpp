// Cpu LessOrEqual: z = (a <= b) as bool, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct LessOrEqualFn {
  template <typename T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};

FS_EW_BINARY(LessOrEqual, LessOrEqualFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
