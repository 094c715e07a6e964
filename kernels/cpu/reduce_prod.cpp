// Cpu ReduceProd: product in the input's float type or wrapping 64-bit integers; an empty set gives 1.
#include "kernels/cpu/ew_reduce_util.h"

namespace fs::cpu {
namespace {

template <typename T>
struct ProdR {
  using A = ew::WideAcc<T>;
  A init() const { return A(1); }
  A map(T x) const { return static_cast<A>(x); }
  A combine(A a, A b) const { return a * b; }
  T finish(A a, int64_t) const { return static_cast<T>(a); }
};

FS_EW_REDUCE(ReduceProd, ProdR, ew::kNumeric);

}  // namespace
}  // namespace fs::cpu
