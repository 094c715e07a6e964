// Cpu ArgMin: int64 index of the first minimum along `axis` (the last with select_last_index); NaN
// counts as the minimum, as in numpy.
#include "kernels/cpu/ew_arg_util.h"

namespace fs::cpu {
namespace {

FS_REGISTER_KERNEL(ArgMin, "cpu", (ew::dtypes(ew::kNumeric, true)), ew::arg_kernel<false>);

}  // namespace
}  // namespace fs::cpu
