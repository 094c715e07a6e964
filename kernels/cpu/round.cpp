// Cpu Round: y = x rounded to the nearest integer, halves to even (nearbyint in the default rounding mode); float32 and
// float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct RoundFn {
  template <typename T>
  T operator()(T x) const {
    return std::nearbyint(x);
  }
};

FS_EW_UNARY(Round, RoundFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
