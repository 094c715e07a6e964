// Cpu Sqrt: y = sqrt(x) (NaN below 0); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct SqrtFn {
  template <typename T>
  T operator()(T x) const {
    return std::sqrt(x);
  }
};

FS_EW_UNARY(Sqrt, SqrtFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
