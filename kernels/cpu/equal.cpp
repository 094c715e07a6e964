// Cpu Equal: z = (a == b) as bool, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct EqualFn {
  template <typename T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};

FS_EW_BINARY(Equal, EqualFn, ew::kAll, true);

}  // namespace
}  // namespace fs::cpu
