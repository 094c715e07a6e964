// Cpu Ceil: y = ceil(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct CeilFn {
  template <typename T>
  T operator()(T x) const {
    return std::ceil(x);
  }
};

FS_EW_UNARY(Ceil, CeilFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
