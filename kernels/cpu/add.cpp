// Cpu Add: z = a + b with numpy broadcasting (integers wrap).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

FS_EW_BINARY(Add, ew::AddFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
