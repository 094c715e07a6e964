// Cpu Atan: y = atan(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct AtanFn {
  template <typename T>
  T operator()(T x) const {
    return std::atan(x);
  }
};

FS_EW_UNARY(Atan, AtanFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
