// Cpu Relu: y = max(x, 0) for floats (NaN stays NaN) and signed integers.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct ReluFn {
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(0) : x;
  }
};

FS_EW_UNARY(Relu, ReluFn, ew::kSigned, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
