// Cpu flipscope.NhwcGlobalAveragePool (fp32, channels-last): per image, the per-channel sums of the
// H*W rows of C floats accumulated in double (vectorized over channels), then divided by H*W.
#include <cmath>

#include "kernels/cpu/conv_util.h"

namespace fs {
namespace {

// x: vol rows of `ld` floats, the first c of which are summed.
inline void mean_rows(const float* x, float* y, double* acc, int64_t vol, int64_t c, int64_t ld) {
  for (int64_t ch = 0; ch < c; ++ch) acc[ch] = 0.0;
  for (int64_t i = 0; i < vol; ++i) {
    const float* __restrict xi = x + i * ld;
    double* __restrict a = acc;
    for (int64_t ch = 0; ch < c; ++ch) a[ch] += static_cast<double>(xi[ch]);
  }
  const double inv = vol > 0 ? 1.0 / static_cast<double>(vol) : NAN;
  for (int64_t ch = 0; ch < c; ++ch) y[ch] = vol > 0 ? static_cast<float>(acc[ch] * inv) : std::nanf("");
}
FS_CPU_ISA_VARIANTS(nhwc_mean_rows, (const float* x, float* y, double* acc, int64_t vol, int64_t c, int64_t ld),
                    mean_rows(x, y, acc, vol, c, ld))

class NhwcGlobalAveragePoolKernel : public Kernel {
 public:
  explicit NhwcGlobalAveragePoolKernel(cpu::Isa isa) : fn_(nhwc_mean_rows_table().pick(isa)) {}
  void run(KernelContext& ctx) override {
    const Tensor& x = ctx.in(0);
    Tensor& y = ctx.out(0);
    if (y.numel() == 0) return;
    const int nt = std::max(1, ctx.num_threads);
    const int64_t n_ = x.dim(0), vol = x.dim(1) * x.dim(2), c = x.dim(3);
    // Channel chunks of 64 (whole images when there are enough) so that small batches still spread.
    const int64_t chunk = n_ >= nt ? c : std::max<int64_t>(64, (c + nt - 1) / nt), parts = (c + chunk - 1) / chunk;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
#pragma omp parallel num_threads(nt)
    {
      std::vector<double> acc(static_cast<size_t>(chunk));
#pragma omp for schedule(static)
      for (int64_t it = 0; it < n_ * parts; ++it) {
        const int64_t n = it / parts, c0 = it % parts * chunk, cc = std::min(chunk, c - c0);
        fn_(xp + n * vol * c + c0, yp + n * c + c0, acc.data(), vol, cc, c);
      }
    }
  }

 private:
  decltype(&nhwc_mean_rows_generic) fn_;
};

FS_REGISTER_KERNEL_DEF(KernelDef{"flipscope.NhwcGlobalAveragePool",
                                 "cpu",
                                 {DType::F32},
                                 Layout::Plain,
                                 [](const Node&, const std::vector<TensorType>&, const std::vector<const Tensor*>&) {
                                   return std::unique_ptr<Kernel>(new NhwcGlobalAveragePoolKernel(cpu::conv_isa()));
                                 }});

}  // namespace
}  // namespace fs
