// Cpu flipscope.ApproxUnary (fp32): Exp / Log / Tanh / Sigmoid / Erf through SLEEF's vectorized
// approximations (kernels/cpu/approx_util.h states each function's ULP bound).
#include <omp.h>

#include "engine/kernel_registry.h"
#include "kernels/cpu/approx_util.h"

namespace fs::cpu {
namespace {

class ApproxUnaryKernel : public Kernel {
 public:
  explicit ApproxUnaryKernel(const Node& node)
      : fn_(approx::pick(approx::parse_fn(node.attr_string("function", "")))) {}
  void run(KernelContext& ctx) override {
    const float* x = ctx.in(0).data<float>();
    float* y = ctx.out(0).data<float>();
    const int64_t n = ctx.in(0).numel(), chunk = 8192;
    const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for num_threads(std::max(1, ctx.num_threads)) schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) fn_(x + c * chunk, y + c * chunk, std::min(chunk, n - c * chunk));
  }

 private:
  approx::MapFn fn_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.ApproxUnary",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node& node, const std::vector<TensorType>&, const std::vector<const Tensor*>&)
                                     -> std::unique_ptr<Kernel> { return std::make_unique<ApproxUnaryKernel>(node); }});

}  // namespace
}  // namespace fs::cpu
