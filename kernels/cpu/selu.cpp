// Cpu Selu: y = gamma * x for x > 0, gamma * alpha * (e^x - 1) otherwise.
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct SeluFn {
  double alpha, gamma;
  explicit SeluFn(const Node& n)
      : alpha(n.attr_float("alpha", 1.67326319217681884765625f)),
        gamma(n.attr_float("gamma", 1.05070102214813232421875f)) {}
  template <typename T>
  T operator()(T x) const {
    T g = static_cast<T>(gamma), ga = static_cast<T>(gamma * alpha);
    return x > T(0) ? g * x : ga * std::expm1(x);
  }
};

FS_EW_UNARY(Selu, SeluFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
