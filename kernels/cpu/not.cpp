// Cpu Not: logical negation of a bool tensor (read as bytes, which vectorizes).
#include "kernels/cpu/ew_unary_util.h"

namespace fs::cpu {
namespace {

struct NotFn {
  uint8_t operator()(uint8_t x) const { return x == 0; }
};

void not_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  ew::map(x.data<uint8_t>(), ctx.out(0).data<uint8_t>(), x.numel(), ctx.num_threads, NotFn{});
}

FS_REGISTER_KERNEL(Not, "cpu", ({DType::Bool}), not_kernel);

}  // namespace
}  // namespace fs::cpu
