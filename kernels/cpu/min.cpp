// Cpu Min: elementwise minimum of 1..N inputs with numpy broadcasting (NaN propagates).
#include "kernels/cpu/ew_broadcast_util.h"

namespace fs::cpu {
namespace {

FS_EW_VARIADIC(Min, ew::MinFn, ew::kNumeric, true);

}  // namespace
}  // namespace fs::cpu
