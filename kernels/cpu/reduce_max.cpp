// Cpu ReduceMax: NaN propagates; an empty set gives -inf (floating) or the dtype's lowest value.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

FS_EW_REDUCE(ReduceMax, ew::MaxR, ew::kAll);

}  // namespace
}  // namespace fs::cpu
