// Cpu BitShift: z = a << b or a >> b (attribute direction) on unsigned integers with numpy
// broadcasting; bits shifted past the element width are lost.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct BitShiftFn {
  bool left;
  explicit BitShiftFn(const Node& n) : left(n.attr_string("direction", "") == "LEFT") {}
  template <typename T>
  T operator()(T a, T s) const {
    uint64_t v = a;
    if (static_cast<uint64_t>(s) >= 64) return T(0);
    return static_cast<T>(left ? v << s : v >> s);
  }
};

FS_EW_BINARY(BitShift, BitShiftFn, ew::kUnsignedInts, false);

}  // namespace
}  // namespace fs::cpu
