// Cpu Greater: z = (a > b) as bool, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct GreaterFn {
  template <typename T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};

FS_EW_BINARY(Greater, GreaterFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
