// Fast fp32 AveragePool (1-3 spatial dims, pads, strides, dilations, ceil_mode, count_include_pad):
// window sums vectorized over output rows (zero padding), divided by the per-position tap count.
// A window that covers the whole unpadded input (one output position: the "global" pooling of
// Keras/TF exports) takes the plane-mean path of GlobalAveragePool (double accumulation).
#include "kernels/cpu/conv_math_util.h"
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
      global_vol_ = global_window(w);
    }
    if (y.numel() == 0) return;
    if (global_vol_ > 0) {
      plane_means(x.data<float>(), y.data<float>(), x.dim(0) * x.dim(1), nt);
      return;
    }
    runner_.run(plan_, x.data<float>(), y.data<float>(), x.dim(0) * x.dim(1), nt);
  }

 private:
  // The input's spatial volume when the one window is the whole unpadded, undilated input; else 0.
  static int64_t global_window(const nn::Window& w) {
    int64_t vol = 1;
    for (size_t i = 0; i < w.rank(); ++i) {
      if (w.kernel[i] != w.in[i] || w.out[i] != 1 || w.pads_begin[i] || w.pads_end[i] || w.dilations[i] != 1) return 0;
      vol *= w.in[i];
    }
    return vol;
  }

  void plane_means(const float* x, float* y, int64_t planes, int nt) const {
    const int64_t vol = global_vol_;
#pragma omp parallel for num_threads(nt) schedule(static) if (planes * vol > 32768)
    for (int64_t p = 0; p < planes; ++p) y[p] = static_cast<float>(cpu::sum_f64(x + p * vol, vol) / double(vol));
  }

  int64_t global_vol_ = 0;

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
