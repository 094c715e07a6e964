// Cpu Mul: z = a * b with numpy broadcasting (integers wrap).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

FS_EW_BINARY(Mul, ew::MulFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
