// Cpu Sum: elementwise sum of 1..N float inputs with numpy broadcasting (accumulated in the
// input's precision, left to right).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

FS_EW_VARIADIC(Sum, ew::AddFn, ew::kFloats, true);

}  // namespace
}  // namespace fs::cpu
