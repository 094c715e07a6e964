// Cpu ReduceSum: sum over the reduced axes, in the input's float type (lane-parallel partials) or
// wrapping 64-bit integers.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

FS_EW_REDUCE(ReduceSum, ew::SumR, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
