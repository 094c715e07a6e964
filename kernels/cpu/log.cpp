// Cpu Log: y = ln(x) (-inf at 0, NaN below); float32 and float64 (float16/bfloat16 through float32).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct LogFn {
  template <typename T>
  T operator()(T x) const {
    return std::log(x);
  }
};

FS_EW_UNARY(Log, LogFn, ew::kFloats, true, ew::kGrainHeavy);

}  // namespace
}  // namespace fs::cpu
