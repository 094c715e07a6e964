// Cpu ArgMax: int64 index of the first maximum along `axis` (the last with select_last_index); NaN
// counts as the maximum, as in numpy.
#include "kernels/cpu/ew_arg_util.h"

namespace fs::cpu {
namespace {

FS_REGISTER_KERNEL(ArgMax, "cpu", (ew::dtypes(ew::kNumeric, true)), ew::arg_kernel<true>);

}  // namespace
}  // namespace fs::cpu
