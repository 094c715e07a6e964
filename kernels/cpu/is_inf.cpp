// Cpu IsInf: bool output, true at +inf (attribute detect_positive) and -inf (detect_negative).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct IsInfFn {
  bool pos, neg;
  explicit IsInfFn(const Node& n)
      : pos(n.attr_int("detect_positive", 1) != 0), neg(n.attr_int("detect_negative", 1) != 0) {}
  template <typename T>
  bool operator()(T x) const {
    constexpr T inf = std::numeric_limits<T>::infinity();
    return (pos && x == inf) || (neg && x == -inf);
  }
};

FS_EW_PREDICATE(IsInf, IsInfFn);

}  // namespace
}  // namespace fs::cpu
