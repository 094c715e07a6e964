// Cpu Floor: y = floor(x); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct FloorFn {
  template <typename T>
  T operator()(T x) const {
    return std::floor(x);
  }
};

FS_EW_UNARY(Floor, FloorFn, ew::kFloats, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
