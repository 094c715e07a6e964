// Cpu Or: logical or of two bool tensors, with numpy broadcasting.
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

struct OrFn {
  bool operator()(bool a, bool b) const { return a || b; }
};

FS_EW_BINARY(Or, OrFn, ew::Types<bool>{}, false);

}  // namespace
}  // namespace fs::cpu
