// Cpu ReduceMin: NaN propagates; an empty set gives +inf (floating) or the dtype's highest value.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

FS_EW_REDUCE(ReduceMin, ew::MinR, ew::kAll);

}  // namespace
}  // namespace fs::cpu
