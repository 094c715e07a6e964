// Cpu Acosh: y = acosh(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct AcoshFn {
  template <typename T>
  T operator()(T x) const {
    return std::acosh(x);
  }
};

FS_EW_UNARY(Acosh, AcoshFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
