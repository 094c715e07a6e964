// Cpu Atanh: y = atanh(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct AtanhFn {
  template <typename T>
  T operator()(T x) const {
    return std::atanh(x);
  }
};

FS_EW_UNARY(Atanh, AtanhFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
