// Cpu Less: z = (a < b) as bool, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct LessFn {
  template <typename T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};

FS_EW_BINARY(Less, LessFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
