// Cpu IsNaN: bool output, true where x is NaN.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct IsNanFn {
  template <typename T>
  bool operator()(T x) const {
    return x != x;
  }
};

FS_EW_PREDICATE(IsNaN, IsNanFn);

}  // namespace
}  // namespace fs::cpu
