// Fast fp32 GlobalAveragePool: the mean of each (n, c) plane, accumulated in double across lanes,
// planes in parallel.
#include "kernels/cpu/conv_math_util.h"
#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

inline void mean_planes(const float* x, float* y, int64_t planes, int64_t vol) {
  for (int64_t p = 0; p < planes; ++p)
    y[p] = vol > 0 ? static_cast<float>(cpu::sum_f64(x + p * vol, vol) / static_cast<double>(vol)) : std::nanf("");
}
FS_CPU_ISA_VARIANTS(mean_planes, (const float* x, float* y, int64_t planes, int64_t vol),
                    mean_planes(x, y, planes, vol))

class GlobalAveragePoolKernel : public Kernel {
 public:
  explicit GlobalAveragePoolKernel(cpu::Isa isa) : fn_(mean_planes_table().pick(isa)) {}
  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    const int nt = std::max(1, ctx.num_threads);
    const int64_t planes = x.dim(0) * x.dim(1);
    if (planes == 0) return;
    const int64_t vol = x.numel() / planes;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    const int64_t chunk = std::max<int64_t>(1, planes / (4 * nt));
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t p0 = 0; p0 < planes; p0 += chunk) fn_(xp + p0 * vol, yp + p0, std::min(chunk, planes - p0), vol);
  }

 private:
  void (*fn_)(const float*, float*, int64_t, int64_t);
};

FS_REGISTER_KERNEL_DEF(KernelDef{"GlobalAveragePool",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new GlobalAveragePoolKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
