// Reference Mod with numpy broadcasting. fmod=1: C fmod, the result has the dividend's sign.
// fmod=0 (integers only): the result has the divisor's sign, like Python's %. Zero divisors of
// integer type are an error.
#include <cmath>

#include "kernels/reference/elementwise_util.h"

namespace fs {
namespace {

void mod(KernelContext& ctx) {
  const Node& n = ctx.node;
  bool fmod = n.attr_int("fmod", 0) != 0;
  ref_elementwise::binary_by_class(
      ctx, [](double a, double b) { return std::fmod(a, b); },
      [&n, fmod](int64_t a, int64_t b) {
        if (b == 0) n.fail_node("integer modulo by zero");
        if (b == -1) return int64_t{0};  // avoids INT64_MIN % -1
        int64_t r = a % b;               // truncated: sign of a
        if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
        return r;
      },
      [&n](uint64_t a, uint64_t b) {
        if (b == 0) n.fail_node("integer modulo by zero");
        return a % b;
      });
}

FS_REGISTER_KERNEL(Mod, "reference", (numeric_dtypes()), mod);

}  // namespace
}  // namespace fs
