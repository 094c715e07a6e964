// Cpu Softsign: y = x / (1 + |x|); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct SoftsignFn {
  template <typename T>
  T operator()(T x) const {
    return x / (T(1) + std::fabs(x));
  }
};

FS_EW_UNARY(Softsign, SoftsignFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
