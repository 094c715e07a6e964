// Cpu Asin: y = asin(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct AsinFn {
  template <typename T>
  T operator()(T x) const {
    return std::asin(x);
  }
};

FS_EW_UNARY(Asin, AsinFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
