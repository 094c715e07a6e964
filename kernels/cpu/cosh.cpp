// Cpu Cosh: y = cosh(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct CoshFn {
  template <typename T>
  T operator()(T x) const {
    return std::cosh(x);
  }
};

FS_EW_UNARY(Cosh, CoshFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
