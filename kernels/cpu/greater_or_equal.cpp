// Cpu GreaterOrEqual: z = (a >= b) as bool, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct GreaterOrEqualFn {
  template <typename T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};

FS_EW_BINARY(GreaterOrEqual, GreaterOrEqualFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
