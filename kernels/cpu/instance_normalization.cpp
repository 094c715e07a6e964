// Fast fp32 InstanceNormalization: per (n, c) plane, mean and variance accumulated in double, then
// y = (x - mean) * (scale[c] / sqrt(var + eps)) + B[c]; planes in parallel.
#include "kernels/cpu/conv_math_util.h"
#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

inline void normalize_planes(const float* x, float* y, int64_t first, int64_t count, int64_t vol, int64_t channels,
                             const float* scale, const float* bias, double eps) {
  for (int64_t p = first; p < first + count; ++p) {
    const float* __restrict xp = x + p * vol;
    float* __restrict yp = y + p * vol;
    const double mean = cpu::sum_f64(xp, vol) / static_cast<double>(vol);
    const double var = cpu::sum_sq_dev_f64(xp, vol, mean) / static_cast<double>(vol);
    const float a = static_cast<float>(static_cast<double>(scale[p % channels]) / std::sqrt(var + eps));
    const float m = static_cast<float>(mean), b = bias[p % channels];
    for (int64_t i = 0; i < vol; ++i) yp[i] = (xp[i] - m) * a + b;
  }
}
FS_CPU_ISA_VARIANTS(normalize_planes,
                    (const float* x, float* y, int64_t first, int64_t count, int64_t vol, int64_t channels,
                     const float* scale, const float* bias, double eps),
                    normalize_planes(x, y, first, count, vol, channels, scale, bias, eps))

class InstanceNormKernel : public Kernel {
 public:
  InstanceNormKernel(const Node& node, cpu::Isa isa)
      : fn_(normalize_planes_table().pick(isa)), eps_(node.attr_float("epsilon", 1e-5f)) {}
  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    const int64_t c = x.dim(1), planes = x.dim(0) * c;
    if (x.numel() == 0) return;
    const int64_t vol = x.numel() / planes;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    const float* s = ctx.in(1).data<float>();
    const float* b = ctx.in(2).data<float>();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t p = 0; p < planes; ++p) fn_(xp, yp, p, 1, vol, c, s, b, eps_);
  }

 private:
  void (*fn_)(const float*, float*, int64_t, int64_t, int64_t, int64_t, const float*, const float*, double);
  double eps_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{
    "InstanceNormalization",
    "cpu",
    {DType::F32},
    Layout::Plain,
    [](const Node& node, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
      return std::unique_ptr<Kernel>(new InstanceNormKernel(node, cpu::conv_isa()));
    }});

}  // namespace
}  // namespace fs
