// Cpu Softplus: y = ln(1 + e^x), without overflow for large x; float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct SoftplusFn {
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
};

FS_EW_UNARY(Softplus, SoftplusFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
