// Cpu Cos: y = cos(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct CosFn {
  template <typename T>
  T operator()(T x) const {
    return std::cos(x);
  }
};

FS_EW_UNARY(Cos, CosFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
