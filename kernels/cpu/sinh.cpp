// Cpu Sinh: y = sinh(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct SinhFn {
  template <typename T>
  T operator()(T x) const {
    return std::sinh(x);
  }
};

FS_EW_UNARY(Sinh, SinhFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
