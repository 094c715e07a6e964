// Cpu Xor: logical xor of two bool tensors, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct XorFn {
  bool operator()(bool a, bool b) const { return a != b; }
};

FS_EW_BINARY(Xor, XorFn, ew::Types<bool>{}, false);

}  // namespace
}  // namespace fs::cpu
