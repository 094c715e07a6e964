// Cpu Neg: y = -x for floats and signed integers (which wrap: -INT_MIN = INT_MIN).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct NegFn {
  template <typename T>
  T operator()(T x) const {
    return ew::neg_wrap(x);
  }
};

FS_EW_UNARY(Neg, NegFn, ew::kSigned, true, ew::kGrain);

}  // namespace
}  // namespace fs::cpu
