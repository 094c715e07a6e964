// Cpu Reciprocal: y = 1 / x (inf at 0); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct ReciprocalFn {
  template <typename T>
  T operator()(T x) const {
    return T(1) / x;
  }
};

FS_EW_UNARY(Reciprocal, ReciprocalFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
