// Fast fp32 AveragePool (1-3 spatial dims, pads, strides, dilations, ceil_mode, count_include_pad):
// window sums vectorized over output rows (zero padding), divided by the per-position tap count.
#include "kernels/cpu/conv_pool_util.h"

namespace fs {
namespace {

class AveragePoolKernel : public Kernel {
 public:
  explicit AveragePoolKernel(cpu::Isa isa) : runner_(isa) {}

  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    cpu::set_num_threads(nt);
    if (x.shape() != x_shape_) {
      x_shape_ = x.shape();
      const Node& node = ctx.node;
      nn::Window w = nn::forward_window(node, x_shape_, nn::pool_kernel_shape(node, x_shape_.size() - 2),
                                        node.attr_int("ceil_mode", 0) == 1);
      plan_ = cpu::pool_plan(w, cpu::PoolOp::Avg, node.attr_int("count_include_pad", 0) == 1);
    }
    if (y.numel() == 0) return;
    runner_.run(plan_, x.data<float>(), y.data<float>(), x.dim(0) * x.dim(1), nt);
  }

 private:
  cpu::PoolRunner runner_;
  Shape x_shape_;
  cpu::PoolPlan plan_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"AveragePool",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new AveragePoolKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
