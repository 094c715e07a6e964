// Fast fp32 Softmax: exp(x - max) / sum over one axis (or the flattened rows of
// legacy_coerce_2d=1), vectorized exp, rows or column blocks in parallel.
#include "kernels/cpu/conv_softmax_util.h"

namespace fs {
namespace {

class SoftmaxKernel : public Kernel {
 public:
  explicit SoftmaxKernel(cpu::Isa isa) : runner_(cpu::softmax_item_table().pick(isa)) {}
  void run(KernelContext& ctx) override { runner_.run(ctx.node, ctx.in(0), ctx.out(0), std::max(1, ctx.num_threads)); }

 private:
  cpu::SoftmaxRunner runner_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"Softmax",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new SoftmaxKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
